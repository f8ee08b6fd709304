/**
 * Fill detection latency end to end, in real time against the sandbox: the broker's fill
 * time (the sandbox's truth) to the `LegFilled` recorded in the store, over many fills,
 * with the modes run side by side in one process, each with its own sandbox and database.
 * `healthy` streams (a streamed execution wakes a getOrder for its order), `faulted` streams
 * through the sandbox streamer's faults (connections dropped, messages lost, seq skipped:
 * each reconnect and gap polls everything at once), `polling` is the interval poll and the
 * fresh-order wakes only.
 *
 * The tracker runs with the production schedule (interval 15 s, jitter 5 s, fresh-order
 * wakes at 1.5 s and 4 s, 120 requests per minute). A bot seeds orders over the run (no
 * HTTP: only the tracker's requests reach the sandbox) whose executions come 0.3-3 s
 * after entry, one to three per order. Beside each mode: Schwab requests per minute (the
 * mean, and the most in any 60 s window), and the audit: no fill lost or doubled.
 *
 *   node --conditions=@fill-tracker/source --import tsx packages/app/proof/streamLatency.ts [fills=1000] [ordersPerMinute=50] [seed=42]
 */
import * as fs from "node:fs"
import * as path from "node:path"
import type { AccountHash } from "@fill-tracker/domain"
import { SchwabAuth } from "@fill-tracker/schwab-client"
import {
  fillsInLegs,
  immediateFill,
  type Lifecycle,
  makeRandom,
  realClock,
  type Sandbox,
  startSandbox
} from "@fill-tracker/schwab-sandbox"
import { EventStore, Executions } from "@fill-tracker/store"
import { Duration, Effect, Logger, LogLevel, Stream } from "effect"
import type { AppConfig } from "../src/config/AppConfig.js"
import { appLayer } from "../src/layers.js"
import { startPoller } from "../src/poller/Poller.js"
import { pollerOptionsFrom } from "../src/poller/pollerOptions.js"
import {
  type AuditReport,
  audit,
  brokerDone,
  type PlacedOrder,
  proofConfig,
  recordAll,
  tempDir
} from "./harness.js"

/** @since 0.1.0 */
export type Mode = "healthy" | "faulted" | "polling"

export interface ModeReport {
  readonly mode: Mode
  readonly fills: number
  /** Detection latencies in ms, sorted. */
  readonly latencies: ReadonlyArray<number>
  readonly p50: number
  readonly p99: number
  readonly max: number
  readonly requestsPerMinute: number
  readonly maxRequestsInMinute: number
  readonly requestsByRoute: Readonly<Record<string, number>>
  readonly audit: AuditReport
  /** Fills the broker made that no LegFilled matched (also in the audit's lostFills). */
  readonly unmatched: number
  readonly wallMs: number
  /** The sandbox streamer's view: connections dropped, logins, items sent. */
  readonly stream: { readonly drops: number; readonly logins: number; readonly items: number }
}

export interface LatencyOptions {
  readonly fills: number
  readonly ordersPerMinute: number
  readonly seed: number
  /** Longest wait after the last order for every execution to be recorded. Default 120 s. */
  readonly settleMs?: number
  /** Overrides of the production schedule, e.g. a short interval for the test suite's short form. */
  readonly config?: Partial<AppConfig>
}

/** The production schedule and budget: what a deployment runs with by default. */
const productionSchedule: Partial<AppConfig> = {
  pollingInterval: 15_000,
  pollingMaxJitter: 5_000,
  freshPollOffsets: [1_500, 4_000],
  rateLimit: 120,
  requestTimeout: 10_000
}

/** What each mode changes: the config, and the stream's faults. */
const modes: Record<Mode, { readonly config: Partial<AppConfig>; readonly faults: (s: Sandbox) => void }> = {
  healthy: { config: { streaming: true }, faults: () => {} },
  // Per streamed item: the connection dropped, a message lost (a seq gap), seq skipped.
  faulted: {
    config: { streaming: true },
    faults: (s) => {
      s.streamer.faults.inject({ kind: "drop", probability: 0.005 })
      s.streamer.faults.inject({ kind: "lose", probability: 0.03 })
      s.streamer.faults.inject({ kind: "skipSeq", probability: 0.01 })
    }
  },
  polling: { config: { streaming: false }, faults: () => {} }
}

/** An order's executions: one to three, the first 0.3-3 s after entry, the rest 0.5-2 s apart. */
const lifecycleOf = (legs: number, rng: ReturnType<typeof makeRandom>): Lifecycle => {
  const price = `${rng.int(10, 500)}.${String(rng.int(0, 9999)).padStart(4, "0")}`
  const first = rng.int(300, 3_000)
  return legs === 1
    ? immediateFill({ price, afterMs: first })
    : fillsInLegs(legs, rng.int(500, 2_000), { price, firstAfterMs: first })
}

const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN)

const TRACKER_ROUTES = new Set(["listOrders", "getOrder", "userPreference", "accountNumbers", "token"])

export const runMode = async (mode: Mode, options: LatencyOptions): Promise<ModeReport> => {
  const dir = tempDir(`latency-${mode}`)
  const sandbox = await startSandbox({ seed: options.seed, clock: realClock() })
  const started = Date.now()
  try {
    const config = proofConfig(sandbox, path.join(dir, `${mode}.db`), {
      ...productionSchedule,
      ...modes[mode].config,
      ...options.config
    })
    const account = sandbox.accounts[0]!
    const rng = makeRandom(`latency/${options.seed}`)
    const program = Effect.gen(function* () {
      const auth = yield* SchwabAuth.SchwabAuth
      yield* auth.exchangeCode(sandbox.issueAuthorizationCode())
      modes[mode].faults(sandbox)
      const poller = yield* startPoller(pollerOptionsFrom(config, []))
      const orders: Array<PlacedOrder> = []
      const gapMs = 60_000 / options.ordersPerMinute
      let planned = 0
      for (let i = 0; planned < options.fills; i++) {
        const legs = rng.int(1, 3)
        planned += legs
        const lifecycle = lifecycleOf(legs, rng)
        const shares = legs * rng.int(1, 20)
        const orderId = sandbox.seedOrder(account.hashValue, { symbol: "AAPL", quantity: shares }, lifecycle)
        const order: PlacedOrder = {
          executionId: `${mode}-${String(i + 1).padStart(5, "0")}`,
          orderId,
          accountHash: account.hashValue as AccountHash,
          symbol: "AAPL",
          shares,
          direction: "BUY",
          referencePrice: "100.00",
          lifecycle: lifecycle.name
        }
        yield* recordAll([order])
        orders.push(order)
        yield* Effect.sleep(Duration.millis(gapMs))
      }
      const executions = yield* Executions
      const deadline = Date.now() + (options.settleMs ?? 120_000)
      while (Date.now() < deadline && ((yield* executions.open()).length > 0 || !brokerDone(sandbox, orders)))
        yield* Effect.sleep(Duration.millis(200))
      yield* poller.stop
      sandbox.streamer.faults.clear()
      const recorded = new Map<string, number>()
      const store = yield* EventStore
      yield* store.readAll().pipe(
        Stream.runForEach((r) =>
          Effect.sync(() => {
            if (r.event.type === "LegFilled" && !recorded.has(`${r.streamId}/${r.event.fillKey}`))
              recorded.set(`${r.streamId}/${r.event.fillKey}`, r.recordedAt.getTime())
          })
        )
      )
      return { orders, recorded, report: yield* audit(sandbox, orders) }
    })
    const { orders, recorded, report } = await Effect.runPromise(
      program.pipe(Effect.provide(appLayer(config)), Effect.scoped, Logger.withMinimumLogLevel(LogLevel.None))
    )
    const latencies: Array<number> = []
    let unmatched = 0
    for (const order of orders) {
      const truth = sandbox.truth(order.orderId)
      for (const fill of truth.fills) {
        const at = recorded.get(`${order.executionId}/${fill.activityId}:${fill.executionIndex}`)
        if (at === undefined) unmatched += 1
        else latencies.push(at - fill.epochMs)
      }
    }
    latencies.sort((a, b) => a - b)
    const requests = sandbox.requests().filter((r) => TRACKER_ROUTES.has(r.name))
    const minutes = Math.max(1 / 60, (Date.now() - started) / 60_000)
    const requestsByRoute: Record<string, number> = {}
    for (const r of requests) requestsByRoute[r.name] = (requestsByRoute[r.name] ?? 0) + 1
    return {
      mode,
      fills: latencies.length + unmatched,
      latencies,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      max: latencies.at(-1) ?? Number.NaN,
      requestsPerMinute: requests.length / minutes,
      maxRequestsInMinute: sandbox.maxRequestsInWindow(60_000, (r) => TRACKER_ROUTES.has(r.name)),
      requestsByRoute,
      audit: report,
      unmatched,
      wallMs: Date.now() - started,
      stream: (({ drops, logins, items }) => ({ drops, logins, items }))(sandbox.streamer.stats())
    }
  } finally {
    await sandbox.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** The modes at once, so they share the machine's state of the moment. */
export const runStreamLatency = (
  options: LatencyOptions,
  only: ReadonlyArray<Mode> = ["healthy", "faulted", "polling"]
) => Promise.all(only.map((mode) => runMode(mode, options)))

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`

export const describeLatency = (reports: ReadonlyArray<ModeReport>): string =>
  [
    "| mode | fills | p50 | p99 | max | Schwab requests/min (mean, max in 60 s) | lost | doubled |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...reports.map(
      (r) =>
        `| ${r.mode} | ${r.fills} | ${seconds(r.p50)} | ${seconds(r.p99)} | ${seconds(r.max)} | ${r.requestsPerMinute.toFixed(1)}, ${r.maxRequestsInMinute} | ${r.audit.lostFills} | ${r.audit.duplicateFills} |`
    ),
    ...reports.map(
      (r) =>
        `  ${r.mode}: requests ${JSON.stringify(r.requestsByRoute)}, wall ${seconds(r.wallMs)}, ${r.audit.mismatches.length} mismatches, ${r.audit.replayDifferences} replay differences, stream ${JSON.stringify(r.stream)}`
    ),
    ...reports.flatMap((r) => r.audit.mismatches.slice(0, 10).map((m) => `  ${r.mode} MISMATCH ${m}`))
  ].join("\n")

if (import.meta.url === `file://${process.argv[1]}`) {
  const fills = Number(process.argv[2] ?? 1_000)
  const ordersPerMinute = Number(process.argv[3] ?? 50)
  const seed = Number(process.argv[4] ?? 42)
  const only = (process.argv[5]?.split(",") as ReadonlyArray<Mode> | undefined) ?? undefined
  const reports = await runStreamLatency({ fills, ordersPerMinute, seed }, only)
  console.log(describeLatency(reports))
  process.exitCode = reports.every(
    (r) =>
      r.audit.lostFills === 0 &&
      r.audit.duplicateFills === 0 &&
      r.audit.mismatches.length === 0 &&
      r.maxRequestsInMinute <= 120
  )
    ? 0
    : 1
}
