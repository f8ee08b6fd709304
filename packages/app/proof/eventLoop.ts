/**
 * Event-loop delay of the host: the bot runs fill-tracker in its own process, so a poll
 * cycle must never hold the loop long enough to delay the bot's own event handling.
 *
 * The sandbox runs as its own process (so its rendering of big list bodies is not counted),
 * holding `orders` working orders across `accounts`; the real cycle polls them in this
 * process while `perf_hooks.monitorEventLoopDelay` samples the loop. Prints p50/p99/max
 * over the polling cycles, beside the same figures for an idle loop of the same length.
 *
 * With `streaming` the measured cycles are the poller's own loop (startPoller) with the
 * account-activity stream on, while `streamedOrders` more orders are entered and filled
 * during the measurement: their streamed executions wake getOrders between the cycles, so
 * the delay figures include the socket, the frame decoding and the wakes.
 *
 *   node --conditions=@fill-tracker/source --import tsx packages/app/proof/eventLoop.ts [orders] [accounts] [cycles] [streaming=on|off]
 */
import { type ChildProcess, spawn } from "node:child_process"
import { once } from "node:events"
import * as fs from "node:fs"
import * as path from "node:path"
import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { GCProfiler } from "node:v8"
import type { AccountHash, ExecutionId } from "@fill-tracker/domain"
import { SchwabAuth } from "@fill-tracker/schwab-client"
import { Executions } from "@fill-tracker/store"
import { Duration, Effect, Fiber, Logger, LogLevel, Option, Redacted } from "effect"
import type { AppConfig } from "../src/config/AppConfig.js"
import { appLayer } from "../src/layers.js"
import { EnteredTimes } from "../src/poller/enteredTimes.js"
import { runCycleOnce, startPoller } from "../src/poller/Poller.js"
import type { CycleReport } from "../src/poller/pollCycle.js"
import { pollerOptionsFrom } from "../src/poller/pollerOptions.js"
import { SnapshotMemo } from "../src/poller/snapshotMemo.js"
import { type PlacedOrder, recordAll, tempDir, workingBuy } from "./harness.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const repoRoot = path.resolve(here, "../../..")
const sandboxMain = path.join(repoRoot, "packages/schwab-sandbox/src/main.ts")

export interface Delay {
  readonly p50Ms: number
  readonly p99Ms: number
  readonly maxMs: number
}

export interface EventLoopReport {
  readonly orders: number
  readonly accounts: number
  readonly cycles: number
  /** Per measured cycle: what it saw and asked. */
  readonly open: ReadonlyArray<number>
  readonly requestsPerCycle: ReadonlyArray<number>
  /** Executions read and reconciled (not skipped by the memo), per measured cycle. */
  readonly reconciledPerCycle: ReadonlyArray<number>
  readonly errors: number
  readonly cycleMs: ReadonlyArray<number>
  readonly polling: Delay
  readonly idle: Delay
  /**
   * The same span spent busy in 2 ms slices of pure CPU with a turn of the loop between
   * (what the time-sliced cycle does, without its work or garbage): on a host whose cores
   * are shared with other work, the delay a busy process gets from the OS scheduler alone.
   */
  readonly busy: Delay
  /** Garbage-collection pauses while polling: the longest, and how many took over 10 ms. */
  readonly gc: {
    readonly maxMs: number
    readonly over10Ms: number
    /** Collections while polling, and the heap they freed (MB): garbage made, whatever the machine's speed. */
    readonly count: number
    readonly freedMb: number
  }
  /** With streaming: wakes the stream caused, and the streamed orders whose fills were recorded. */
  readonly streaming?: { readonly wakes: number; readonly filled: number; readonly orders: number }
}

interface RemoteSandbox {
  readonly child: ChildProcess
  readonly baseUrl: string
  readonly tokenUrl: string
  readonly authorizeUrl: string
  readonly appKey: string
  readonly appSecret: string
  readonly accounts: ReadonlyArray<{ readonly hashValue: string }>
  readonly control: (method: "GET" | "POST", route: string, body?: unknown) => Promise<unknown>
}

const startRemoteSandbox = async (accounts: number): Promise<RemoteSandbox> => {
  const numbers = Array.from({ length: accounts }, (_, i) => String(40_000_001 + i)).join(",")
  const child = spawn(
    process.execPath,
    [
      "--conditions=@fill-tracker/source",
      "--import",
      "tsx",
      sandboxMain,
      "--seed",
      "9",
      "--clock",
      "real",
      "--accounts",
      numbers
    ],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] }
  )
  const [line] = (await once(createInterface({ input: child.stdout! }), "line")) as [string]
  const config = JSON.parse(line) as Omit<RemoteSandbox, "child" | "control"> & { port: number }
  const origin = `http://127.0.0.1:${config.port}/__sandbox`
  const control = async (method: "GET" | "POST", route: string, body?: unknown) =>
    (
      await fetch(`${origin}${route}`, {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body) })
      })
    ).json() as Promise<unknown>
  return { ...config, child, control }
}

const delayOf = (h: ReturnType<typeof monitorEventLoopDelay>): Delay => ({
  p50Ms: h.percentile(50) / 1e6,
  p99Ms: h.percentile(99) / 1e6,
  maxMs: h.max / 1e6
})

export const runEventLoop = async (options: {
  readonly orders: number
  readonly accounts: number
  readonly cycles: number
  readonly streaming?: boolean
  /** With streaming: orders entered and filled during the measured cycles (default 100). */
  readonly streamedOrders?: number
}): Promise<EventLoopReport> => {
  const dir = tempDir("event-loop")
  const sandbox = await startRemoteSandbox(options.accounts)
  try {
    const orders: Array<PlacedOrder> = []
    // Seeded over the control API, 32 at a time.
    for (let i = 0; i < options.orders; i += 32) {
      const batch = Array.from({ length: Math.min(32, options.orders - i) }, (_, j) => i + j)
      const ids = await Promise.all(
        batch.map(async (n) => {
          const accountHash = sandbox.accounts[n % options.accounts]!.hashValue
          const r = (await sandbox.control("POST", "/seed-order", {
            accountHash,
            order: { symbol: "AAPL", quantity: 10, price: "150.00" },
            lifecycle: { lifecycle: "working" }
          })) as { orderId: string }
          return { n, accountHash, orderId: r.orderId }
        })
      )
      for (const { n, accountHash, orderId } of ids)
        orders.push(workingBuy(`loop-${n}`, orderId, accountHash))
    }
    const { code } = (await sandbox.control("POST", "/authorization-code")) as { code: string }
    const config: AppConfig = {
      database: path.join(dir, "loop.db"),
      pollingInterval: 1_000,
      pollingMaxJitter: 0,
      pollConcurrency: 16,
      appKey: Redacted.make(sandbox.appKey),
      appSecret: Redacted.make(sandbox.appSecret),
      redirectUri: "https://127.0.0.1:8182/callback",
      baseUrl: sandbox.baseUrl,
      tokenUrl: sandbox.tokenUrl,
      authorizeUrl: sandbox.authorizeUrl,
      accounts: [],
      tokenKey: Redacted.make("33".repeat(32)),
      rateLimit: 10_000,
      requestTimeout: 30_000,
      priceBand: "0.05",
      healthPort: 0,
      logLevel: "error",
      logFormat: "json",
      shutdownGrace: 2_000,
      streaming: options.streaming === true
    }
    const streamedOrders = options.streaming === true ? (options.streamedOrders ?? 100) : 0
    /** Enters an order that fills 0.3 s later, over the control API, and records its execution. */
    const seedFilling = (n: number) =>
      Effect.gen(function* () {
        const accountHash = sandbox.accounts[n % options.accounts]!.hashValue
        const r = (yield* Effect.promise(() =>
          sandbox.control("POST", "/seed-order", {
            accountHash,
            order: { symbol: "MSFT", quantity: 2, price: "400.00" },
            lifecycle: { lifecycle: "immediateFill", args: [{ price: "400.0125", afterMs: 300 }] }
          })
        )) as { orderId: string }
        yield* recordAll([
          {
            executionId: `streamed-${n}`,
            orderId: r.orderId,
            accountHash: accountHash as AccountHash,
            symbol: "MSFT",
            shares: 2,
            direction: "BUY",
            referencePrice: "400.00",
            lifecycle: "immediateFill"
          }
        ])
      })
    const program = Effect.gen(function* () {
      yield* Effect.flatMap(SchwabAuth.SchwabAuth, (auth) => auth.exchangeCode(code))
      yield* recordAll(orders)
      // As startPoller runs it: with the memo that skips unchanged executions across cycles and
      // the entered times it keeps. startPoller keeps these too, so both modes start warm.
      const pollerOptions = {
        ...pollerOptionsFrom(config, []),
        memo: new SnapshotMemo(),
        enteredTimes: new EnteredTimes()
      }
      yield* runCycleOnce(pollerOptions) // warm-up: JIT and the SQLite page cache
      const open: Array<number> = []
      const requests: Array<number> = []
      const reconciled: Array<number> = []
      const cycleMs: Array<number> = []
      let errors = 0
      const gcPauses: Array<number> = []
      const gcObserver = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) gcPauses.push(e.duration)
      })
      gcObserver.observe({ entryTypes: ["gc"] })
      const gcProfiler = new GCProfiler()
      gcProfiler.start()
      const histogram = monitorEventLoopDelay({ resolution: 1 })
      const note = (report: CycleReport | undefined, ms: number) => {
        cycleMs.push(ms)
        open.push(report?.open ?? 0)
        requests.push((report?.listRequests ?? 0) + (report?.getRequests ?? 0))
        reconciled.push(report?.reconciled ?? 0)
        errors += (report?.outcomes.error ?? 0) + (report?.accountFailures ?? 0)
      }
      let streaming: EventLoopReport["streaming"]
      histogram.enable()
      if (options.streaming !== true)
        for (let c = 0; c < options.cycles; c++) {
          const t0 = performance.now()
          note(yield* runCycleOnce(pollerOptions), performance.now() - t0)
        }
      else {
        // The poller's own loop, stream on; orders entered and filled while it runs.
        let wakes = 0
        let cycleStarted = performance.now()
        const poller = yield* startPoller({
          ...pollerOptions,
          freshOffsetsMs: [],
          onCycle: (report) =>
            Effect.sync(() => {
              note(report, performance.now() - cycleStarted)
              cycleStarted = performance.now()
            }),
          onWake: () =>
            Effect.sync(() => {
              wakes += 1
            })
        })
        const seeded = yield* Effect.fork(
          Effect.forEach(
            Array.from({ length: streamedOrders }, (_, n) => n),
            (n) => Effect.zipRight(seedFilling(n), Effect.sleep(Duration.millis(20))),
            { discard: true }
          )
        )
        const executions = yield* Executions
        // Each streamed execution looked up by its id, and only until it is seen filled: reading
        // every open execution (10,000 rows in one query, ~100 ms) every 50 ms was this
        // proof's own load on the loop it measures.
        const filled = new Set<string>()
        const filledCount = Effect.gen(function* () {
          for (let n = 0; n < streamedOrders; n++) {
            const id = `streamed-${n}` as ExecutionId
            if (filled.has(id)) continue
            const row = yield* executions.byExecutionId(id)
            if (Option.isSome(row) && row.value.status !== "SUBMITTED") filled.add(id)
          }
          return filled.size
        })
        yield* Fiber.join(seeded)
        while (open.length < options.cycles || (yield* filledCount) < streamedOrders)
          yield* Effect.sleep(Duration.millis(50))
        yield* poller.stop
        streaming = { wakes, filled: yield* filledCount, orders: streamedOrders }
      }
      histogram.disable()
      gcObserver.disconnect()
      const collections = gcProfiler.stop()?.statistics ?? []
      const freed = collections.reduce(
        (sum, c) =>
          sum + Math.max(0, c.beforeGC.heapStatistics.usedHeapSize - c.afterGC.heapStatistics.usedHeapSize),
        0
      )
      const gc = {
        maxMs: Math.max(0, ...gcPauses),
        over10Ms: gcPauses.filter((d) => d > 10).length,
        count: collections.length,
        freedMb: freed / 2 ** 20
      }
      return { open, requests, reconciled, cycleMs, errors, polling: delayOf(histogram), gc, streaming }
    })
    const r = await Effect.runPromise(
      program.pipe(
        Effect.provide(appLayer(config, { retry: { baseDelay: Duration.millis(20) } })),
        Effect.scoped,
        Logger.withMinimumLogLevel(LogLevel.None)
      )
    )
    // The same span with nothing running: the floor the polling figures stand on.
    const spanMs = Math.max(
      500,
      r.cycleMs.reduce((a, b) => a + b, 0)
    )
    const idleHistogram = monitorEventLoopDelay({ resolution: 1 })
    idleHistogram.enable()
    await new Promise((done) => setTimeout(done, spanMs))
    idleHistogram.disable()
    const busy = await busyLoopDelay(spanMs)
    return {
      orders: options.orders,
      accounts: options.accounts,
      cycles: options.cycles,
      open: r.open,
      requestsPerCycle: r.requests,
      reconciledPerCycle: r.reconciled,
      errors: r.errors,
      cycleMs: r.cycleMs,
      polling: r.polling,
      idle: delayOf(idleHistogram),
      busy,
      gc: r.gc,
      ...(r.streaming === undefined ? {} : { streaming: r.streaming })
    }
  } finally {
    sandbox.child.kill("SIGTERM")
    await once(sandbox.child, "exit")
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

const ms = (d: Delay) =>
  `p50 ${d.p50Ms.toFixed(2)} ms, p99 ${d.p99Ms.toFixed(2)} ms, max ${d.maxMs.toFixed(2)} ms`

/** Event-loop delay while the loop is kept busy in 2 ms slices of CPU for `spanMs`. */
const busyLoopDelay = async (spanMs: number): Promise<Delay> => {
  const histogram = monitorEventLoopDelay({ resolution: 1 })
  histogram.enable()
  const until = performance.now() + spanMs
  await new Promise<void>((done) => {
    const slice = () => {
      const end = performance.now() + 2
      while (performance.now() < end) {
        // spin: the CPU a cycle slice would use
      }
      if (performance.now() < until) setImmediate(slice)
      else done()
    }
    slice()
  })
  histogram.disable()
  return delayOf(histogram)
}

export const describeEventLoop = (r: EventLoopReport): string =>
  [
    `event-loop delay: ${r.orders} open orders across ${r.accounts} accounts, ${r.cycles} cycles after a warm-up (sandbox in its own process)`,
    `  while polling: ${ms(r.polling)}`,
    `  idle loop:     ${ms(r.idle)}`,
    `  busy loop:     ${ms(r.busy)} (2 ms CPU slices, nothing else)`,
    `  GC pauses while polling: longest ${r.gc.maxMs.toFixed(1)} ms, ${r.gc.over10Ms} over 10 ms; ${r.gc.count} collections freeing ${r.gc.freedMb.toFixed(0)} MB`,
    ...(r.streaming === undefined
      ? []
      : [
          `  streaming on: ${r.streaming.orders} orders entered and filled while measuring, ${r.streaming.filled} recorded FILLED, ${r.streaming.wakes} wakes from the stream`
        ]),
    // With streaming the poller's loop runs: from one cycle's end to the next, its interval included.
    `  ${r.streaming === undefined ? "cycle time" : "cycle to cycle (1 s interval included)"}: ${r.cycleMs.map((t) => t.toFixed(0)).join(" ")} ms; requests per cycle ${r.requestsPerCycle.join(" ")}; reconciled ${r.reconciledPerCycle.join(" ")}; open ${r.open.join(" ")}; errors ${r.errors}`
  ].join("\n")

if (import.meta.url === `file://${process.argv[1]}`) {
  const orders = Number(process.argv[2] ?? 10_000)
  const accounts = Number(process.argv[3] ?? 5)
  const cycles = Number(process.argv[4] ?? 3)
  const streaming = (process.argv[5] ?? "off") === "on"
  console.log(describeEventLoop(await runEventLoop({ orders, accounts, cycles, streaming })))
}
