/**
 * Runs the account-activity streamer beside the poller: each streamed message becomes a
 * signal to look at its order at once, each reconnect or `seq` gap a signal to poll every
 * account (messages may have been missed). The interval poll goes on whatever the stream
 * does, so a stream that is down is a warning on `/health`, never a degraded service.
 *
 * Metrics: connected, age of the last message, reconnects, gaps, duplicates, messages by
 * type, messages refused for their size (wakes are counted by the poller, which knows
 * whether an open execution follows the order).
 */
import type { AccountHash } from "@fill-tracker/domain"
import { SchwabClient, StreamerClient, type StreamerStatus } from "@fill-tracker/schwab-client"
import { Clock, Effect, Exit, Fiber, Option, Queue, Scope } from "effect"
import { HealthChecks, type HealthSignal } from "../health/HealthChecks.js"
import { Metrics, type MetricsRegistry } from "../health/Metrics.js"
import type { StreamSignal } from "./StreamSignal.js"

/**
 * Messages that say an order was just entered: no getOrder for it (nothing a REST snapshot
 * would record comes of them), but a placement intent in its account may await its id.
 */
const ENTERED: ReadonlySet<string> = new Set(["OrderCreated", "OrderAccepted"])

/** How long `/health` warns after a message over the size limit closed the connection. */
export const OVERSIZED_WARNING_MS = 60 * 60 * 1000

/**
 * Messages that only say an order was entered or routed: nothing a REST snapshot would
 * record comes of them, so they wake no getOrder (the budget goes to fills, cancels and
 * replacements). Any type not listed here, unknown ones included, wakes its order.
 */
const ROUTING_ONLY: ReadonlySet<string> = new Set([
  ...ENTERED,
  "ExecutionRequested",
  "ExecutionRequestCreated",
  "ExecutionRequestCompleted"
])

export interface AccountStream {
  readonly signals: Queue.Dequeue<StreamSignal>
  /** Subscribed and hearing from the streamer now. */
  readonly connected: Effect.Effect<boolean>
  readonly stop: Effect.Effect<void>
}

/** `/health`'s view of the stream: warnings only, since polling covers every order meanwhile. */
export const streamHealth = (
  status: StreamerStatus.StreamerStatus,
  now: number,
  intervalMs: number
): HealthSignal => {
  const covered = `polling every ${Math.round(intervalMs / 100) / 10}s covers every order meanwhile`
  const oversized =
    status.lastOversizedFrameAt !== undefined && now - status.lastOversizedFrameAt < OVERSIZED_WARNING_MS
      ? [
          `the streamer sent a message over the size limit ${Math.round((now - status.lastOversizedFrameAt) / 1000)}s ago (${status.oversizedFrames} since start; SCHWAB_STREAMER_MAX_FRAME_BYTES): the connection was closed without reading it and reopened; ${covered}`
        ]
      : []
  if (status.connected) return oversized.length === 0 ? {} : { warnings: oversized }
  const why = status.lastError === undefined ? "" : ` (${status.lastError})`
  const since =
    status.lastMessageAt === undefined
      ? "never connected"
      : `last message ${Math.round((now - status.lastMessageAt) / 1000)}s ago`
  return {
    warnings: [
      status.state === "takenOver"
        ? `another connection logged in as this Schwab user (one streamer per user) and took the stream over; retrying slowly; ${covered}`
        : `not connected, ${status.state}${why}, ${since}; ${covered}`,
      ...oversized
    ]
  }
}

/**
 * The stream's gauges, read from the streamer's status when scraped, so a scrape says how
 * things are at that moment (sampled, the age of the last message was up to a second stale).
 * `read` is the status now, undefined once the stream is stopped.
 */
const registerGauges = (
  metrics: MetricsRegistry,
  read: () => StreamerStatus.StreamerStatus | undefined,
  now: () => number
) => {
  metrics.gauge("fill_tracker_stream_connected", "1 while subscribed to account activity", () =>
    read()?.connected === true ? 1 : 0
  )
  metrics.gauge(
    "fill_tracker_stream_last_message_age_seconds",
    "Seconds since the streamer last sent anything (heartbeats included); -1 before the first",
    () => {
      const at = read()?.lastMessageAt
      return at === undefined ? -1 : Math.max(0, (now() - at) / 1000)
    }
  )
  metrics.gauge(
    "fill_tracker_stream_duplicates",
    "Streamed messages recognised as duplicates by content",
    () => read()?.duplicates ?? 0
  )
}

/**
 * Starts the stream when a StreamerClient is provided; undefined when not (streaming off,
 * or a graph without one). `intervalMs` only words the health warning.
 */
export const startAccountStream = (options: {
  readonly intervalMs: number
}): Effect.Effect<AccountStream | undefined, never, Metrics | SchwabClient.SchwabClient> =>
  Effect.gen(function* () {
    const streamer = yield* Effect.serviceOption(StreamerClient.StreamerClient)
    if (Option.isNone(streamer)) return undefined
    const client = yield* SchwabClient.SchwabClient
    const metrics = yield* Metrics
    // Sliding: a poller that is stuck in a long cycle drops the oldest signals, never blocks the stream.
    const signals = yield* Queue.sliding<StreamSignal>(16_384)
    const countOversized = (by: number) =>
      metrics.inc(
        "fill_tracker_stream_oversized_frames_total",
        "Streamer messages over SCHWAB_STREAMER_MAX_FRAME_BYTES (each closed its connection unread)",
        undefined,
        by
      )
    // Served at 0 from the start: Prometheus's increase() sees no rise in a series whose first sample is 1.
    countOversized(0)
    const scope = yield* Scope.make()

    const hashOf = (event: Extract<StreamerClient.StreamerEvent, { _tag: "Activity" }>) =>
      client.accountHash(event.accountNumber).pipe(
        Effect.map((h): AccountHash | undefined => h),
        Effect.orElseSucceed(() => undefined)
      )

    const onEvent = (event: StreamerClient.StreamerEvent) =>
      Effect.gen(function* () {
        switch (event._tag) {
          case "Activity": {
            metrics.inc("fill_tracker_stream_messages_total", "Account-activity messages by type", {
              type: event.messageType || event.event.type
            })
            if (ROUTING_ONLY.has(event.messageType) && !ENTERED.has(event.messageType)) return
            yield* Queue.offer(signals, {
              _tag: ENTERED.has(event.messageType) ? "NewOrder" : "Order",
              orderId: event.orderId,
              accountHash: yield* hashOf(event)
            })
            return
          }
          case "Subscribed":
            if (event.reconnect) {
              metrics.inc(
                "fill_tracker_stream_reconnects_total",
                "Account-activity subscriptions after the first"
              )
              yield* Queue.offer(signals, { _tag: "PollAll", why: "reconnect" })
            }
            return
          case "Gap":
            metrics.inc("fill_tracker_stream_gaps_total", "Sequence gaps in the stream (messages were lost)")
            yield* Queue.offer(signals, { _tag: "PollAll", why: "gap" })
            return
          case "Disconnected":
            metrics.inc("fill_tracker_stream_disconnects_total", "Stream connections that ended, by reason", {
              reason: event.error.reason
            })
            if (event.error.reason === "FrameTooLarge") countOversized(1)
        }
      })

    // A bug in handling one event must not end the stream (run never fails, but a defect would).
    const safeOnEvent = (event: StreamerClient.StreamerEvent) =>
      onEvent(event).pipe(
        Effect.catchAllDefect((defect) => Effect.logError("handling a streamed event failed", defect))
      )
    const runFiber = yield* Effect.forkIn(streamer.value.run(safeOnEvent), scope)
    // The status is a Ref, so reading it is synchronous; the clock is this graph's own.
    const clock = yield* Effect.clock
    let stopped = false
    registerGauges(
      metrics,
      () => (stopped ? undefined : Effect.runSync(streamer.value.status)),
      () => clock.unsafeCurrentTimeMillis()
    )
    const checks = yield* Effect.serviceOption(HealthChecks)
    if (Option.isSome(checks))
      yield* Scope.extend(
        checks.value.add(
          "stream",
          Effect.gen(function* () {
            const status = yield* streamer.value.status
            return streamHealth(status, yield* Clock.currentTimeMillis, options.intervalMs)
          })
        ),
        scope
      )
    // Closing the scope interrupts the stream (its socket closes) and takes the check away.
    const stop = Effect.asVoid(
      Effect.all([
        Fiber.interrupt(runFiber),
        Scope.close(scope, Exit.void),
        Effect.sync(() => {
          stopped = true
        })
      ])
    )
    return { signals, stop, connected: Effect.map(streamer.value.status, (s) => s.connected) }
  })
