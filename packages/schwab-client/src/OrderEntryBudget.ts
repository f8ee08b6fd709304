/**
 * The order-entry budget: places, replaces and cancels in a rolling window (a day by
 * default), beside the per-minute request limit. A bot with a bug that places in a loop
 * stops at the budget instead of at the broker; it is refused at once, never made to wait
 * a day. One entry is spent per call, before anything is sent, so a refusal always means
 * nothing reached Schwab.
 *
 * @since 0.2.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"

/** A day: the default window of the order-entry budget. @since 0.2.0 @category constants */
export const DAY_MS = 24 * 3_600_000

/** @since 0.2.0 @category models */
export interface OrderEntryBudget {
  /** Spends one entry, or tells how long until one frees (`retryAfterMs`) and spends nothing. */
  readonly take: Effect.Effect<
    { readonly granted: true } | { readonly granted: false; readonly retryAfterMs: number }
  >
}

/**
 * A budget the client takes from its context instead of making its own: e.g. one kept in
 * the database and shared by every process on it. Absent, the client counts in-process.
 *
 * @since 0.2.0
 * @category tags
 */
export class SharedOrderEntryBudget extends Context.Tag("@fill-tracker/schwab-client/SharedOrderEntryBudget")<
  SharedOrderEntryBudget,
  OrderEntryBudget
>() {}

/** An in-process budget of `limit` entries per `windowMs` on Effect's Clock. @since 0.2.0 @category constructors */
export const make = (limit: number, windowMs: number = DAY_MS): Effect.Effect<OrderEntryBudget> =>
  Effect.gen(function* () {
    // Grant times still inside the window, oldest first.
    const granted: Array<number> = []
    const lock = yield* Effect.makeSemaphore(1)
    const take = Effect.map(Clock.currentTimeMillis, (now) => {
      while (granted.length > 0 && (granted[0] ?? 0) + windowMs <= now) granted.shift()
      if (granted.length < limit) {
        granted.push(now)
        return { granted: true } as const
      }
      return { granted: false, retryAfterMs: Math.max(1, (granted[0] ?? now) + windowMs - now) } as const
    })
    return { take: lock.withPermits(1)(take) }
  })
