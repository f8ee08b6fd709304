/**
 * The app with the account-activity stream, end to end against the sandbox's WebSocket
 * streamer: the poller's interval is an hour, so after its first cycle only the stream
 * can make it ask Schwab anything. Each test shows what the stream caused by counting
 * the sandbox's requests (never by timing): a wake is a getOrder with no list, a
 * reconnect or gap is a list at once. Fills are still only what REST says.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import type { ExecutionId } from "@fill-tracker/domain"
import { StreamerClient } from "@fill-tracker/schwab-client"
import {
  fillsInLegs,
  manualClock,
  realClock,
  replace,
  type Sandbox,
  startSandbox
} from "@fill-tracker/schwab-sandbox"
import { EventStore } from "@fill-tracker/store"
import { Duration, Effect, Either, Option } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import type { AppConfig } from "../src/config/AppConfig.js"
import { currentHealth } from "../src/health/HealthServer.js"
import { Metrics } from "../src/health/Metrics.js"
import { startPoller } from "../src/poller/Poller.js"
import { pollerOptionsFrom } from "../src/poller/pollerOptions.js"
import { INTENT_GRACE_MS } from "../src/poller/resolveIntents.js"
import { FillTracker } from "../src/tracker/FillTracker.js"
import { toPlacementRequested } from "../src/tracker/Placement.js"
import { InvalidSubmission } from "../src/tracker/Submission.js"
import { accountOf, authorize, manualSandbox, requestsNamed, runApp, tempDir, testConfig } from "./support.js"

const HOUR = 3_600_000

let dir: string
let sandbox: Sandbox
let config: AppConfig
beforeEach(async () => {
  dir = tempDir("streaming")
  sandbox = await manualSandbox()
  config = testConfig(sandbox, path.join(dir, "fills.db"), {
    pollingInterval: HOUR,
    streaming: true,
    freshPollOffsets: []
  })
})
afterEach(async () => {
  await sandbox.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

/** Waits (real time, no limit of its own: the test's timeout is the limit) until `f` holds. */
const until = <E, R>(what: string, f: Effect.Effect<boolean, E, R>): Effect.Effect<void, E, R> =>
  Effect.gen(function* () {
    for (let i = 0; ; i++) {
      if (yield* f) return
      if (i % 100 === 99) yield* Effect.logWarning(`still waiting: ${what}`)
      yield* Effect.sleep(Duration.millis(20))
    }
  })

const subscribed = Effect.sync(() => sandbox.streamer.connections().some((c) => c.key !== undefined))

const row = (executionId: string) =>
  Effect.flatMap(FillTracker, (t) => t.getExecution(executionId)).pipe(
    Effect.map((o) => Option.getOrThrowWith(o, () => new Error(`no row ${executionId}`)))
  )

const fillKeys = (executionId: string) =>
  Effect.flatMap(EventStore, (s) => s.readStream(executionId as ExecutionId)).pipe(
    Effect.map((stream) =>
      stream.events.flatMap((r) => (r.event.type === "LegFilled" ? [r.event.fillKey] : []))
    )
  )

/** A two-leg order, its fills 5 s and 6 s after entry on the sandbox's manual clock, recorded as an execution. */
const submitTwoLegs = (executionId: string) =>
  Effect.gen(function* () {
    const orderId = sandbox.seedOrder(
      accountOf(sandbox),
      { symbol: "AAPL", quantity: 4 },
      fillsInLegs(2, 1_000, { price: "187.4321", firstAfterMs: 5_000 })
    )
    yield* Effect.flatMap(FillTracker, (t) =>
      t.recordSubmission({
        executionId,
        orderId,
        accountHash: accountOf(sandbox),
        symbol: "AAPL",
        shares: 4,
        direction: "BUY"
      })
    )
    return orderId
  })

/** Starts the poller and waits for its first cycle and the stream's subscription. */
const started = (overrides: Partial<AppConfig> = {}) =>
  Effect.gen(function* () {
    let cycles = 0
    let wakes = 0
    const poller = yield* startPoller({
      ...pollerOptionsFrom({ ...config, ...overrides }, []),
      onCycle: () =>
        Effect.sync(() => {
          cycles += 1
        }),
      onWake: () =>
        Effect.sync(() => {
          wakes += 1
        })
    })
    yield* Effect.addFinalizer(() => poller.stop)
    yield* until(
      "first cycle",
      Effect.sync(() => cycles >= 1)
    )
    return { cycles: () => cycles, wakes: () => wakes }
  })

/** `/health` as the app would answer it now (the interval named in its warnings is an hour). */
const healthNow = currentHealth({
  intervalMs: HOUR,
  maxJitterMs: 0,
  tokenExpiries: Effect.succeed({ accessExpiresAt: undefined, refreshExpiresAt: undefined }),
  port: 0
})

const metric = (name: string, labels?: Record<string, string>) =>
  Effect.map(Metrics, (m) => m.value(name, labels))

describe("streaming", () => {
  it("a streamed execution wakes a getOrder for its order and the fill is recorded from REST, no list", async () => {
    await runApp(
      config,
      Effect.gen(function* () {
        yield* authorize(sandbox)
        yield* submitTwoLegs("wake-1")
        const poller = yield* started()
        yield* until("subscribed", subscribed)
        sandbox.resetRequests()
        sandbox.advance(5_000)
        yield* until(
          "first leg recorded",
          Effect.map(fillKeys("wake-1"), (k) => k.length === 1)
        )
        // Only the stream could have asked: the interval is an hour and no list was made.
        expect(requestsNamed(sandbox, "listOrders")).toHaveLength(0)
        expect(requestsNamed(sandbox, "getOrder").length).toBeGreaterThanOrEqual(1)
        expect(poller.cycles()).toBe(1)
        sandbox.advance(1_000)
        yield* until(
          "filled",
          Effect.map(row("wake-1"), (r) => r.status === "FILLED")
        )
        expect(requestsNamed(sandbox, "listOrders")).toHaveLength(0)
        // Each leg's messages woke a fetch (the count is bumped just after the append it made).
        yield* until(
          "two wakes",
          Effect.sync(() => poller.wakes() >= 2)
        )
        expect(requestsNamed(sandbox, "getOrder").length).toBeGreaterThanOrEqual(2)
        expect((yield* row("wake-1")).filledShares).toBe("4")
        expect(yield* fillKeys("wake-1")).toHaveLength(2)
        expect(yield* metric("fill_tracker_stream_wakes_total")).toBeGreaterThanOrEqual(2)
        expect(
          yield* metric("fill_tracker_stream_messages_total", { type: "OrderFillCompleted" })
        ).toBeGreaterThanOrEqual(1)
      })
    )
  })

  it("a wake whose getOrder hangs holds back no other order's wake", async () => {
    await runApp(
      config,
      Effect.gen(function* () {
        yield* authorize(sandbox)
        const seed = (executionId: string, symbol: string, afterMs: number) =>
          Effect.gen(function* () {
            const orderId = sandbox.seedOrder(
              accountOf(sandbox),
              { symbol, quantity: 2 },
              fillsInLegs(1, 0, { price: "50.25", firstAfterMs: afterMs })
            )
            yield* Effect.flatMap(FillTracker, (t) =>
              t.recordSubmission({
                executionId,
                orderId,
                accountHash: accountOf(sandbox),
                symbol,
                shares: 2,
                direction: "BUY"
              })
            )
          })
        yield* seed("slow-1", "KO", 5_000)
        yield* seed("quick-1", "PEP", 10_000)
        yield* started()
        yield* until("subscribed", subscribed)
        sandbox.resetRequests()
        // The first order's getOrder never answers (until the client's timeout, 30 s here).
        sandbox.faults.inject({ route: "getOrder", kind: "hang" })
        sandbox.advance(5_000)
        yield* until(
          "the first wake's getOrder sent",
          Effect.sync(() => requestsNamed(sandbox, "getOrder").length >= 1)
        )
        sandbox.advance(5_000)
        yield* until(
          "the second order's fill recorded",
          Effect.map(fillKeys("quick-1"), (k) => k.length === 1)
        )
        expect(yield* fillKeys("slow-1")).toHaveLength(0)
        expect(requestsNamed(sandbox, "listOrders")).toHaveLength(0)
      })
    )
  })

  it("a message about an order no execution follows costs no request", async () => {
    await runApp(
      config,
      Effect.gen(function* () {
        yield* authorize(sandbox)
        yield* started()
        yield* until("subscribed", subscribed)
        sandbox.resetRequests()
        sandbox.seedOrder(
          accountOf(sandbox),
          { symbol: "MSFT", quantity: 1 },
          fillsInLegs(1, 0, { price: "400", firstAfterMs: 10 })
        )
        sandbox.advance(100)
        yield* until(
          "the stream's messages counted",
          Effect.map(
            metric("fill_tracker_stream_messages_total", { type: "OrderFillCompleted" }),
            (n) => n >= 1
          )
        )
        expect(requestsNamed(sandbox, "getOrder")).toHaveLength(0)
        expect(requestsNamed(sandbox, "listOrders")).toHaveLength(0)
      })
    )
  })

  it("duplicated frames are dropped by content and nothing is counted twice", async () => {
    await runApp(
      config,
      Effect.gen(function* () {
        yield* authorize(sandbox)
        sandbox.streamer.faults.inject({ kind: "duplicate", probability: 1 })
        yield* submitTwoLegs("dup-1")
        yield* started()
        yield* until("subscribed", subscribed)
        sandbox.advance(6_000)
        yield* until(
          "filled",
          Effect.map(row("dup-1"), (r) => r.status === "FILLED")
        )
        const keys = yield* fillKeys("dup-1")
        expect(keys).toHaveLength(2)
        expect(new Set(keys).size).toBe(2)
        expect((yield* row("dup-1")).filledShares).toBe("4")
        // The gauge is sampled every second.
        yield* until(
          "duplicates counted",
          Effect.map(metric("fill_tracker_stream_duplicates"), (n) => n >= 1)
        )
      })
    )
  })

  it("the connected, last-message-age and duplicates gauges are read from the streamer when scraped, not sampled", async () => {
    await runApp(
      config,
      Effect.gen(function* () {
        yield* authorize(sandbox)
        sandbox.streamer.faults.inject({ kind: "duplicate", probability: 1 })
        yield* submitTwoLegs("gauges-1")
        yield* started()
        yield* until("subscribed", subscribed)
        sandbox.advance(6_000)
        // In the graph because streaming is on (its type is not: the layer adds it by config).
        const streamer = Option.getOrThrow(yield* Effect.serviceOption(StreamerClient.StreamerClient))
        yield* until(
          "a duplicate seen",
          Effect.map(streamer.status, (s) => s.duplicates >= 1)
        )
        const metrics = yield* Metrics
        const scraped = (text: string, name: string) =>
          Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? Number.NaN)
        // A scrape between two readings of the status, repeated until no message came in
        // between: the gauges then show exactly that status at the moment of the scrape.
        for (;;) {
          const before = yield* streamer.status
          const from = Date.now()
          const text = yield* Effect.promise(() => metrics.render())
          const to = Date.now()
          const after = yield* streamer.status
          if (before.lastMessageAt !== after.lastMessageAt || before.duplicates !== after.duplicates) continue
          expect(scraped(text, "fill_tracker_stream_connected")).toBe(after.connected ? 1 : 0)
          expect(scraped(text, "fill_tracker_stream_duplicates")).toBe(after.duplicates)
          const age = scraped(text, "fill_tracker_stream_last_message_age_seconds")
          expect(age).toBeGreaterThanOrEqual((from - (after.lastMessageAt ?? 0)) / 1000)
          expect(age).toBeLessThanOrEqual((to - (after.lastMessageAt ?? 0)) / 1000)
          break
        }
        // Disconnected: the next scrape says so, without waiting for a sample.
        sandbox.streamer.kickOff()
        yield* until(
          "disconnected",
          Effect.map(streamer.status, (s) => !s.connected)
        )
        expect(scraped(yield* Effect.promise(() => metrics.render()), "fill_tracker_stream_connected")).toBe(
          0
        )
      })
    )
  })

  it("a seq gap (a lost message) polls every account at once with a list", async () => {
    await runApp(
      config,
      Effect.gen(function* () {
        yield* authorize(sandbox)
        yield* submitTwoLegs("gap-1")
        const poller = yield* started()
        yield* until("subscribed", subscribed)
        sandbox.resetRequests()
        // Every message of the first execution is lost; the next one reveals the gap.
        sandbox.streamer.faults.inject({ kind: "lose", times: 1 })
        sandbox.advance(6_000)
        yield* until(
          "filled",
          Effect.map(row("gap-1"), (r) => r.status === "FILLED")
        )
        yield* until(
          "the gap's list",
          Effect.sync(() => requestsNamed(sandbox, "listOrders").length >= 1)
        )
        expect(yield* metric("fill_tracker_stream_gaps_total")).toBeGreaterThanOrEqual(1)
        // The full cycle the gap started (onCycle runs just after its list).
        yield* until(
          "a second cycle",
          Effect.sync(() => poller.cycles() >= 2)
        )
        expect(yield* fillKeys("gap-1")).toHaveLength(2)
      })
    )
  })

  it("a reconnect polls every account at once; the health warns while the stream is down, never degraded", async () => {
    await runApp(
      config,
      Effect.gen(function* () {
        yield* authorize(sandbox)
        yield* submitTwoLegs("re-1")
        const poller = yield* started()
        yield* until("subscribed", subscribed)
        const health = healthNow
        expect((yield* health).warnings.filter((w) => w.startsWith("stream:"))).toEqual([])
        sandbox.resetRequests()
        sandbox.streamer.dropConnections()
        yield* until(
          "subscribed again and listed",
          Effect.sync(() => requestsNamed(sandbox, "listOrders").length >= 1)
        )
        expect(yield* metric("fill_tracker_stream_reconnects_total")).toBe(1)
        yield* until(
          "a second cycle",
          Effect.sync(() => poller.cycles() >= 2)
        )
        // Another connection takes the stream over: a warning while polling covers.
        sandbox.streamer.kickOff()
        yield* until(
          "warned",
          Effect.map(health, (h) => h.warnings.some((w) => w.startsWith("stream:")))
        )
        const report = yield* health
        expect(report.status).toBe("ok")
        expect(report.problems).toEqual([])
        expect(report.warnings.find((w) => w.startsWith("stream:"))).toMatch(/took the stream over.*polling/)
        expect(yield* metric("fill_tracker_stream_connected")).toBe(0)
      })
    )
  })

  it("a streamer message over SCHWAB_STREAMER_MAX_FRAME_BYTES is counted, warned on /health, and the stream reconnects and lists", async () => {
    const capped = { ...config, streamerMaxFrameBytes: 16 * 1024 }
    await runApp(
      capped,
      Effect.gen(function* () {
        yield* authorize(sandbox)
        yield* submitTwoLegs("big-1")
        yield* started()
        yield* until("subscribed", subscribed)
        const health = healthNow
        sandbox.resetRequests()
        sandbox.streamer.sendLargeFrame(16 * 1024 + 1)
        yield* until(
          "subscribed again and listed",
          Effect.sync(() => requestsNamed(sandbox, "listOrders").length >= 1)
        )
        expect(yield* metric("fill_tracker_stream_oversized_frames_total")).toBe(1)
        expect(yield* metric("fill_tracker_stream_disconnects_total", { reason: "FrameTooLarge" })).toBe(1)
        yield* until(
          "connected again",
          Effect.map(metric("fill_tracker_stream_connected"), (v) => v === 1)
        )
        // Connected again, and still a warning: the operator learns a message was refused.
        const report = yield* health
        expect(report.status).toBe("ok")
        expect(report.warnings.filter((w) => w.startsWith("stream:"))).toEqual([
          expect.stringMatching(
            /^stream: the streamer sent a message over the size limit \d+s ago \(1 since start; SCHWAB_STREAMER_MAX_FRAME_BYTES\)/
          )
        ])
      })
    )
  })

  it("streaming off: no streamer info, no socket, the interval poll alone records the fills", async () => {
    const off = { ...config, streaming: false, pollingInterval: 100 }
    await runApp(
      off,
      Effect.gen(function* () {
        yield* authorize(sandbox)
        yield* submitTwoLegs("off-1")
        yield* started(off)
        sandbox.advance(6_000)
        yield* until(
          "filled",
          Effect.map(row("off-1"), (r) => r.status === "FILLED")
        )
        expect(requestsNamed(sandbox, "userPreference")).toHaveLength(0)
        expect(sandbox.streamer.stats().logins).toBe(0)
        expect(
          (yield* currentHealth({
            intervalMs: 100,
            maxJitterMs: 0,
            tokenExpiries: Effect.succeed({ accessExpiresAt: undefined, refreshExpiresAt: undefined }),
            port: 0
          })).warnings.filter((w) => w.startsWith("stream:"))
        ).toEqual([])
      })
    )
  })

  it("a wake on a REPLACED order naming no replacement never gives up on it: only a cycle with the list decides", async () => {
    await sandbox.close()
    // The sandbox a minute behind the wall clock: the replacement search window (0 here) is long past.
    sandbox = await startSandbox({
      seed: 11,
      namedReplacements: false,
      clock: manualClock(Date.now() - 60_000)
    })
    config = testConfig(sandbox, path.join(dir, "fills.db"), {
      pollingInterval: HOUR,
      streaming: true,
      freshPollOffsets: [],
      replacementSearch: 0
    })
    await runApp(
      config,
      Effect.gen(function* () {
        yield* authorize(sandbox)
        const orderId = sandbox.seedOrder(
          accountOf(sandbox),
          { symbol: "KO", quantity: 4 },
          replace(fillsInLegs(1, 500, { prices: ["61.01"] }), { afterMs: 1_000 })
        )
        yield* Effect.flatMap(FillTracker, (t) =>
          t.recordSubmission({
            executionId: "rep-1",
            orderId,
            accountHash: accountOf(sandbox),
            symbol: "KO",
            shares: 4,
            direction: "BUY"
          })
        )
        const poller = yield* started()
        yield* until("subscribed", subscribed)
        sandbox.resetRequests()
        sandbox.advance(1_000)
        yield* until(
          "the original fetched by a wake",
          Effect.sync(() => requestsNamed(sandbox, "getOrder").length >= 1)
        )
        yield* until(
          "the wake done",
          Effect.sync(() => poller.wakes() >= 1)
        )
        expect(requestsNamed(sandbox, "listOrders")).toHaveLength(0)
        expect((yield* row("rep-1")).status).toBe("SUBMITTED")
        // A reconnect's full cycle has the list, where the replacement is.
        sandbox.streamer.dropConnections()
        yield* until(
          "followed to the replacement",
          Effect.map(row("rep-1"), (r) => r.orderId !== orderId)
        )
      })
    )
  })
})

describe("streaming: a placement intent awaiting its id", () => {
  /** The sandbox on the real clock, so the orders it enters carry this host's time, as the intents do. */
  const onRealClock = async () => {
    await sandbox.close()
    sandbox = await startSandbox({ seed: 13, clock: realClock() })
    config = testConfig(sandbox, path.join(dir, "fills.db"), {
      pollingInterval: HOUR,
      streaming: true,
      freshPollOffsets: []
    })
  }
  /** Authorized, the poller's first cycle done, the stream subscribed. */
  const streamingStarted = Effect.gen(function* () {
    yield* authorize(sandbox)
    const poller = yield* started()
    yield* until("subscribed", subscribed)
    return poller
  })
  const history = (executionId: string) =>
    Effect.flatMap(EventStore, (s) => s.readStream(executionId as ExecutionId)).pipe(
      Effect.map((s) =>
        s.events.map((r) => ({ type: r.event.type, metadata: r.metadata, at: r.recordedAt.getTime() }))
      )
    )

  it("a lost placement answer: the stream's OrderCreated resolves the intent at once from the list, never placing again", async () => {
    await onRealClock()
    await runApp(
      config,
      Effect.gen(function* () {
        const poller = yield* streamingStarted
        // The order is placed, its answer lost; the client does not look for it itself.
        sandbox.faults.inject({ route: "placeOrder", kind: "serverError", afterHandling: true })
        const placed = yield* Effect.either(
          Effect.flatMap(FillTracker, (t) =>
            t.placeOrder("lost-1", {
              accountHash: accountOf(sandbox),
              symbol: "AAPL",
              shares: 3,
              direction: "BUY"
            })
          )
        )
        expect(Either.isLeft(placed) && placed.left._tag).toBe("OrderPlacementUnknown")
        yield* until(
          "resolved",
          Effect.map(row("lost-1"), (r) => r.status !== "PENDING")
        )
        const [order] = sandbox.placements()
        expect(sandbox.placements()).toHaveLength(1)
        expect((yield* row("lost-1")).orderId).toBe(order?.orderId)
        expect((yield* history("lost-1")).slice(0, 2)).toMatchObject([
          { type: "PlacementRequested" },
          { type: "Submitted", metadata: { source: "poller", recovered: true } }
        ])
        // Followed from then on: its fill is recorded without a cycle.
        yield* until(
          "filled",
          Effect.map(row("lost-1"), (r) => r.status === "FILLED")
        )
        // Neither the interval (an hour) nor the intent's grace was waited for: one cycle, the start's.
        expect(poller.cycles()).toBe(1)
        expect(yield* metric("fill_tracker_stream_intent_wakes_total")).toBe(1)
      }),
      { placementRecovery: { lookups: 0 } }
    )
  })

  it("an intent another process is placing is left to it for the grace, then resolved from the list", async () => {
    await onRealClock()
    await runApp(
      config,
      Effect.gen(function* () {
        const poller = yield* streamingStarted
        // Recorded as by another process's placeOrder, whose POST this one cannot see.
        const intent = toPlacementRequested(
          "elsewhere-1",
          { accountHash: accountOf(sandbox), symbol: "MSFT", shares: 2, direction: "SELL" },
          new Date()
        )
        if (intent instanceof InvalidSubmission) throw new Error(intent.message)
        yield* Effect.flatMap(EventStore, (s) =>
          s.append(intent.executionId, 0, [intent], { source: "test" })
        )
        const orderId = sandbox.seedOrder(accountOf(sandbox), {
          symbol: "MSFT",
          quantity: 2,
          instruction: "SELL",
          orderType: "MARKET"
        })
        yield* until(
          "resolved",
          Effect.map(row("elsewhere-1"), (r) => r.status !== "PENDING")
        )
        expect((yield* row("elsewhere-1")).orderId).toBe(orderId)
        const [requested, submitted] = yield* history("elsewhere-1")
        expect(submitted).toMatchObject({
          type: "Submitted",
          metadata: { source: "poller", recovered: true }
        })
        // Not before the grace: its placing call may have been still at work.
        expect((submitted?.at ?? 0) - Date.parse(intent.requestedAt)).toBeGreaterThanOrEqual(INTENT_GRACE_MS)
        expect(requested?.type).toBe("PlacementRequested")
        expect(poller.cycles()).toBe(1)
        expect(sandbox.placements()).toHaveLength(0)
      })
    )
  })
})
