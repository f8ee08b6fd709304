/**
 * The real `fill-tracker` process for tests that need one (signals, stdout/stderr, exit
 * codes): the CLI from source under tsx, in an environment with nothing of ours in it.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { Sandbox } from "@fill-tracker/schwab-sandbox"

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url))
const mainTs = path.join(repoRoot, "packages/app/src/main.ts")

export interface Finished {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  /** Wall-clock ms when the process closed (for figures printed, never asserted tightly). */
  readonly closedAt: number
}

export interface Child {
  readonly child: ChildProcess
  readonly out: { stdout: string; stderr: string }
  readonly done: Promise<Finished>
}

/** `as`: run under another user (a root test runner drops to `nobody` so file modes bind). */
export const startCli = (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  as?: { readonly uid: number; readonly gid: number }
): Child => {
  const child = spawn(
    process.execPath,
    ["--conditions=@fill-tracker/source", "--import", "tsx", mainTs, ...args],
    {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: process.env.HOME ?? "/tmp",
        TMPDIR: process.env.TMPDIR ?? "/tmp",
        ...env
      },
      stdio: ["ignore", "pipe", "pipe"],
      ...as
    }
  )
  const out = { stdout: "", stderr: "" }
  child.stdout?.on("data", (c: Buffer) => {
    out.stdout += c.toString("utf8")
  })
  child.stderr?.on("data", (c: Buffer) => {
    out.stderr += c.toString("utf8")
  })
  const done = new Promise<Finished>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal, ...out, closedAt: Date.now() }))
  )
  return { child, out, done }
}

export { until, waitFor } from "./waitUntil.js"

/** The settings `run` needs against a sandbox; the token key is fresh per call. */
export const serviceEnv = (sandbox: Sandbox, database: string): Record<string, string> => ({
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
  LOG_LEVEL: "info"
})

/** The health URL a JSON-logging `run` announced, once it has. */
export const healthUrlOf = (stderr: string): string | undefined => {
  for (const line of stderr.split("\n")) {
    if (!line.includes('"health endpoint listening"')) continue
    const url = (JSON.parse(line) as { annotations?: { url?: unknown } }).annotations?.url
    if (typeof url === "string") return url
  }
  return undefined
}
