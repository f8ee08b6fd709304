/**
 * The built binary (`pnpm build` → dist/fill-tracker.js, the package's `bin`), run as an
 * operator or a service manager runs it: plain `node`, no tsx, no pnpm in between.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import type { Sandbox } from "@fill-tracker/schwab-sandbox"
import { executionStates } from "@fill-tracker/store"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { builtBinary, serviceEnv, startNode, until } from "./child.js"
import { accountOf, manualSandbox, tempDir } from "./support.js"

const bin = (args: ReadonlyArray<string>, env: Record<string, string | undefined> = {}) =>
  startNode([builtBinary, ...args], env)

// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for the escape character itself
const ESCAPE = /\x1b/

describe.concurrent("the built fill-tracker binary", () => {
  let dir: string
  let sandbox: Sandbox
  beforeAll(async () => {
    if (!fs.existsSync(builtBinary)) throw new Error(`${builtBinary} is missing: run \`pnpm build\` first`)
    dir = tempDir("binary")
    sandbox = await manualSandbox()
  })
  afterAll(async () => {
    await sandbox.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it("is a node script with its shebang, and prints its version", async () => {
    expect(fs.readFileSync(builtBinary, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true)
    const r = await bin(["--version"]).done
    expect(r.code).toBe(0)
    expect(r.stdout.trim()).toBe("0.1.0")
  })

  for (const signal of ["SIGTERM", "SIGINT"] as const)
    it(`run starts, and ${signal} stops it with exit 0`, async () => {
      const env = serviceEnv(sandbox, path.join(dir, `${signal}.db`))
      const run = bin(["run"], env)
      await until(() => run.out.stderr.includes('"message":"fill-tracker running"'), "the service is up")
      run.child.kill(signal)
      const r = await run.done
      expect(r.signal).toBeNull()
      expect(r.code).toBe(0)
      expect(r.stderr).toContain("shutting down")
    })

  it("status --json prints nothing but JSON lines on stdout", async () => {
    const database = path.join(dir, "status.db")
    const submit = await bin([
      "submit",
      "--database",
      database,
      "--execution-id",
      "bin-1",
      "--order-id",
      "1004055538123",
      "--account",
      accountOf(sandbox),
      "--symbol",
      "AAPL",
      "--shares",
      "3",
      "--direction",
      "buy"
    ]).done
    expect(submit.stderr).toBe("")
    expect(submit.code).toBe(0)
    const r = await bin(["status", "--json", "--database", database]).done
    expect(r.code).toBe(0)
    const lines = r.stdout.split("\n").filter((l) => l !== "")
    expect(lines.map((l) => (JSON.parse(l) as { executionId: string }).executionId)).toEqual(["bin-1"])
    expect(JSON.parse(lines[0]!)).toMatchObject({ direction: "BUY", state: "SUBMITTED" })
  })

  it("an unknown --state value is refused with exit 2, naming the flag and the states", async () => {
    const r = await bin(["status", "--state", "bogus", "--database", path.join(dir, "bogus.db")]).done
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`--state: "bogus" is not one of ${executionStates.join(", ")}`)
    expect(r.stdout).toBe("")
  })

  it("help and errors carry no escape codes off a terminal, even without NO_COLOR", async () => {
    const help = await bin(["auth", "login", "--help"], { NO_COLOR: undefined }).done
    expect(help.code).toBe(0)
    expect(help.stdout).toContain("$ fill-tracker auth login [--database file|url]")
    expect(help.stdout).not.toMatch(ESCAPE)
    const bad = await bin(["status", "--limit", "many"], { NO_COLOR: undefined }).done
    expect(bad.code).toBe(2)
    expect(bad.stderr).not.toBe("")
    expect(bad.stderr).not.toMatch(ESCAPE)
  })
})
