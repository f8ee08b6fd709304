import { describe, expect, it } from "@effect/vitest"
import { Decimal, type OrderId, type Shares, type TickerSymbol } from "@fill-tracker/domain"
import { fillsInLegs, immediateFill, working } from "@fill-tracker/schwab-sandbox"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { accountHash, count, setup } from "./harness.js"

const shares = (n: number) => Decimal.fromBigInt(BigInt(n)) as Shares
const symbol = (s: string) => s as TickerSymbol

describe("SchwabClient endpoints", () => {
  it.scopedLive("accountNumbers decodes, redacts and caches", () =>
    Effect.gen(function* () {
      const { s, client } = yield* setup()
      const first = yield* client.accountNumbers()
      const second = yield* client.accountNumbers()
      expect(first).toHaveLength(1)
      expect(Redacted.value(first[0]!.accountNumber)).toBe("12345678")
      expect(String(first[0]!.accountNumber)).not.toContain("12345678")
      expect(first[0]!.hashValue).toBe(accountHash(s))
      expect(second).toBe(first)
      expect(count(s, "accountNumbers")).toBe(1)
      expect(yield* client.accountHash("12345678")).toBe(accountHash(s))
      expect(yield* client.accountHash(Redacted.make("12345678"))).toBe(accountHash(s))
      expect(count(s, "accountNumbers")).toBe(1)
    })
  )

  it.scopedLive("accountHash of an unknown account refetches once, then fails UnknownAccount", () =>
    Effect.gen(function* () {
      const { s, client } = yield* setup()
      const e = yield* Effect.flip(client.accountHash("99999999"))
      expect(e._tag).toBe("UnknownAccount")
      expect(e.message).not.toContain("99999999")
      expect(count(s, "accountNumbers")).toBe(2)
    })
  )

  it.scopedLive(
    "getOrder decodes the order with its fills; a missing one is OrderNotFound, not retried",
    () =>
      Effect.gen(function* () {
        const { s, client, hash } = yield* setup()
        const id = s.seedOrder(hash, { symbol: "AAPL", quantity: 3 }, fillsInLegs(3, 1000))
        s.advance(5000)
        const order = yield* client.getOrder(hash, id as OrderId)
        expect(order.orderId).toBe(id)
        expect(order.status).toEqual({ _tag: "Known", value: "FILLED" })
        expect(order.activities.flatMap((a) => a.executionLegs)).toHaveLength(3)
        const missing = yield* Effect.flip(client.getOrder(hash, "999999999" as OrderId))
        expect(missing._tag).toBe("OrderNotFound")
        if (missing._tag === "OrderNotFound") {
          expect(missing.orderId).toBe("999999999")
          expect(missing.route).toBe("/accounts/{accountHash}/orders/{orderId}")
          expect(missing.correlId).toMatch(/^[0-9a-f-]{36}$/)
        }
        expect(count(s, "getOrder")).toBe(2)
      })
  )

  it.scopedLive("listOrders sends Schwab's exact time format and returns the orders in the window", () =>
    Effect.gen(function* () {
      const { s, client, hash } = yield* setup()
      const now = s.clock.now()
      s.seedOrder(hash, { symbol: "AAPL", quantity: 1 }, working())
      s.seedOrder(hash, { symbol: "MSFT", quantity: 2, instruction: "SELL" }, immediateFill())
      s.seedOrder(hash, { symbol: "OLD", quantity: 2, enteredAt: now - 10 * 86_400_000 }, working())
      const { orders, skipped } = yield* client.listOrders(hash, {
        from: new Date(now - 86_400_000),
        to: new Date(now + 60_000)
      })
      expect(orders.map((o) => o.legs[0]?.symbol).sort()).toEqual(["AAPL", "MSFT"])
      expect(skipped).toEqual([])
      const working_ = yield* client.listOrders(hash, {
        from: new Date(now - 86_400_000),
        to: new Date(now + 60_000),
        status: "WORKING",
        maxResults: 10
      })
      expect(working_.orders.map((o) => o.legs[0]?.symbol)).toEqual(["AAPL"])
    })
  )

  it.scopedLive("listOrders reports an element that does not decode and keeps the rest", () =>
    Effect.gen(function* () {
      const { s, client, hash } = yield* setup()
      const now = s.clock.now()
      s.seedOrder(hash, { symbol: "AAPL", quantity: 1 }, working())
      s.addRawOrder(hash, '{"orderId": 77, "status": "FILLED", "quantity": "abc"}', { enteredAt: now })
      const { orders, skipped } = yield* client.listOrders(hash, {
        from: new Date(now - 1000),
        to: new Date(now + 1000)
      })
      expect(orders).toHaveLength(1)
      expect(skipped).toHaveLength(1)
      expect(skipped[0]?.path).toBe("quantity")
    })
  )

  it.scopedLive("listOrders refuses a window over 60 days or reversed before sending anything", () =>
    Effect.gen(function* () {
      const { s, client, hash } = yield* setup()
      const to = new Date("2025-08-29T00:00:00.000Z")
      const tooLong = yield* Effect.flip(
        client.listOrders(hash, { from: new Date(to.getTime() - 61 * 86_400_000), to })
      )
      expect(tooLong._tag).toBe("InvalidRequest")
      const reversed = yield* Effect.flip(
        client.listOrders(hash, { from: to, to: new Date(to.getTime() - 1) })
      )
      expect(reversed._tag).toBe("InvalidRequest")
      expect(s.requests()).toHaveLength(0)
    })
  )

  it.scopedLive("placeOrder sends a MARKET/DAY/NORMAL/SINGLE order and returns the id from Location", () =>
    Effect.gen(function* () {
      const { s, client, hash } = yield* setup()
      const id = yield* client.placeOrder(hash, {
        symbol: symbol("AAPL"),
        shares: shares(5),
        direction: "BUY"
      })
      expect(s.orderIds()).toEqual([id])
      const truth = s.truth(id)
      expect(truth.status).toBe("FILLED")
      const order = yield* client.getOrder(hash, id)
      expect(order.orderType).toBe("MARKET")
      expect(order.legs[0]?.instruction).toBe("BUY")
      expect(Decimal.format(order.legs[0]!.quantity!)).toBe("5")
    })
  )

  it.scopedLive("cancelOrder cancels a working order; replaceOrder answers the new id", () =>
    Effect.gen(function* () {
      const { s, client, hash } = yield* setup()
      const first = s.seedOrder(hash, { symbol: "AAPL", quantity: 2 }, working())
      yield* client.cancelOrder(hash, first as OrderId)
      expect((yield* client.getOrder(hash, first as OrderId)).status.value).toBe("CANCELED")
      const second = s.seedOrder(hash, { symbol: "AAPL", quantity: 2 }, working())
      s.scriptNext(working())
      const replacement = yield* client.replaceOrder(hash, second as OrderId, {
        symbol: symbol("AAPL"),
        shares: shares(3),
        direction: "BUY"
      })
      expect(replacement).not.toBe(second)
      expect((yield* client.getOrder(hash, second as OrderId)).status.value).toBe("REPLACED")
      const cancelledAgain = yield* Effect.flip(client.cancelOrder(hash, first as OrderId))
      expect(cancelledAgain._tag).toBe("BadRequest")
    })
  )

  it.scopedLive(
    "a cancel whose answer is lost (5xx after Schwab acted) is not sent again; one refused before sending is retried",
    () =>
      Effect.gen(function* () {
        const { s, client, hash } = yield* setup()
        const id = s.seedOrder(hash, { symbol: "AAPL", quantity: 2 }, working())
        s.faults.inject({ route: "cancelOrder", kind: "serverError", afterHandling: true })
        const lost = yield* Effect.flip(client.cancelOrder(hash, id as OrderId))
        expect(lost._tag).toBe("ServerError")
        expect(count(s, "cancelOrder")).toBe(1)
        expect((yield* client.getOrder(hash, id as OrderId)).status.value).toBe("CANCELED")
        // A 429 proves Schwab did nothing: that one is sent again.
        const other = s.seedOrder(hash, { symbol: "AAPL", quantity: 2 }, working())
        s.faults.inject({ route: "cancelOrder", kind: "rateLimited", retryAfterSeconds: 0 })
        yield* client.cancelOrder(hash, other as OrderId)
        expect(count(s, "cancelOrder")).toBe(3)
        expect((yield* client.getOrder(hash, other as OrderId)).status.value).toBe("CANCELED")
      })
  )

  it.scopedLive("a 400 carries Schwab's message and is not retried", () =>
    Effect.gen(function* () {
      const { s, client } = yield* setup()
      const e = yield* Effect.flip(client.getOrder("NOSUCHHASH" as never, "1" as OrderId))
      expect(e._tag).toBe("BadRequest")
      if (e._tag === "BadRequest") {
        expect(e.status).toBe(400)
        expect(e.message).toContain("Invalid account number")
        expect(e.correlId).toBeDefined()
      }
      expect(count(s, "getOrder")).toBe(1)
    })
  )

  it.scopedLive("placeOrder refuses fractional shares without sending", () =>
    Effect.gen(function* () {
      const { s, client, hash } = yield* setup()
      const e = yield* Effect.flip(
        client.placeOrder(hash, {
          symbol: symbol("AAPL"),
          shares: Decimal.fromString("1.5") as Shares,
          direction: "BUY"
        })
      )
      expect(e._tag).toBe("InvalidRequest")
      expect(s.requests()).toHaveLength(0)
    })
  )
})
