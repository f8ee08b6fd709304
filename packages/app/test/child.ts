/**
 * Child processes for the tests that run the CLI as a user would: a clean environment
 * (nothing of the test runner's SCHWAB_* or other settings leaks in), output collected as
 * it arrives, and a wait on a condition instead of a sleep.
 */
import { spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url))

/** The binary `pnpm build` makes (the package's `bin`). */
export const builtBinary = path.join(repoRoot, "packages/app/dist/fill-tracker.js")

/** A child's environment with nothing of ours in it. */
export const baseEnv = (): Record<string, string> => ({
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: process.env.HOME ?? "/tmp",
  TMPDIR: process.env.TMPDIR ?? "/tmp",
  NO_COLOR: "1"
})

export interface Finished {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** Starts `node ...nodeArgs` in the repository root; `env` is added to `baseEnv()` (`undefined` removes). */
export const startNode = (
  nodeArgs: ReadonlyArray<string>,
  env: Record<string, string | undefined> = {},
  cwd = repoRoot
) => {
  const merged = { ...baseEnv(), ...env }
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k]
  const child = spawn(process.execPath, nodeArgs, {
    cwd,
    env: merged as Record<string, string>,
    stdio: ["ignore", "pipe", "pipe"]
  })
  const out = { stdout: "", stderr: "" }
  child.stdout.on("data", (c: Buffer) => {
    out.stdout += c.toString("utf8")
  })
  child.stderr.on("data", (c: Buffer) => {
    out.stderr += c.toString("utf8")
  })
  const done = new Promise<Finished>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal, ...out }))
  )
  return { child, out, done }
}

export { until } from "./waitUntil.js"

/** What `run` needs to talk to `sandbox` and keep its events in `database`. */
export const serviceEnv = (
  sandbox: { appKey: string; appSecret: string; baseUrl: string; tokenUrl: string; authorizeUrl: string },
  database: string
): Record<string, string> => ({
  FILL_TRACKER_DATABASE: database,
  SCHWAB_APP_KEY: sandbox.appKey,
  SCHWAB_APP_SECRET: sandbox.appSecret,
  FILL_TRACKER_TOKEN_KEY: randomBytes(32).toString("hex"),
  SCHWAB_BASE_URL: sandbox.baseUrl,
  SCHWAB_TOKEN_URL: sandbox.tokenUrl,
  SCHWAB_AUTHORIZE_URL: sandbox.authorizeUrl,
  HEALTH_PORT: "0",
  ORDER_POLLING_INTERVAL: "200ms",
  ORDER_POLLING_MAX_JITTER: "0s",
  LOG_FORMAT: "json",
  LOG_LEVEL: "info"
})
