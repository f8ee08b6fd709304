/**
 * Error mapping and retry counts per error kind, over HTTP against the sandbox's faults.
 * The client runs with maxAttempts 3 and 5-20 ms backoffs; a hang meets a 1 s request timeout
 * (it never answers, so that fires however fast the machine is).
 */
import { describe, expect, it } from "@effect/vitest"
import type { OrderId } from "@fill-tracker/domain"
import { type FaultKind, working } from "@fill-tracker/schwab-sandbox"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { count, setup } from "./harness.js"

const retried: ReadonlyArray<[FaultKind, string, number]> = [
  ["serverError", "ServerError", 3],
  ["unavailable", "ServerError", 3],
  ["rateLimited", "RateLimited", 3],
  ["connectionReset", "TransportError", 3],
  ["hang", "RequestTimeout", 3],
  ["malformedJson", "DecodeError", 1],
  ["truncatedJson", "DecodeError", 1],
  ["forbidden", "Forbidden", 1]
]

describe("SchwabClient errors and retries", () => {
  for (const [kind, tag, requests] of retried) {
    it.scopedLive(`${kind} on every attempt gives ${tag} after ${requests} request(s)`, () =>
      Effect.gen(function* () {
        const { s, client, hash } = yield* setup(kind === "hang" ? { requestTimeout: "1 second" } : {})
        const id = s.seedOrder(hash, { symbol: "AAPL", quantity: 1 }, working())
        s.faults.inject({ route: "getOrder", kind, times: 10 })
        const e = yield* Effect.flip(client.getOrder(hash, id as OrderId))
        expect(e._tag).toBe(tag)
        expect("route" in e && e.route).toBe("/accounts/{accountHash}/orders/{orderId}")
        expect(count(s, "getOrder")).toBe(requests)
      })
    )
  }

  it.scopedLive("a transient fault followed by success gives the order", () =>
    Effect.gen(function* () {
      const { s, client, hash } = yield* setup()
      const id = s.seedOrder(hash, { symbol: "AAPL", quantity: 1 }, working())
      s.faults.inject({ route: "getOrder", kind: "unavailable", times: 1 })
      s.faults.inject({ route: "getOrder", kind: "connectionReset", times: 1 })
      const order = yield* client.getOrder(hash, id as OrderId)
      expect(order.orderId).toBe(id)
      expect(count(s, "getOrder")).toBe(3)
    })
  )

  it.scopedLive("ServerError keeps the status and Schwab's correlation id", () =>
    Effect.gen(function* () {
      const { s, client, hash } = yield* setup({ retry: { maxAttempts: 1 } })
      s.faults.inject({ route: "getOrder", kind: "unavailable" })
      const e = yield* Effect.flip(client.getOrder(hash, "1" as OrderId))
      expect(e._tag).toBe("ServerError")
      if (e._tag === "ServerError") {
        expect(e.status).toBe(503)
        expect(e.method).toBe("GET")
        expect(e.correlId).toMatch(/^[0-9a-f-]{36}$/)
      }
    })
  )

  it.scopedLive("429 keeps its Retry-After", () =>
    Effect.gen(function* () {
      const { s, client, hash } = yield* setup({ retry: { maxAttempts: 1 } })
      s.faults.inject({ route: "getOrder", kind: "rateLimited", retryAfterSeconds: 7 })
      const e = yield* Effect.flip(client.getOrder(hash, "1" as OrderId))
      expect(e._tag).toBe("RateLimited")
      if (e._tag === "RateLimited") expect(e.retryAfter && Duration.toMillis(e.retryAfter)).toBe(7000)
    })
  )

  it.scopedLive("401 refreshes the token once and the retry succeeds", () =>
    Effect.gen(function* () {
      const { s, client, hash } = yield* setup()
      const id = s.seedOrder(hash, { symbol: "AAPL", quantity: 1 }, working())
      s.expireAccessTokens()
      const order = yield* client.getOrder(hash, id as OrderId)
      expect(order.orderId).toBe(id)
      expect(s.requests().map((r) => `${r.name} ${r.status}`)).toEqual([
        "getOrder 401",
        "token 200",
        "getOrder 200"
      ])
    })
  )

  it.scopedLive("401 twice is Unauthorized after exactly one refresh, not retried further", () =>
    Effect.gen(function* () {
      const { s, client, hash } = yield* setup()
      s.faults.inject({ route: "getOrder", kind: "unauthorized", times: 5 })
      const e = yield* Effect.flip(client.getOrder(hash, "1" as OrderId))
      expect(e._tag).toBe("Unauthorized")
      expect(count(s, "token")).toBe(1)
      expect(count(s, "getOrder")).toBe(2)
    })
  )

  it.scopedLive("N concurrent calls that meet an expired token make exactly one refresh", () =>
    Effect.gen(function* () {
      const { s, client, hash } = yield* setup()
      const id = s.seedOrder(hash, { symbol: "AAPL", quantity: 1 }, working())
      s.expireAccessTokens()
      const orders = yield* Effect.all(
        Array.from({ length: 8 }, () => client.getOrder(hash, id as OrderId)),
        { concurrency: "unbounded" }
      )
      expect(orders).toHaveLength(8)
      expect(count(s, "token")).toBe(1)
    })
  )

  it.scopedLive("a revoked refresh token gives ReauthorizationRequired, which is not retried", () =>
    Effect.gen(function* () {
      const { s, client, hash } = yield* setup()
      s.expireAccessTokens()
      s.revokeRefreshTokens()
      const e = yield* Effect.flip(client.getOrder(hash, "1" as OrderId))
      expect(e._tag).toBe("ReauthorizationRequired")
      expect(e.message).toContain("fill-tracker auth url")
      expect(e.message).toContain("fill-tracker auth login --code")
      expect(count(s, "token")).toBe(1)
    })
  )
})
