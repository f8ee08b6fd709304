/**
 * The built binary (`dist/fill-tracker.js`, the package's `bin`, what `pnpm build` and
 * `pnpm bundle` make) as a proof's child process: a clean environment pointing at the
 * sandbox, its output collected as it arrives. The bundle starts in well under a second
 * where `tsx src/main.ts` takes several on a loaded machine, which is what lets a proof
 * start it hundreds of times.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { Redacted } from "effect"
import type { AppConfig } from "../src/config/AppConfig.js"

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

export const builtBinary = path.join(appDir, "dist/fill-tracker.js")

/** The settings by which a child reaches the sandbox and the database of `config` (secrets included). */
export const configEnv = (config: AppConfig): Record<string, string> => ({
  SCHWAB_APP_KEY: config.appKey === undefined ? "" : Redacted.value(config.appKey),
  SCHWAB_APP_SECRET: config.appSecret === undefined ? "" : Redacted.value(config.appSecret),
  FILL_TRACKER_TOKEN_KEY: config.tokenKey === undefined ? "" : Redacted.value(config.tokenKey),
  SCHWAB_BASE_URL: config.baseUrl,
  SCHWAB_TOKEN_URL: config.tokenUrl,
  SCHWAB_AUTHORIZE_URL: config.authorizeUrl,
  FILL_TRACKER_DATABASE: config.database
})

/** What the binary needs to reach the sandbox and the database of `config`, and nothing of ours. */
export const binaryEnv = (config: AppConfig, extra: Record<string, string> = {}): Record<string, string> => ({
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: process.env.HOME ?? "/tmp",
  TMPDIR: process.env.TMPDIR ?? "/tmp",
  NO_COLOR: "1",
  ...configEnv(config),
  HEALTH_PORT: "0",
  LOG_FORMAT: "json",
  LOG_LEVEL: "info",
  ...extra
})

export interface BinaryChild {
  readonly child: ChildProcess
  /** Everything written so far. */
  readonly out: { stdout: string; stderr: string }
  /** Resolves when the process has exited and its pipes are closed. */
  readonly done: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>
}

/** Starts the built binary with `args`; fails at once when it has not been built. */
export const startBinary = (args: ReadonlyArray<string>, env: Record<string, string>): BinaryChild => {
  if (!fs.existsSync(builtBinary))
    throw new Error(`${builtBinary} is missing: run \`pnpm --filter @fill-tracker/app bundle\` first`)
  const child = spawn(process.execPath, [builtBinary, ...args], {
    cwd: appDir,
    env,
    stdio: ["ignore", "pipe", "pipe"]
  })
  const out = { stdout: "", stderr: "" }
  child.stdout?.on("data", (c: Buffer) => {
    out.stdout += c.toString("utf8")
  })
  child.stderr?.on("data", (c: Buffer) => {
    out.stderr += c.toString("utf8")
  })
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal }))
  )
  return { child, out, done }
}

/** Resolves once `check()` holds; rejects naming `what` after `ms` (a bound on a run that hangs, not a timing claim). */
export const until = async (
  check: () => boolean | Promise<boolean>,
  what: string,
  ms: number
): Promise<void> => {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 10))
  }
}
