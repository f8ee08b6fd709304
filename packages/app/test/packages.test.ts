/**
 * The packages as a bot installs them: each of the five is packed (`pnpm pack`, which
 * turns workspace:* into versions), the tarballs are installed with npm into a project in
 * the system's temporary directory (outside the workspace, so nothing resolves through it),
 * and a bot there is type-checked against the installed declarations, compiled and run
 * against the sandbox; then the installed `fill-tracker` binary reads the bot's database.
 * Third-party dependencies come from the npm registry.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { executionStates } from "@fill-tracker/store"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { repoRoot, startNode } from "./child.js"

const PACKAGES = ["domain", "schwab-client", "schwab-sandbox", "store", "app"] as const

/** better-sqlite3 as the workspace has it built (the store's copy). */
const workspaceSqlite = () => {
  const storeModules = path.join(repoRoot, "packages/store/node_modules/better-sqlite3")
  const dir = fs.realpathSync(storeModules)
  const version = (JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { version: string })
    .version
  return { dir, version }
}

describe("the packed packages, installed outside the workspace", () => {
  let project: string
  let tarballs: Record<string, string>
  beforeAll(() => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), "ft-outside-bot-"))
    const packs = path.join(project, "packs")
    fs.mkdirSync(packs)
    tarballs = {}
    for (const name of PACKAGES) {
      const dir = path.join(repoRoot, "packages", name)
      if (!fs.existsSync(path.join(dir, "dist/index.js")))
        throw new Error(`${dir}/dist is missing: run \`pnpm build\``)
      execFileSync("pnpm", ["pack", "--pack-destination", packs], { cwd: dir, stdio: "pipe" })
      tarballs[`@fill-tracker/${name}`] = `file:packs/fill-tracker-${name}-0.1.0.tgz`
    }
    const sqlite = workspaceSqlite()
    fs.writeFileSync(
      path.join(project, "package.json"),
      JSON.stringify({
        name: "outside-bot",
        private: true,
        type: "module",
        dependencies: tarballs,
        // The tarballs depend on each other by version; these make npm take them from here.
        // better-sqlite3 at the workspace's version, whose compiled addon is copied in below.
        overrides: { ...tarballs, "better-sqlite3": sqlite.version }
      })
    )
    // Scripts are skipped: better-sqlite3's would compile its addon from source (minutes on
    // this machine); the addon the workspace compiled from the same version is copied instead.
    execFileSync("npm", ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], {
      cwd: project,
      stdio: "pipe",
      timeout: 280_000
    })
    const release = path.join(project, "node_modules/better-sqlite3/build/Release")
    fs.mkdirSync(release, { recursive: true })
    fs.copyFileSync(
      path.join(sqlite.dir, "build/Release/better_sqlite3.node"),
      path.join(release, "better_sqlite3.node")
    )
  }, 300_000)
  afterAll(() => {
    fs.rmSync(project, { recursive: true, force: true })
  })

  it("ship no build info, tests or sources of tests, and a LICENSE each", () => {
    for (const name of PACKAGES) {
      const listing = execFileSync(
        "tar",
        ["tzf", path.join(project, `packs/fill-tracker-${name}-0.1.0.tgz`)],
        {
          encoding: "utf8"
        }
      ).split("\n")
      expect(listing, name).toContain("package/LICENSE")
      expect(
        listing.filter((f) => /tsbuildinfo|\/test\/|\.test\.|bench-build/.test(f)),
        name
      ).toEqual([])
      const manifest = JSON.parse(
        execFileSync(
          "tar",
          ["xzf", path.join(project, `packs/fill-tracker-${name}-0.1.0.tgz`), "-O", "package/package.json"],
          {
            encoding: "utf8"
          }
        )
      ) as Record<string, unknown>
      expect(manifest, name).toMatchObject({ license: "MIT", type: "module", engines: { node: ">=20.19" } })
      expect(manifest.private, name).toBeUndefined()
      expect(JSON.stringify(manifest.dependencies ?? {}), name).not.toContain("workspace:")
    }
  })

  it("a bot type-checks against them, runs against the sandbox and sees its fill", async () => {
    fs.copyFileSync(
      path.join(repoRoot, "packages/app/test/fixtures/outsideBot/bot.ts"),
      path.join(project, "bot.ts")
    )
    fs.writeFileSync(
      path.join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          lib: ["ES2022", "DOM"],
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          types: [],
          skipLibCheck: true,
          outDir: "out"
        },
        files: ["bot.ts"]
      })
    )
    // The workspace's compiler, on the installed packages' declarations only.
    execFileSync(process.execPath, [path.join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", project], {
      stdio: "pipe"
    })
    const run = await startNode([path.join(project, "out/bot.js")], {}, project).done
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout.trim())).toEqual({
      shares: "3",
      status: "FILLED",
      priceCents: "41020",
      states: executionStates.length,
      client: "object"
    })
    const status = await startNode(
      [path.join(project, "node_modules/.bin/fill-tracker"), "status", "--json", "--database", "./bot.db"],
      {},
      project
    ).done
    expect(status.code).toBe(0)
    expect(JSON.parse(status.stdout.trim())).toMatchObject({ executionId: "outside-1", status: "FILLED" })
  })
})
