/**
 * The poll loop: a cycle, then the interval plus a random jitter (so several pollers, or
 * restarts, do not hit Schwab in step), until asked to stop.
 *
 * Stopping is cooperative: `stop` lets the in-flight cycle finish for up to `grace`, then
 * cuts it, so SIGTERM never leaves a half-done append (appends are transactions anyway)
 * and never hangs a deploy.
 */
import type { SchwabClient } from "@fill-tracker/schwab-client"
import type { EventStore, Executions, LearnedFacts, Leases } from "@fill-tracker/store"
import {
  Cause,
  Chunk,
  Clock,
  Deferred,
  Duration,
  Effect,
  Exit,
  Fiber,
  Option,
  Queue,
  Random,
  Ref
} from "effect"
import { DURATION_BUCKETS, Metrics } from "../health/Metrics.js"
import { startAccountStream } from "../stream/accountStream.js"
import { coalesce, type StreamSignal, type WokenOrder } from "../stream/StreamSignal.js"
import { describeCause, storeErrorIn } from "./cycleFailures.js"
import { afterCycle, type CycleOutcome } from "./cycleStatus.js"
import { EnteredTimes } from "./enteredTimes.js"
import { nextDelayMs } from "./freshSchedule.js"
import { IntentWakes } from "./intentWake.js"
import { type LeaseOptions, makeLeaseKeeper } from "./leaseKeeper.js"
import { PlacementWatch } from "./PlacementWatch.js"
import { PollerStatus } from "./PollerStatus.js"
import { PollerWake } from "./PollerWake.js"
import { type CycleOptions, type CycleReport, pollCycle } from "./pollCycle.js"
import { SnapshotMemo } from "./snapshotMemo.js"
import { makeWakeGate } from "./wakeGate.js"

export interface PollerOptions extends CycleOptions {
  readonly intervalMs: number
  readonly maxJitterMs: number
  /** A cycle that runs longer is cut; the next one starts from the store again. */
  readonly cycleTimeoutMs: number
  readonly graceMs: number
  /** Poll again this long after each submission (fresh market orders fill in seconds); empty: interval only. */
  readonly freshOffsetsMs?: ReadonlyArray<number>
  /**
   * Set when several pollers may share the database: accounts are split by leased shards
   * (see leaseKeeper.ts). A lone poller leases every shard, so it polls everything.
   */
  readonly lease?: LeaseOptions
  /** Called after every cycle (the demo prints from it; tests count with it). */
  readonly onCycle?: (report: CycleReport | undefined) => Effect.Effect<void>
  /**
   * Listen to the account-activity stream (when a StreamerClient is provided): a message
   * naming an order an open execution follows fetches that order at once, a reconnect or a
   * `seq` gap starts a full cycle at once. The interval poll goes on either way.
   */
  readonly streaming?: boolean
  /** Called after every wake the stream caused, with what it fetched. */
  readonly onWake?: (report: CycleReport | undefined) => Effect.Effect<void>
}

/**
 * How long a wake waits for the rest of its burst of messages before fetching: an
 * execution's messages come together (in one frame or a few ms apart), and a wake in flight
 * already fetches an order named again once it ends (wakeGate.ts).
 */
const WAKE_COALESCE = Duration.millis(50)

/** What the poller needs from its environment. */
export type PollerEnv =
  | PollerStatus
  | Metrics
  | SchwabClient.SchwabClient
  | EventStore
  | Executions
  | Leases
  | LearnedFacts

/** Runs one cycle and records its outcome in PollerStatus. Never fails; interruption (shutdown) passes through. */
export const runCycleOnce = (
  options: PollerOptions
): Effect.Effect<CycleReport | undefined, never, PollerEnv> =>
  Effect.gen(function* () {
    const status = yield* PollerStatus
    const started = yield* Clock.currentTimeMillis
    const exit = yield* pollCycle(options).pipe(
      Effect.timeoutFail({
        duration: Duration.millis(options.cycleTimeoutMs),
        onTimeout: () => new Error(`cycle exceeded ${options.cycleTimeoutMs}ms and was cut`)
      }),
      Effect.exit
    )
    const ended = yield* Clock.currentTimeMillis
    const metrics = yield* Metrics
    metrics.observe(
      "fill_tracker_cycle_duration_seconds",
      "Poll cycle durations, failed and crashed cycles included",
      DURATION_BUCKETS,
      (ended - started) / 1000
    )
    if (Exit.isSuccess(exit)) {
      const report = exit.value
      yield* Ref.update(status, (s) => afterCycle(s, { _tag: "Completed", report }, started, ended))
      yield* Effect.logDebug("cycle done").pipe(
        Effect.annotateLogs({
          ms: ended - started,
          open: report.open,
          list: report.listRequests,
          get: report.getRequests
        })
      )
      return report
    }
    const cause = exit.cause
    const crashed = Cause.isDie(cause) || Cause.isInterrupted(cause)
    const error = describeCause(cause)
    const outcome: CycleOutcome = {
      _tag: crashed ? "Crashed" : "Failed",
      error,
      storeError: storeErrorIn(cause)
    }
    yield* Ref.update(status, (s) => afterCycle(s, outcome, started, ended))
    yield* crashed
      ? Effect.logError("poll cycle crashed", cause)
      : Effect.logError("poll cycle failed").pipe(Effect.annotateLogs({ error }))
    return undefined
  })

/**
 * Starts the loop in a background fiber and returns a `stop` that waits for the in-flight
 * cycle up to the grace period. Used by `run`, the demo and the library facade.
 */
export const startPoller = (
  options: PollerOptions
): Effect.Effect<
  { readonly stop: Effect.Effect<void>; readonly fiber: Fiber.RuntimeFiber<void> },
  never,
  PollerEnv
> =>
  Effect.gen(function* () {
    const stopRequested = yield* Deferred.make<void>()
    const submissions = Option.getOrUndefined(yield* Effect.serviceOption(PollerWake))
    const drainWakes =
      submissions === undefined
        ? Effect.succeed<ReadonlyArray<number>>([])
        : Queue.takeAll(submissions).pipe(Effect.map((c) => Chunk.toReadonlyArray(c)))
    const keeper = options.lease === undefined ? undefined : yield* makeLeaseKeeper(options.lease)
    // The caller's, when it kept them from cycles it ran before (a warm-up): with fresh ones
    // the first cycle re-reads and reconciles every open execution and reloads every entered time.
    const memo = options.memo ?? new SnapshotMemo()
    const enteredTimes = options.enteredTimes ?? new EnteredTimes()
    const cycleOptions: PollerOptions =
      keeper === undefined
        ? { ...options, memo, enteredTimes }
        : { ...options, memo, enteredTimes, leases: keeper.cycle }
    const stream = options.streaming === true ? yield* startAccountStream(options) : undefined
    const streamSignals =
      stream === undefined
        ? []
        : [Effect.map(Queue.take(stream.signals), (signal) => ({ _tag: "Stream" as const, signal }))]
    const drainStream =
      stream === undefined
        ? Effect.succeed<ReadonlyArray<StreamSignal>>([])
        : Effect.map(Queue.takeAll(stream.signals), (c) => Chunk.toReadonlyArray(c))
    // Placement intents awaiting their id, looked for when the stream names a new order (intentWake.ts).
    const watch = Option.getOrUndefined(yield* Effect.serviceOption(PlacementWatch))
    const intents =
      stream === undefined
        ? undefined
        : new IntentWakes({
            accounts: options.accounts,
            ...(options.intentWindowMs === undefined ? {} : { windowMs: options.intentWindowMs }),
            ...(keeper === undefined ? {} : { leases: keeper.cycle }),
            ...(watch === undefined ? {} : { watch })
          })
    const placingEnded =
      intents === undefined || watch === undefined
        ? []
        : [Effect.as(Queue.take(watch.ended), { _tag: "PlacingEnded" as const })]
    /** Resolves the intents the stream's new orders make due. */
    // The orders found are fetched at once: their fills may have streamed before anyone followed them.
    const wakeIntents = (entered: ReadonlyArray<WokenOrder>) =>
      intents === undefined
        ? Effect.void
        : intents.wake(entered).pipe(
            Effect.flatMap((found) => (found.length === 0 ? Effect.void : wakes.launch(found))),
            Effect.catchAllCause((cause) =>
              Cause.isInterruptedOnly(cause)
                ? Effect.interrupt
                : Effect.logError("resolving intents the stream woke failed; the next cycle looks", cause)
            )
          )
    /**
     * The orders a streamed message named, each fetched once at once. Never beside a cycle
     * (wakeGate.ts); what a wake reads is a REST snapshot like any cycle's, so the events
     * and fill keys are the same.
     */
    const wake = (orders: ReadonlyArray<WokenOrder>) =>
      pollCycle({ ...cycleOptions, focus: orders }).pipe(
        Effect.timeoutFail({
          duration: Duration.millis(options.cycleTimeoutMs),
          onTimeout: () => new Error(`wake exceeded ${options.cycleTimeoutMs}ms and was cut`)
        }),
        Effect.map((report): CycleReport | undefined => report),
        Effect.catchAllCause((cause) =>
          Effect.as(
            Cause.isInterruptedOnly(cause)
              ? Effect.interrupt
              : Effect.logError("a wake from the stream failed; the next cycle polls these orders", cause),
            undefined
          )
        ),
        Effect.flatMap((report) => (options.onWake === undefined ? Effect.void : options.onWake(report)))
      )
    const wakes = yield* makeWakeGate(wake, Math.max(1, options.concurrency))
    const loop = Effect.gen(function* () {
      while (!(yield* Deferred.isDone(stopRequested))) {
        if (keeper !== undefined) yield* keeper.rebalance
        const cycleStartedAt = yield* Clock.currentTimeMillis
        const report = yield* wakes.exclusive(runCycleOnce(cycleOptions))
        if (options.onCycle !== undefined) yield* options.onCycle(report)
        const jitter = options.maxJitterMs > 0 ? yield* Random.nextIntBetween(0, options.maxJitterMs + 1) : 0
        const submittedAt = [...(report?.openSubmittedAt ?? []), ...(yield* drainWakes)]
        // Signals that came during the cycle: the cycle may have read the orders before they changed.
        const pending = coalesce(yield* drainStream)
        yield* wakeIntents(pending.newOrders)
        if (pending.pollAll) continue
        if (pending.orders.length > 0) yield* wakes.launch(pending.orders)
        const regularWakeAt = (yield* Clock.currentTimeMillis) + options.intervalMs + jitter
        // Sleep until the regular interval ends or a fresh order is due, whichever is first;
        // a submission signalled meanwhile moves the wake-up earlier.
        while (true) {
          const delay = nextDelayMs({
            now: yield* Clock.currentTimeMillis,
            lastCycleStartedAt: cycleStartedAt,
            regularWakeAt,
            submittedAt,
            // While the stream is up it says when a fresh order changes: no fresh-order polls.
            offsetsMs: stream !== undefined && (yield* stream.connected) ? [] : (options.freshOffsetsMs ?? [])
          })
          if (delay <= 0) break
          const recheckAt = intents?.nextRecheckAt()
          const now = yield* Clock.currentTimeMillis
          const woke = yield* Effect.raceAll([
            Effect.as(Effect.sleep(Duration.millis(delay)), "timer" as const),
            Effect.as(Deferred.await(stopRequested), "stop" as const),
            ...(submissions === undefined ? [] : [Queue.take(submissions)]),
            ...(recheckAt === undefined || recheckAt - now >= delay
              ? []
              : [Effect.as(Effect.sleep(Duration.millis(Math.max(0, recheckAt - now))), "recheck" as const)]),
            ...placingEnded,
            ...streamSignals
          ])
          if (woke === "timer" || woke === "stop") break
          if (typeof woke === "number") {
            submittedAt.push(woke)
            continue
          }
          if (woke === "recheck" || woke._tag === "PlacingEnded") {
            yield* wakeIntents([])
            continue
          }
          // Everything the stream said meanwhile, coalesced: one getOrder per order named.
          // An execution comes as a burst of messages (ExecutionCreated, OrderFillCompleted):
          // a moment's wait lets one fetch answer the whole burst.
          yield* Effect.sleep(WAKE_COALESCE)
          const batch = coalesce([woke.signal, ...(yield* drainStream)])
          yield* wakeIntents(batch.newOrders)
          if (batch.pollAll) break
          if (batch.orders.length > 0) yield* wakes.launch(batch.orders)
        }
      }
    })
    const fiber = yield* Effect.forkDaemon(loop)
    const stop = Effect.gen(function* () {
      yield* Deferred.succeed(stopRequested, undefined)
      // `stop` runs in finalizers, which are uninterruptible: without `interruptible` the
      // timeout could not cut the wait and shutdown took the whole cycle timeout.
      const finished = yield* Effect.zip(Fiber.await(fiber), wakes.idle).pipe(
        Effect.interruptible,
        Effect.timeout(Duration.millis(options.graceMs)),
        Effect.option
      )
      if (finished._tag === "None") {
        yield* Effect.logWarning("in-flight cycle cut at the shutdown grace period")
        yield* Fiber.interrupt(fiber)
        yield* wakes.interrupt
      }
      if (stream !== undefined) yield* stream.stop
      if (keeper !== undefined) yield* keeper.release
    })
    return { stop, fiber }
  })
