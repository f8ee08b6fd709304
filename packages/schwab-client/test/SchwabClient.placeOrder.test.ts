/**
 * placeOrder never places twice: after an answer that may have been lost (timeout, reset
 * connection, 5xx) it looks for the order in the list instead of sending again.
 */
import { type AddressInfo, createServer } from "node:net"
import { describe, expect, it } from "@effect/vitest"
import { Decimal, type Shares, type TickerSymbol } from "@fill-tracker/domain"
import { type FaultSpec, working } from "@fill-tracker/schwab-sandbox"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { OrderEntryBudget } from "../src/index.js"
import { count, setup } from "./harness.js"

/** A loopback port nobody listens on: bound once, then released. */
const closedPort = Effect.promise(
  () =>
    new Promise<number>((resolve) => {
      const server = createServer()
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        server.close(() => resolve(port))
      })
    })
)

const order = {
  symbol: "AAPL" as TickerSymbol,
  shares: Decimal.fromBigInt(5n) as Shares,
  direction: "BUY" as const
}

const lostAnswers: ReadonlyArray<[string, Omit<FaultSpec, "route">]> = [
  ["a hang past the timeout", { kind: "hang", afterHandling: true }],
  ["a 500", { kind: "serverError", afterHandling: true }],
  ["a 503", { kind: "unavailable", afterHandling: true }],
  ["a connection reset mid-answer", { kind: "connectionReset" }]
]

describe("SchwabClient.placeOrder", () => {
  for (const [what, fault] of lostAnswers) {
    it.scopedLive(`after ${what} once Schwab took the order, finds it and does not place it again`, () =>
      Effect.gen(function* () {
        const { s, client, hash } = yield* setup(fault.kind === "hang" ? { requestTimeout: "1 second" } : {})
        s.faults.inject({ route: "placeOrder", ...fault })
        const id = yield* client.placeOrder(hash, order)
        expect(s.orderIds()).toEqual([id])
        expect(count(s, "placeOrder")).toBe(1)
        expect(count(s, "listOrders")).toBeGreaterThanOrEqual(1)
      })
    )
  }

  for (const kind of ["noLocation", "foreignHostLocation", "foreignAccountLocation"] as const) {
    it.scopedLive(`a 201 with ${kind} is a lost answer: the order is looked up, never sent again`, () =>
      Effect.gen(function* () {
        const { s, client, hash } = yield* setup()
        s.faults.inject({ route: "placeOrder", kind })
        const id = yield* client.placeOrder(hash, order)
        expect(s.orderIds()).toEqual([id])
        expect(count(s, "placeOrder")).toBe(1)
        expect(count(s, "listOrders")).toBe(1)
      })
    )
  }

  it.scopedLive(
    "a 201 without Location and no order to be found is OrderPlacementUnknown, not a DecodeError",
    () =>
      Effect.gen(function* () {
        const { s, client, hash } = yield* setup()
        // Two identical orders entered since the attempt: neither can be told to be ours.
        s.faults.inject({ route: "placeOrder", kind: "noLocation" })
        s.seedOrder(hash, { symbol: "AAPL", quantity: 5 })
        const e = yield* Effect.flip(client.placeOrder(hash, order))
        expect(e._tag).toBe("OrderPlacementUnknown")
        if (e._tag === "OrderPlacementUnknown") {
          expect(e.cause._tag).toBe("DecodeError")
          expect(e.cause._tag === "DecodeError" && e.cause.detail).toContain("no Location")
          expect(e.candidates).toBe(2)
        }
        expect(count(s, "placeOrder")).toBe(1)
      })
  )

  it.scopedLive("a replace answered without a usable Location finds the replacement in the list", () =>
    Effect.gen(function* () {
      const { s, client, hash } = yield* setup()
      s.scriptNext(working())
      const first = yield* client.placeOrder(hash, order)
      s.faults.inject({ route: "replaceOrder", kind: "foreignAccountLocation" })
      const next = yield* client.replaceOrder(hash, first, {
        ...order,
        shares: Decimal.fromBigInt(7n) as Shares
      })
      expect(s.truth(first)).toMatchObject({ status: "REPLACED", replacedBy: next })
      expect(count(s, "replaceOrder")).toBe(1)
    })
  )

  it.scopedLive(
    "after a 500 that did not place the order, reports OrderPlacementUnknown without resending",
    () =>
      Effect.gen(function* () {
        const { s, client, hash } = yield* setup()
        s.faults.inject({ route: "placeOrder", kind: "serverError" })
        const e = yield* Effect.flip(client.placeOrder(hash, order))
        expect(e._tag).toBe("OrderPlacementUnknown")
        if (e._tag === "OrderPlacementUnknown") {
          expect(e.cause._tag).toBe("ServerError")
          expect(e.candidates).toBe(0)
        }
        expect(s.orderIds()).toEqual([])
        expect(count(s, "placeOrder")).toBe(1)
        expect(count(s, "listOrders")).toBe(2)
      })
  )

  it.scopedLive("an identical order this client placed before is never taken for the lost one", () =>
    Effect.gen(function* () {
      const { s, client, hash } = yield* setup({ requestTimeout: "1 second" })
      const first = yield* client.placeOrder(hash, order)
      s.faults.inject({ route: "placeOrder", kind: "hang" })
      const e = yield* Effect.flip(client.placeOrder(hash, order))
      expect(e._tag).toBe("OrderPlacementUnknown")
      expect(s.orderIds()).toEqual([first])
      expect(count(s, "placeOrder")).toBe(2)
    })
  )

  it.scopedLive("an order for another symbol or quantity is not a match", () =>
    Effect.gen(function* () {
      const { s, client, hash } = yield* setup()
      s.seedOrder(hash, { symbol: "MSFT", quantity: 5 })
      s.seedOrder(hash, { symbol: "AAPL", quantity: 4 })
      s.seedOrder(hash, { symbol: "AAPL", quantity: 5, instruction: "SELL" })
      s.faults.inject({ route: "placeOrder", kind: "serverError" })
      const e = yield* Effect.flip(client.placeOrder(hash, order))
      expect(e._tag).toBe("OrderPlacementUnknown")
    })
  )

  it.scopedLive("a 429 is safe to resend: the order is placed once after the retry", () =>
    Effect.gen(function* () {
      const { s, client, hash } = yield* setup()
      s.faults.inject({ route: "placeOrder", kind: "rateLimited", retryAfterSeconds: 0 })
      const id = yield* client.placeOrder(hash, order)
      expect(s.orderIds()).toEqual([id])
      expect(count(s, "placeOrder")).toBe(2)
      expect(count(s, "listOrders")).toBe(0)
    })
  )

  it.scopedLive(
    "a refused connection never carried the request: retried, then a TransportError, no lookup",
    () =>
      Effect.gen(function* () {
        const port = yield* closedPort
        const { s, client, hash } = yield* setup({ baseUrl: `http://127.0.0.1:${port}/trader/v1` })
        const e = yield* Effect.flip(client.placeOrder(hash, order))
        expect(e._tag).toBe("TransportError")
        if (e._tag === "TransportError") {
          expect(e.sent).toBe(false)
          expect(e.description).toBe("ECONNREFUSED")
        }
        expect(count(s, "listOrders")).toBe(0)
      })
  )

  it.scopedLive("a 401 on placement refreshes and resends once (Schwab refused it unread)", () =>
    Effect.gen(function* () {
      const { s, client, hash } = yield* setup()
      s.expireAccessTokens()
      const id = yield* client.placeOrder(hash, order)
      expect(s.orderIds()).toEqual([id])
      expect(s.requests().map((r) => `${r.name} ${r.status}`)).toEqual([
        "placeOrder 401",
        "token 200",
        "placeOrder 201"
      ])
    })
  )

  it.scopedLive("a token endpoint outage during the refresh is not mistaken for a lost order", () =>
    Effect.gen(function* () {
      const { s, client, hash } = yield* setup()
      s.expireAccessTokens()
      s.faults.inject({ route: "token", kind: "unavailable", times: 10 })
      const e = yield* Effect.flip(client.placeOrder(hash, order))
      expect(e._tag === "ServerError" && e.route).toBe("/v1/oauth/token")
      expect(count(s, "placeOrder")).toBe(1)
      expect(count(s, "listOrders")).toBe(0)
      expect(s.orderIds()).toEqual([])
    })
  )

  it.scopedLive("a 400 (invalid order) is reported with Schwab's message and never resent", () =>
    Effect.gen(function* () {
      const { s, client, hash } = yield* setup()
      const e = yield* Effect.flip(client.placeOrder(hash, { ...order, symbol: "   " as TickerSymbol }))
      expect(e._tag).toBe("BadRequest")
      expect(count(s, "placeOrder")).toBe(1)
    })
  )
})

describe("the order-entry budget", () => {
  it.scopedLive("places, replaces and cancels spend it; past it each is refused and nothing is sent", () =>
    Effect.gen(function* () {
      const { s, client, hash } = yield* setup({ orderEntryPerDay: 3 })
      s.scriptNext(working(), working())
      const first = yield* client.placeOrder(hash, order)
      const second = yield* client.replaceOrder(hash, first, order)
      yield* client.cancelOrder(hash, second)
      const sent = s.requests().length
      const refused = yield* Effect.all(
        [
          Effect.flip(client.placeOrder(hash, order)),
          Effect.flip(client.replaceOrder(hash, second, order)),
          Effect.flip(client.cancelOrder(hash, first))
        ],
        { concurrency: 1 }
      )
      expect(refused.map((e) => e._tag)).toEqual([
        "OrderEntryBudgetExhausted",
        "OrderEntryBudgetExhausted",
        "OrderEntryBudgetExhausted"
      ])
      const [placement] = refused
      if (placement?._tag !== "OrderEntryBudgetExhausted") throw new Error("not refused")
      expect(placement).toMatchObject({ method: "POST", limit: 3, windowMs: 86_400_000 })
      expect(placement.retryAfterMs).toBeGreaterThan(86_000_000)
      expect(placement.message).toContain("nothing was sent")
      // Nothing reached the sandbox: no request, no new order.
      expect(s.requests().length).toBe(sent)
      expect(s.orderIds()).toEqual([first, second])
    })
  )

  it.effect("the in-process budget frees a slot a day after it was spent, on the TestClock", () =>
    Effect.gen(function* () {
      const budget = yield* OrderEntryBudget.make(2)
      expect((yield* budget.take).granted).toBe(true)
      yield* TestClock.adjust("1 hour")
      expect((yield* budget.take).granted).toBe(true)
      expect(yield* budget.take).toEqual({ granted: false, retryAfterMs: 23 * 3_600_000 })
      yield* TestClock.adjust("23 hours")
      expect((yield* budget.take).granted).toBe(true)
      expect((yield* budget.take).granted).toBe(false)
    })
  )
})
