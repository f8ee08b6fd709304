/**
 * Crash safety: the real binary (`main.ts run`) polls an in-process sandbox over
 * loopback and is SIGKILLed at seeded random moments after it reports running, then
 * restarted, over and over while the orders fill. A last run finishes the work and is
 * stopped with SIGTERM. The audit then holds the store to the broker's truth: shares,
 * cents and fill keys per execution, each fill key once per stream, replay equal to live.
 *
 *   node --conditions=@fill-tracker/source --import tsx packages/app/proof/crash.ts [orders] [kills] [seed]
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { SchwabAuth } from "@fill-tracker/schwab-client"
import { makeRandom, realClock, type Sandbox, startSandbox } from "@fill-tracker/schwab-sandbox"
import { Executions, SqliteStore } from "@fill-tracker/store"
import { Effect, Logger, LogLevel } from "effect"
import type { AppConfig } from "../src/config/AppConfig.js"
import { appLayer } from "../src/layers.js"
import { configEnv } from "./binary.js"
import {
  type AuditReport,
  audit,
  brokerDone,
  proofConfig,
  recordAll,
  seedOrders,
  summary,
  tempDir
} from "./harness.js"

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")
const mainTs = path.join(repoRoot, "packages/app/src/main.ts")

export interface CrashReport {
  readonly audit: AuditReport
  readonly kills: number
  /** How long after each start reported running the child was killed. */
  readonly killDelaysMs: ReadonlyArray<number>
  /** Kills aimed just after an answered listOrders, i.e. while that cycle was working. */
  readonly midCycleKills: number
  readonly restarts: number
  readonly requests: number
  readonly wallMs: number
}

const childEnv = (config: AppConfig): NodeJS.ProcessEnv => ({
  ...process.env,
  ...configEnv(config),
  ORDER_POLLING_INTERVAL: "100ms",
  ORDER_POLLING_MAX_JITTER: "50ms",
  SCHWAB_RATE_LIMIT_PER_MINUTE: "10000",
  HEALTH_PORT: "0",
  LOG_FORMAT: "json",
  LOG_LEVEL: "info"
})

/** Spawns `run` and resolves once it logs that it is running (or rejects when it exits first). */
const startChild = (config: AppConfig): Promise<ChildProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--conditions=@fill-tracker/source", "--import", "tsx", mainTs, "run"],
      {
        cwd: repoRoot,
        env: childEnv(config),
        stdio: ["ignore", "pipe", "pipe"]
      }
    )
    let output = ""
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8")
      if (output.includes("fill-tracker running")) resolve(child)
    }
    child.stdout?.on("data", onData)
    child.stderr?.on("data", onData)
    child.once("exit", (code) =>
      reject(new Error(`run exited (${code}) before running:\n${output.slice(-2_000)}`))
    )
  })

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once("exit", () => resolve())
  })

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Resolves true once the sandbox has answered one more listOrders than now (false on timeout). */
const afterNextList = async (sandbox: Sandbox, timeoutMs: number): Promise<boolean> => {
  const answered = () => sandbox.requests().filter((r) => r.name === "listOrders" && r.status !== 0).length
  const before = answered()
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (answered() > before) return true
    await new Promise((r) => setImmediate(r))
  }
  return false
}

/** Open executions as the store holds them, read by a short-lived connection of our own. */
const openCount = (database: string) =>
  Effect.runPromise(
    Effect.flatMap(Executions, (e) => e.open()).pipe(
      Effect.map((rows) => rows.length),
      Effect.provide(SqliteStore.layer({ filename: database })),
      Effect.scoped
    )
  )

export const runCrash = async (options: {
  readonly orders: number
  readonly kills: number
  readonly seed: number
  readonly spanMs: number
  /** Longest wait after a child is up before it is killed. */
  readonly maxKillDelayMs: number
  readonly timeoutMs?: number
}): Promise<CrashReport> => {
  const dir = tempDir("crash")
  const sandbox: Sandbox = await startSandbox({
    seed: options.seed,
    clock: realClock(),
    accounts: [{ accountNumber: "11111111" }, { accountNumber: "22222222" }]
  })
  const started = Date.now()
  const rng = makeRandom(`kills/${options.seed}`)
  const config = proofConfig(sandbox, path.join(dir, "crash.db"))
  const quiet = <A, E>(e: Effect.Effect<A, E, never>) =>
    Effect.runPromise(e.pipe(Logger.withMinimumLogLevel(LogLevel.None)))
  try {
    const orders = seedOrders(sandbox, options.orders, { seed: options.seed, spanMs: options.spanMs })
    // The person's `auth login` and the bot's submissions, before the service starts.
    await quiet(
      Effect.gen(function* () {
        const auth = yield* SchwabAuth.SchwabAuth
        yield* auth.exchangeCode(sandbox.issueAuthorizationCode())
        yield* recordAll(orders)
      }).pipe(Effect.provide(appLayer(config)), Effect.scoped)
    )
    const killDelaysMs: Array<number> = []
    let midCycleKills = 0
    for (let k = 0; k < options.kills; k++) {
      const child = await startChild(config)
      const delay = rng.int(0, options.maxKillDelayMs)
      killDelaysMs.push(delay)
      await sleep(delay)
      // Every other kill waits for the child's next answered listOrders and lands a few
      // milliseconds after it: inside the decode/reconcile/append window of that cycle.
      if (k % 2 === 1 && (await afterNextList(sandbox, 3_000))) {
        await sleep(rng.int(0, 15))
        midCycleKills += 1
      }
      child.kill("SIGKILL")
      await exited(child)
    }
    const last = await startChild(config)
    const deadline = Date.now() + (options.timeoutMs ?? 120_000)
    while (Date.now() < deadline) {
      if (brokerDone(sandbox, orders) && (await openCount(config.database)) === 0) break
      await sleep(250)
    }
    last.kill("SIGTERM")
    await exited(last)
    const report = await quiet(
      audit(sandbox, orders).pipe(
        Effect.provide(SqliteStore.layer({ filename: config.database })),
        Effect.scoped
      )
    )
    return {
      audit: report,
      kills: options.kills,
      killDelaysMs,
      midCycleKills,
      restarts: options.kills + 1,
      requests: sandbox.requests().length,
      wallMs: Date.now() - started
    }
  } finally {
    await sandbox.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

export const describeCrash = (r: CrashReport): string =>
  [
    `crash safety: ${summary(r.audit)}`,
    `  ${r.kills} SIGKILLs (${r.midCycleKills} aimed just after an answered listOrders; delays after "running", ms: ${r.killDelaysMs.join(" ")}), ${r.restarts} starts, ${r.requests} Schwab requests, wall ${(r.wallMs / 1000).toFixed(1)} s`,
    ...r.audit.mismatches.slice(0, 20).map((m) => `  MISMATCH ${m}`)
  ].join("\n")

if (import.meta.url === `file://${process.argv[1]}`) {
  const orders = Number(process.argv[2] ?? 200)
  const kills = Number(process.argv[3] ?? 24)
  const seed = Number(process.argv[4] ?? 42)
  const report = await runCrash({
    orders,
    kills,
    seed,
    spanMs: 100_000,
    maxKillDelayMs: 2_000,
    timeoutMs: 300_000
  })
  console.log(describeCrash(report))
  const a = report.audit
  process.exitCode = a.mismatches.length === 0 && a.duplicateFills === 0 && a.replayDifferences === 0 ? 0 : 1
}
