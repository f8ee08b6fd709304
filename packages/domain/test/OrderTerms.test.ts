import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as D from "../src/Decimal.js"
import { OrderDuration, OrderSession, OrderType, parseOrderPrice, termsProblems } from "../src/OrderTerms.js"
import { numRuns } from "./testing/arbitraries.js"

const dec = (s: string) => D.fromString(s) as D.Decimal
const runs = { numRuns: numRuns(200) }
const fields = (terms: Parameters<typeof termsProblems>[0]) => termsProblems(terms).map(([f]) => f)

describe("order terms", () => {
  it("the words are the spec's: four order types, every requestable duration, every session", () => {
    expect(Object.keys(OrderType.keys)).toEqual(["MARKET", "LIMIT", "STOP", "STOP_LIMIT"])
    expect(OrderDuration.is("FILL_OR_KILL")).toBe(true)
    expect(OrderDuration.is("UNKNOWN")).toBe(false)
    expect(Object.keys(OrderSession.keys)).toEqual(["NORMAL", "AM", "PM", "SEAMLESS"])
    expect(OrderType.is("TRAILING_STOP")).toBe(false)
    expect(OrderType.is("market")).toBe(false)
  })

  it("each type carries exactly the prices it uses; the rest are refused naming the field", () => {
    const p = dec("10.5")
    expect(fields({ orderType: "MARKET", session: "NORMAL" })).toEqual([])
    expect(fields({ orderType: "MARKET", session: "NORMAL", price: p })).toEqual(["price"])
    expect(fields({ orderType: "MARKET", session: "NORMAL", stopPrice: p })).toEqual(["stopPrice"])
    expect(fields({ orderType: "LIMIT", session: "NORMAL" })).toEqual(["price"])
    expect(fields({ orderType: "LIMIT", session: "NORMAL", price: p })).toEqual([])
    expect(fields({ orderType: "LIMIT", session: "NORMAL", price: p, stopPrice: p })).toEqual(["stopPrice"])
    expect(fields({ orderType: "STOP", session: "NORMAL" })).toEqual(["stopPrice"])
    expect(fields({ orderType: "STOP", session: "NORMAL", stopPrice: p, price: p })).toEqual(["price"])
    expect(fields({ orderType: "STOP_LIMIT", session: "NORMAL" })).toEqual(["price", "stopPrice"])
    expect(fields({ orderType: "STOP_LIMIT", session: "NORMAL", price: p, stopPrice: p })).toEqual([])
  })

  it("extended hours take limit orders only", () => {
    for (const session of ["AM", "PM", "SEAMLESS"] as const) {
      expect(fields({ orderType: "LIMIT", session, price: dec("1") })).toEqual([])
      expect(fields({ orderType: "MARKET", session })).toEqual(["session"])
      expect(fields({ orderType: "STOP", session, stopPrice: dec("1") })).toEqual(["session"])
    }
  })

  it("a price is plain positive decimal text on Rule 612's tick, never a float's text", () => {
    for (const ok of ["150.25", "1", "1.00", "0.5123", "0.0001", "9999999.99", "10000000"])
      expect(D.format(parseOrderPrice(ok) as D.Decimal)).toBe(D.format(dec(ok)))
    const refused = [
      "0",
      "0.00",
      "-1",
      "1e2",
      "1.5e-3",
      "",
      " 1",
      "1.",
      ".5",
      "+1",
      "150.255",
      "1.001",
      "0.00001",
      "10000000.01",
      "NaN",
      "0x10"
    ]
    for (const bad of refused) expect(typeof parseOrderPrice(bad)).toBe("string")
  })

  it("property: a price in whole cents from $1, or hundredths of a cent below, is taken exactly", () => {
    const cents = fc.bigInt({ min: 100n, max: 1_000_000_000n }).map((u) => D.make(u, 2))
    const subDollar = fc.bigInt({ min: 1n, max: 9_999n }).map((u) => D.make(u, 4))
    fc.assert(
      fc.property(fc.oneof(cents, subDollar), (d) => {
        const parsed = parseOrderPrice(D.format(d))
        expect(typeof parsed).toBe("object")
        expect(D.equals(parsed as D.Decimal, d)).toBe(true)
      }),
      runs
    )
  })

  it("property: a finer price than the tick is always refused", () => {
    const fine = fc
      .tuple(fc.bigInt({ min: 100_000n, max: 100_000_000n }), fc.integer({ min: 1, max: 9 }))
      .map(([u, d]) => D.make(u * 10n + BigInt(d), 3))
    fc.assert(
      fc.property(fine, (d) => {
        expect(typeof parseOrderPrice(D.format(d))).toBe("string")
      }),
      runs
    )
  })
})
