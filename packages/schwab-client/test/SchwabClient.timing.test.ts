/**
 * Retry-After and the rate limiter, over HTTP, with the client on the TestClock: the test
 * reads the client's pending sleeps instead of measuring time.
 */
import { describe, expect, it } from "@effect/vitest"
import type { OrderId } from "@fill-tracker/domain"
import { working } from "@fill-tracker/schwab-sandbox"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import { count, setup, until, untilEffect } from "./harness.js"

const sleepsAt = (at: (now: number) => boolean) =>
  Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis
    return Chunk.toReadonlyArray(yield* TestClock.sleeps()).some((t) => at(t - now))
  })

describe("SchwabClient timing", () => {
  it.scoped("a 429 with Retry-After waits exactly that long, then retries", () =>
    Effect.gen(function* () {
      const { s, client, hash } = yield* setup()
      const id = s.seedOrder(hash, { symbol: "AAPL", quantity: 1 }, working())
      s.faults.inject({ route: "getOrder", kind: "rateLimited", retryAfterSeconds: 3 })
      const fiber = yield* Effect.fork(client.getOrder(hash, id as OrderId))
      yield* untilEffect(sleepsAt((d) => d === 3000))
      expect(count(s, "getOrder")).toBe(1)
      yield* TestClock.adjust("3 seconds")
      const order = yield* Fiber.join(fiber)
      expect(order.orderId).toBe(id)
      expect(count(s, "getOrder")).toBe(2)
    })
  )

  it.scoped("a Retry-After beyond maxRetryAfter (5 s here) waits only maxRetryAfter", () =>
    Effect.gen(function* () {
      const { s, client, hash } = yield* setup()
      const id = s.seedOrder(hash, { symbol: "AAPL", quantity: 1 }, working())
      s.faults.inject({ route: "getOrder", kind: "rateLimited", retryAfterSeconds: 30 })
      const fiber = yield* Effect.fork(client.getOrder(hash, id as OrderId))
      yield* untilEffect(sleepsAt((d) => d === 5000))
      expect(count(s, "getOrder")).toBe(1)
      yield* TestClock.adjust("5 seconds")
      const order = yield* Fiber.join(fiber)
      expect(order.orderId).toBe(id)
      expect(count(s, "getOrder")).toBe(2)
    })
  )

  it.scoped("a 429 without Retry-After backs off with jitter around the base delay", () =>
    Effect.gen(function* () {
      const { s, client, hash } = yield* setup({ retry: { baseDelay: "1 second", maxDelay: "1 minute" } })
      const id = s.seedOrder(hash, { symbol: "AAPL", quantity: 1 }, working())
      s.faults.inject({ route: "getOrder", kind: "rateLimited" })
      const fiber = yield* Effect.fork(client.getOrder(hash, id as OrderId))
      // Between 0.5 and 1.5 times the 1 s base. The request timeout (30 s) lies past the
      // 1.5 s the clock moves: were it inside (it was 300 ms), a retried request still in
      // flight on a loaded machine would time out and be sent a third time.
      yield* untilEffect(sleepsAt((d) => d >= 500 && d < 1500))
      yield* TestClock.adjust("1500 millis")
      yield* Fiber.join(fiber)
      expect(count(s, "getOrder")).toBe(2)
    })
  )

  it.scoped("the shared rate limiter holds the sixth request of a minute until the window moves", () =>
    Effect.gen(function* () {
      const { s, client, hash } = yield* setup({ rateLimitPerMinute: 5 })
      const id = s.seedOrder(hash, { symbol: "AAPL", quantity: 1 }, working())
      const fiber = yield* Effect.fork(
        Effect.all(
          Array.from({ length: 7 }, () => client.getOrder(hash, id as OrderId)),
          { concurrency: "unbounded" }
        )
      )
      yield* until(() => count(s, "getOrder") === 5)
      yield* untilEffect(sleepsAt((d) => d === 60_000))
      expect(count(s, "getOrder")).toBe(5)
      yield* TestClock.adjust("60 seconds")
      expect(yield* Fiber.join(fiber)).toHaveLength(7)
      expect(count(s, "getOrder")).toBe(7)
    })
  )
})
