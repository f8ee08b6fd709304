import { describe, expect, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import * as TestContext from "effect/TestContext"
import * as fc from "fast-check"
import * as RateLimiter from "../src/RateLimiter.js"

/** Most grants inside any half-open window [t, t + window). */
const maxInWindow = (times: ReadonlyArray<number>, window: number): number => {
  const sorted = [...times].sort((a, b) => a - b)
  let best = 0
  let start = 0
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= window) start++
    best = Math.max(best, end - start + 1)
  }
  return best
}

/** Requests arrive at the given offsets; returns when each was let through (TestClock ms). */
const run = (limit: number, window: number, arrivals: ReadonlyArray<number>) =>
  Effect.gen(function* () {
    const limiter = yield* RateLimiter.make(limit, window)
    const granted: Array<number> = []
    const fibers = yield* Effect.forEach(arrivals, (at) =>
      Effect.fork(
        Effect.sleep(at).pipe(
          Effect.zipRight(limiter.take),
          Effect.zipRight(Clock.currentTimeMillis),
          Effect.flatMap((t) => Effect.sync(() => granted.push(t)))
        )
      )
    )
    // Far enough for the last arrival to have waited out every full window ahead of it.
    yield* TestClock.adjust(Math.max(0, ...arrivals) + window * (arrivals.length / limit + 1))
    yield* Fiber.joinAll(fibers)
    return granted
  })

describe("RateLimiter", () => {
  it.effect("lets `limit` through at once and holds the next until the window moves", () =>
    Effect.gen(function* () {
      const granted = yield* run(3, 60_000, [0, 0, 0, 0, 0, 10_000])
      expect(granted.sort((a, b) => a - b)).toEqual([0, 0, 0, 60_000, 60_000, 60_000])
    })
  )

  it.effect("never exceeds its rate in any window, and lets every request through", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 6 }),
          fc.array(fc.integer({ min: 0, max: 200_000 }), { minLength: 1, maxLength: 40 }),
          async (limit, arrivals) => {
            const granted = await Effect.runPromise(
              Effect.provide(run(limit, 60_000, arrivals), TestContext.TestContext)
            )
            expect(granted).toHaveLength(arrivals.length)
            expect(maxInWindow(granted, 60_000)).toBeLessThanOrEqual(limit)
          }
        ),
        { numRuns: 40 }
      )
    )
  )
})
