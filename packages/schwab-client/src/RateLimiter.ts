/**
 * A sliding-window rate limiter on Effect's Clock: at most `limit` permits in any window of
 * `window` length. A token bucket of the same rate would allow twice the limit across a
 * window boundary (a full bucket plus its refill); Schwab counts per minute, so we do too.
 * Because it reads `Clock` and sleeps with `Effect.sleep`, TestClock drives it in tests.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

/** A shared limiter: `take` waits for a free slot. @since 0.1.0 @category models */
export interface RateLimiter {
  /** Waits until one more request fits in the window, then counts it. */
  readonly take: Effect.Effect<void>
}

/**
 * A limiter the client takes from its context instead of making its own: e.g. a budget
 * kept in a database and shared by several processes. Absent, the client limits in-process.
 *
 * @since 0.2.0
 * @category tags
 */
export class SharedLimiter extends Context.Tag("@fill-tracker/schwab-client/SharedLimiter")<
  SharedLimiter,
  RateLimiter
>() {}

export const make = (
  limit: number,
  window: Duration.DurationInput = Duration.minutes(1)
): Effect.Effect<RateLimiter> =>
  Effect.gen(function* () {
    const windowMillis = Duration.toMillis(Duration.decode(window))
    // Grant times of the permits still inside the window, oldest first; never longer than `limit`.
    const granted: Array<number> = []
    // One taker at a time, so two fibers cannot both see the last free slot.
    const lock = yield* Effect.makeSemaphore(1)
    const attempt: Effect.Effect<void> = Effect.flatMap(Clock.currentTimeMillis, (now) => {
      while (granted.length > 0 && (granted[0] ?? 0) + windowMillis <= now) granted.shift()
      if (granted.length < limit) {
        granted.push(now)
        return Effect.void
      }
      const wait = (granted[0] ?? now) + windowMillis - now
      return Effect.zipRight(Effect.sleep(Duration.millis(wait)), attempt)
    })
    return { take: lock.withPermits(1)(attempt) }
  })
