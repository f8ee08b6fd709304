import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { SharedRateLimit } from "../src/index.js"
import { backends } from "./support/backends.js"

/** The most grant times within any half-open window of `windowMs`. */
const maxInWindow = (times: ReadonlyArray<number>, windowMs: number) => {
  const sorted = [...times].sort((a, b) => a - b)
  let best = 0
  let start = 0
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= windowMs) start++
    best = Math.max(best, end - start + 1)
  }
  return best
}

describe.each(backends)("SharedRateLimit on $name", (backend) => {
  it.live("three processes drawing from one budget never exceed it together, and all get through", () =>
    Effect.gen(function* () {
      const location = yield* backend.fresh
      const limit = 5
      const windowMs = 400
      const granted: Array<number> = []
      // Migrate once first: concurrent first opens of a PostgreSQL database race on CREATE TABLE.
      yield* Effect.provide(Effect.void, backend.layer(location))
      // Three connections to one database stand for three poller processes.
      const process = (n: number) =>
        Effect.provide(
          Effect.flatMap(SharedRateLimit, (budget) =>
            Effect.forEach(
              Array.from({ length: n }),
              () =>
                Effect.gen(function* () {
                  const at = yield* budget.take("schwab", limit, windowMs)
                  // The stored grant time is never later than the moment take returned.
                  assert.isAtMost(at, yield* Clock.currentTimeMillis)
                  granted.push(at)
                }),
              { concurrency: 3, discard: true }
            )
          ),
          backend.layer(location)
        )
      yield* Effect.all([process(6), process(6), process(6)], { concurrency: "unbounded" })
      assert.strictEqual(granted.length, 18)
      assert.isAtMost(maxInWindow(granted, windowMs), limit)
      // 18 grants at 5 per 400 ms need at least three full windows of waiting.
      const span = Math.max(...granted) - Math.min(...granted)
      assert.isAtLeast(span, 3 * windowMs)
    }).pipe(Effect.scoped)
  )

  it.scoped("counts the grants still inside the window", () =>
    Effect.gen(function* () {
      const location = yield* backend.fresh
      yield* Effect.provide(
        Effect.gen(function* () {
          const budget = yield* SharedRateLimit
          assert.strictEqual(yield* budget.inWindow("schwab", 60_000), 0)
          yield* budget.take("schwab", 3, 60_000)
          yield* budget.take("schwab", 3, 60_000)
          assert.strictEqual(yield* budget.inWindow("schwab", 60_000), 2)
          assert.strictEqual(yield* budget.inWindow("other", 60_000), 0)
        }),
        backend.layer(location)
      )
    })
  )

  it.scoped(
    "tryTake shares a day's budget across processes and refuses, taking nothing, once it is spent",
    () =>
      Effect.gen(function* () {
        const location = yield* backend.fresh
        const day = 24 * 3_600_000
        yield* Effect.provide(Effect.void, backend.layer(location))
        const tryTake = Effect.flatMap(SharedRateLimit, (b) => b.tryTake("orders", 3, day))
        const inWindow = Effect.flatMap(SharedRateLimit, (b) => b.inWindow("orders", day))
        // Two connections to one database stand for two processes.
        const processA = <A>(e: Effect.Effect<A, unknown, SharedRateLimit>) =>
          Effect.provide(e, backend.layer(location))
        assert.isTrue((yield* processA(tryTake)).granted)
        yield* TestClock.adjust("1 hour")
        assert.isTrue((yield* processA(tryTake)).granted)
        assert.isTrue((yield* Effect.provide(tryTake, backend.layer(location))).granted)
        const refused = yield* Effect.provide(tryTake, backend.layer(location))
        assert.deepStrictEqual(refused, { granted: false, retryAfterMs: day - 3_600_000 })
        assert.strictEqual(yield* processA(inWindow), 3)
        // A day after the first grant its slot frees, and only that one.
        yield* TestClock.adjust(`${day - 3_600_000} millis`)
        assert.isTrue((yield* processA(tryTake)).granted)
        assert.isFalse((yield* processA(tryTake)).granted)
      })
  )
})
