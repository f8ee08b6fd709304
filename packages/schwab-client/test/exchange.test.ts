import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import { statusError } from "../src/internal/exchange.js"

const endpoint = { method: "GET", route: "/accounts/{accountHash}/orders/{orderId}" } as const
const reply = (status: number, body = "", headers: Record<string, string> = {}) => ({
  status,
  body,
  headers: { "schwab-client-correlid": "c-1", ...headers },
  correlId: "c-1"
})
const tagOf = (status: number, body?: string) =>
  Option.getOrUndefined(statusError(endpoint, reply(status, body), 0, "42"))?._tag

describe("statusError", () => {
  it("maps every status family to its error, 2xx to none", () => {
    expect(tagOf(200)).toBeUndefined()
    expect(tagOf(201)).toBeUndefined()
    expect(tagOf(400)).toBe("BadRequest")
    expect(tagOf(401)).toBe("Unauthorized")
    expect(tagOf(403)).toBe("Forbidden")
    expect(tagOf(404)).toBe("OrderNotFound")
    expect(tagOf(409)).toBe("BadRequest")
    expect(tagOf(429)).toBe("RateLimited")
    expect(tagOf(500)).toBe("ServerError")
    expect(tagOf(503)).toBe("ServerError")
  })

  it("keeps Schwab's message from either error body shape, and the correlation id", () => {
    const a = Option.getOrThrow(
      statusError(endpoint, reply(400, '{"message":"Invalid order","errors":["quantity: must be > 0"]}'), 0)
    )
    expect(a._tag === "BadRequest" && [a.schwabMessage, a.schwabErrors]).toEqual([
      "Invalid order",
      ["quantity: must be > 0"]
    ])
    expect(a.message).toContain("quantity: must be > 0")
    expect(a.correlId).toBe("c-1")
    const b = Option.getOrThrow(
      statusError(
        endpoint,
        reply(400, '{"errors":[{"id":"1","status":"400","title":"Bad","detail":"no price"}]}'),
        0
      )
    )
    expect(b.message).toContain("no price")
    const f = Option.getOrThrow(statusError(endpoint, reply(403, '{"message":"Not allowed","errors":[]}'), 0))
    expect(f._tag === "Forbidden" && f.schwabMessage).toBe("Not allowed")
  })

  it("reads Retry-After on a 429, absent when not given", () => {
    const given = Option.getOrThrow(statusError(endpoint, reply(429, "", { "retry-after": "3" }), 0))
    expect(given._tag === "RateLimited" && given.retryAfter && Duration.toMillis(given.retryAfter)).toBe(3000)
    const absent = Option.getOrThrow(statusError(endpoint, reply(429), 0))
    expect(absent._tag === "RateLimited" && absent.retryAfter).toBeUndefined()
  })
})
