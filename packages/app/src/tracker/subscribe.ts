/**
 * Durable subscriptions: a named consumer of fill events that resumes where it stopped.
 *
 * The loop reads the events after the subscription's checkpoint page by page, hands each
 * fill event to the handler in global order and advances the checkpoint only after the
 * handler succeeded. A crash between the handler and the advance redelivers that one
 * event: delivery is at least once. A handler that commits its own writes with the
 * advance (`Checkpoints.withCheckpoint(name, recorded.position, ...)`) is exactly once.
 *
 * A failing handler is never skipped: it is retried with capped exponential backoff, each
 * failure logged and counted (`fill_tracker_subscription_failures_total{subscription}`),
 * and everything after it waits, so order holds.
 */
import type { TradeEvent } from "@fill-tracker/domain"
import type { Checkpoints, EventStore, RecordedEvent } from "@fill-tracker/store"
import { Cause, Chunk, Duration, Effect, Option, Schedule, Stream } from "effect"
import { Metrics } from "../health/Metrics.js"
import type { FillEvent } from "./FillTracker.js"

export interface SubscribeOptions {
  /** How often the store is read for new events once the subscription has caught up (default 200 ms). */
  readonly pollEvery?: Duration.DurationInput
  /** Events read per query (default 500). */
  readonly pageSize?: number
  /** First delay of the handler's retry backoff (default 100 ms), doubled per failure... */
  readonly retryBase?: Duration.DurationInput
  /** ...up to this cap (default 30 s). */
  readonly retryMax?: Duration.DurationInput
  /**
   * Where a subscription with no checkpoint yet starts (default 0: every event ever
   * recorded). Pass the FillTracker's `headPosition` for "from now on". Ignored once a
   * checkpoint exists.
   */
  readonly startFrom?: bigint
}

/** The handler of a subscription; its failure (or defect) is retried, never skipped. */
export type SubscriptionHandler<E, R> = (
  event: FillEvent,
  recorded: RecordedEvent & { readonly event: FillEvent }
) => Effect.Effect<unknown, E, R>

/**
 * The events a bot acts on, by name: the intents (placement, replace, cancel) and the
 * submission are the tracker's own bookkeeping, and a new event type stays out until it is
 * named here and in `FillEvent`.
 */
const FILL_EVENT_TYPES: ReadonlySet<string> = new Set<FillEvent["type"]>([
  "LegFilled",
  "Filled",
  "Failed",
  "Replaced",
  "FillFlagged"
])

export const isFillEvent = (e: TradeEvent): e is FillEvent => FILL_EVENT_TYPES.has(e.type)

const isFill = (r: RecordedEvent): r is RecordedEvent & { readonly event: FillEvent } => isFillEvent(r.event)

const backoff = (options: SubscribeOptions) =>
  Schedule.exponential(options.retryBase ?? Duration.millis(100)).pipe(
    Schedule.either(Schedule.spaced(options.retryMax ?? Duration.seconds(30)))
  )

const counted = (name: string, help: string, subscription: string) =>
  Effect.flatMap(Effect.serviceOption(Metrics), (m) =>
    Effect.sync(() => Option.map(m, (r) => r.inc(name, help, { subscription })))
  )

/**
 * Runs the subscription `name` until interrupted (fork it). Needs the store's EventStore
 * and Checkpoints; counts into `Metrics` when the context has it.
 */
export const runSubscription =
  (store: EventStore["Type"], checkpoints: Checkpoints["Type"]) =>
  <E, R>(name: string, handler: SubscriptionHandler<E, R>, options: SubscribeOptions = {}) => {
    const pageSize = Math.max(1, options.pageSize ?? 500)
    const pollEvery = options.pollEvery ?? Duration.millis(200)
    const schedule = backoff(options)
    const annotate = { subscription: name }

    const deliver = (r: RecordedEvent & { readonly event: FillEvent }) =>
      Effect.suspend(() => handler(r.event, r)).pipe(
        Effect.sandbox,
        Effect.tapError((cause) =>
          Effect.zipRight(
            counted(
              "fill_tracker_subscription_failures_total",
              "Subscription handler failures (each is retried)",
              name
            ),
            Effect.logWarning("subscription handler failed; retrying with backoff").pipe(
              Effect.annotateLogs({
                ...annotate,
                position: r.position.toString(),
                cause: Cause.pretty(cause)
              })
            )
          )
        ),
        Effect.retry({ schedule, while: (cause) => !Cause.isInterruptedOnly(cause) }),
        // The retry only stops for an interruption: nothing of the handler's error is left.
        Effect.catchAll((cause) =>
          Cause.isInterruptedOnly(cause) ? Effect.interrupt : Effect.die(Cause.squash(cause))
        ),
        Effect.zipRight(checkpoints.save(name, r.position))
      )

    /**
     * One page from `cursor.next`: delivers its fills in order, moving the cursor past each
     * one as its checkpoint is saved, so a retry after a store error resumes right there.
     * Returns how many rows the page held.
     */
    const step = (cursor: { next: bigint }) =>
      Effect.gen(function* () {
        const page = yield* Stream.runCollect(
          Stream.take(store.readAll({ fromPosition: cursor.next, pageSize }), pageSize)
        )
        let skippedTo: bigint | undefined
        for (const r of Chunk.toReadonlyArray(page)) {
          if (isFill(r)) {
            yield* deliver(r)
            skippedTo = undefined
          } else skippedTo = r.position
          cursor.next = r.position + 1n
        }
        // A page that ends in events the subscription ignores still moves the checkpoint on.
        if (skippedTo !== undefined) yield* checkpoints.save(name, skippedTo)
        return page.length
      })

    return Effect.gen(function* () {
      const stored = yield* checkpoints.load(name).pipe(Effect.retry(schedule))
      const cursor = { next: stored === 0n && options.startFrom !== undefined ? options.startFrom : stored }
      yield* Effect.logDebug("subscription started").pipe(
        Effect.annotateLogs({ ...annotate, from: cursor.next.toString() })
      )
      while (true) {
        const rows = yield* step(cursor).pipe(
          Effect.tapError((e) =>
            Effect.zipRight(
              counted(
                "fill_tracker_subscription_store_errors_total",
                "Subscription reads or checkpoint saves that failed (each is retried)",
                name
              ),
              Effect.logWarning("subscription could not read or save; retrying").pipe(
                Effect.annotateLogs({ ...annotate, error: e.message })
              )
            )
          ),
          Effect.retry(schedule)
        )
        if (rows < pageSize) yield* Effect.sleep(pollEvery)
      }
    }).pipe(
      // The retries above never give up: no typed failure is left to report.
      Effect.orDie,
      Effect.annotateLogs(annotate)
    )
  }
