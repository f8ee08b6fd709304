import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { backoffDelay, parseRetryAfter, retryDelay } from "../src/internal/backoff.js"

const policy = {
  maxAttempts: 5,
  baseDelay: Duration.millis(100),
  maxDelay: Duration.millis(1000),
  maxRetryAfter: Duration.seconds(60)
}
const ms = (o: Option.Option<Duration.Duration>) => Option.map(o, Duration.toMillis)
const NOW = Date.parse("2025-08-29T13:30:00Z")

describe("backoff", () => {
  it("reads Retry-After as seconds or as an HTTP date", () => {
    expect(ms(parseRetryAfter("120", NOW))).toEqual(Option.some(120_000))
    expect(ms(parseRetryAfter(" 0 ", NOW))).toEqual(Option.some(0))
    expect(ms(parseRetryAfter("Fri, 29 Aug 2025 13:30:30 GMT", NOW))).toEqual(Option.some(30_000))
    expect(ms(parseRetryAfter("Fri, 29 Aug 2025 13:00:00 GMT", NOW))).toEqual(Option.some(0))
    expect(parseRetryAfter(undefined, NOW)).toEqual(Option.none())
    expect(parseRetryAfter("soon", NOW)).toEqual(Option.none())
    expect(parseRetryAfter("1.5", NOW)).toEqual(Option.none())
  })

  it.effect("backs off exponentially with ±50 % jitter, capped", () =>
    Effect.gen(function* () {
      for (let i = 0; i < 50; i++) {
        const first = Duration.toMillis(yield* backoffDelay(policy, 1))
        const third = Duration.toMillis(yield* backoffDelay(policy, 3))
        const tenth = Duration.toMillis(yield* backoffDelay(policy, 10))
        expect(first).toBeGreaterThanOrEqual(50)
        expect(first).toBeLessThan(150)
        expect(third).toBeGreaterThanOrEqual(200)
        expect(third).toBeLessThan(600)
        expect(tenth).toBeLessThanOrEqual(1000)
      }
    })
  )

  it.effect("Retry-After wins over the backoff, up to maxRetryAfter", () =>
    Effect.gen(function* () {
      expect(Duration.toMillis(yield* retryDelay(policy, 1, Duration.seconds(7)))).toBe(7000)
      expect(Duration.toMillis(yield* retryDelay(policy, 1, Duration.hours(2)))).toBe(60_000)
    })
  )
})
