import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as D from "../src/Decimal.js"
import type { Direction, Shares, TickerSymbol } from "../src/ids.js"
import { hasLimit, hasStop } from "../src/OrderTerms.js"
import { matchesRequest, type RequestedOrder } from "../src/requestMatch.js"
import type { SchwabOrder } from "../src/SchwabOrder.js"
import { directionArb, numRuns } from "./testing/arbitraries.js"
import { leg, order } from "./testing/build.js"

const runs = { numRuns: numRuns(300) }
const cents = fc.bigInt({ min: 100n, max: 100_000n }).map((u) => D.make(u, 2))

/** A request with the prices its type uses. */
const requestArb: fc.Arbitrary<RequestedOrder> = fc
  .record({
    symbol: fc.constantFrom("AAPL", "BRK.B", "SPY").map((s) => s as TickerSymbol),
    shares: fc.bigInt({ min: 1n, max: 10_000n }).map((n) => D.fromBigInt(n) as Shares),
    instruction: directionArb,
    orderType: fc.constantFrom("MARKET", "LIMIT", "STOP", "STOP_LIMIT"),
    price: cents,
    stopPrice: cents,
    duration: fc.constantFrom("DAY", "GOOD_TILL_CANCEL", "FILL_OR_KILL", "IMMEDIATE_OR_CANCEL"),
    session: fc.constantFrom("NORMAL", "AM", "PM", "SEAMLESS")
  })
  .map(({ price, stopPrice, ...r }) => ({
    ...r,
    ...(hasLimit(r.orderType) ? { price } : {}),
    ...(hasStop(r.orderType) ? { stopPrice } : {})
  }))

/** The order Schwab lists for `r`, as the sandbox renders it. */
const listedFor = (r: RequestedOrder): SchwabOrder =>
  order({
    quantity: r.shares,
    orderType: r.orderType ?? "MARKET",
    duration: r.duration ?? "DAY",
    session: r.session ?? "NORMAL",
    legs: [leg({ symbol: r.symbol, instruction: r.instruction, quantity: r.shares })],
    ...(r.price === undefined ? {} : { price: r.price }),
    ...(r.stopPrice === undefined ? {} : { stopPrice: r.stopPrice })
  })

const oneCent = D.make(1n, 2)

/** Every way a listed order can differ from the request in what the request fixes. */
const changes: ReadonlyArray<
  readonly [string, (o: SchwabOrder, r: RequestedOrder) => SchwabOrder | undefined]
> = [
  ["symbol", (o) => ({ ...o, legs: [{ ...o.legs[0], symbol: "MSFT" as TickerSymbol }] })],
  [
    "instruction",
    (o, r) => ({ ...o, legs: [{ ...o.legs[0], instruction: r.instruction === "BUY" ? "SELL" : "BUY" }] })
  ],
  ["quantity", (o, r) => ({ ...o, quantity: D.add(r.shares, D.fromBigInt(1n)) })],
  ["orderType", (o, r) => ({ ...o, orderType: r.orderType === "MARKET" ? "LIMIT" : "MARKET" })],
  ["price", (o, r) => (r.price === undefined ? undefined : { ...o, price: D.add(r.price, oneCent) })],
  [
    "stopPrice",
    (o, r) => (r.stopPrice === undefined ? undefined : { ...o, stopPrice: D.sub(r.stopPrice, oneCent) })
  ],
  ["duration", (o, r) => ({ ...o, duration: r.duration === "DAY" ? "GOOD_TILL_CANCEL" : "DAY" })],
  ["session", (o, r) => ({ ...o, session: r.session === "NORMAL" ? "AM" : "NORMAL" })],
  ["legs", (o) => ({ ...o, legs: [...o.legs, leg({ legId: "2" })] })]
]

describe("matchesRequest", () => {
  it("property: the order Schwab lists for a request matches it", () => {
    fc.assert(
      fc.property(requestArb, (r) => {
        expect(matchesRequest(r, listedFor(r))).toBe(true)
      }),
      runs
    )
  })

  it("property: an order differing in any term the request fixes never matches", () => {
    fc.assert(
      fc.property(requestArb, fc.nat(changes.length - 1), (r, i) => {
        const [, change] = changes[i]!
        const other = change(listedFor(r), r)
        if (other !== undefined) expect(matchesRequest(r, other)).toBe(false)
      }),
      runs
    )
  })

  it("a lost LIMIT answer is never a MARKET order, and a limit is compared exactly", () => {
    const limit: RequestedOrder = {
      symbol: "AAPL" as TickerSymbol,
      shares: D.fromBigInt(10n) as Shares,
      instruction: "BUY" as Direction,
      orderType: "LIMIT",
      price: D.fromString("150.25") as D.Decimal
    }
    const listed = listedFor(limit)
    expect(matchesRequest(limit, listed)).toBe(true)
    expect(matchesRequest(limit, { ...listed, price: D.fromString("150.250") as D.Decimal })).toBe(true)
    const { price: _, ...market } = { ...listed, orderType: "MARKET" }
    expect(matchesRequest(limit, market)).toBe(false)
    const { price: __, ...noLimit } = listed
    expect(matchesRequest(limit, noLimit)).toBe(false)
  })

  it("a request from before the terms existed means MARKET / DAY / NORMAL; a listing without duration or session is not held against it", () => {
    const old: RequestedOrder = {
      symbol: "AAPL" as TickerSymbol,
      shares: D.fromBigInt(100n) as Shares,
      instruction: "BUY"
    }
    const listed = listedFor({ ...old, orderType: "MARKET", duration: "DAY", session: "NORMAL" })
    expect(matchesRequest(old, listed)).toBe(true)
    expect(matchesRequest(old, { ...listed, duration: "GOOD_TILL_CANCEL" })).toBe(false)
    const { duration: _, session: __, ...bare } = listed
    expect(matchesRequest(old, bare)).toBe(true)
    // A stray price on a MARKET body is no other order.
    expect(matchesRequest(old, { ...listed, price: D.fromString("1") as D.Decimal })).toBe(true)
  })
})
