import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { Instant, OrderId, TickerSymbol } from "../src/ids.js"
import { intentCandidates, resolveIntent } from "../src/intentResolution.js"
import type { WireWord } from "../src/OrderRequest.js"
import type { SchwabOrder } from "../src/SchwabOrder.js"
import { numRuns } from "./testing/arbitraries.js"
import { at, dec, EXECUTION_ID, leg, order, orderId, placementRequested } from "./testing/build.js"

const runs = { numRuns: numRuns(100) }

/** The intent: 100 AAPL BUY at market, requested at 17:00:00. */
const intent = placementRequested({ referencePrice: dec("150.25") })
const candidate = (id: string, overrides: Partial<SchwabOrder> = {}) =>
  order({ orderId: orderId(id), enteredTime: at("17:00:01"), orderType: "MARKET", ...overrides })
const none = new Set<string>()
const offset = (ms: number): Instant => new Date(Date.parse(at("17:00:00")) + ms).toISOString() as Instant

describe("intent resolution", () => {
  it("one match is the order: Submitted with the intent's account, order, time and reference price", () => {
    const listed = [
      candidate("2001"),
      candidate("2002", { legs: [leg({ instruction: "SELL_SHORT" })] }), // another instruction
      candidate("2003", { legs: [leg({ symbol: "MSFT" as TickerSymbol })] }), // another symbol
      candidate("2004", { quantity: dec("99"), legs: [leg({ quantity: dec("99") })] }), // another quantity
      candidate("2005", { orderType: "LIMIT" }), // another type
      candidate("2006", { legs: [leg(), leg({ legId: "2" })] }), // two legs
      candidate("2007", { enteredTime: at("16:59:54") }), // before the request, past the skew
      candidate("2008", { enteredTime: at("17:02:01") }) // after the window
    ]
    expect(resolveIntent(intent, { listed, followed: none }, at("17:00:30"))).toEqual({
      _tag: "Found",
      orderId: "2001",
      submitted: {
        type: "Submitted",
        executionId: EXECUTION_ID,
        orderId: "2001",
        accountHash: intent.accountHash,
        symbol: intent.order.symbol,
        shares: intent.order.shares,
        direction: "BUY",
        submittedAt: intent.requestedAt,
        referencePrice: dec("150.25")
      }
    })
  })

  it("a lost LIMIT answer is never matched to a MARKET order, nor to a limit at another price or duration", () => {
    const limit = placementRequested({
      order: {
        ...intent.order,
        orderType: "LIMIT" as WireWord,
        price: dec("150.25"),
        duration: "GOOD_TILL_CANCEL" as WireWord
      }
    })
    const listed = [
      candidate("2001"), // the MARKET order of the same symbol, side and size
      candidate("2002", { orderType: "LIMIT", price: dec("150.26"), duration: "GOOD_TILL_CANCEL" }),
      candidate("2003", { orderType: "LIMIT", price: dec("150.25"), duration: "DAY" }),
      candidate("2004", { orderType: "LIMIT", price: dec("150.250"), duration: "GOOD_TILL_CANCEL" })
    ]
    expect(intentCandidates(limit, { listed, followed: none })).toEqual(["2004"])
    // And the MARKET intent does not take the limit order either.
    expect(intentCandidates(intent, { listed: listed.slice(1), followed: none })).toEqual([])
  })

  it("the quantity is compared exactly, from the order or its one leg", () => {
    const { quantity: _, ...noTop } = candidate("2001")
    expect(intentCandidates(intent, { listed: [noTop], followed: none })).toEqual(["2001"])
    const legOnly = { ...noTop, legs: [leg({ quantity: dec("100.000") })] }
    expect(intentCandidates(intent, { listed: [legOnly], followed: none })).toEqual(["2001"])
    const fraction = { ...noTop, legs: [leg({ quantity: dec("100.5") })] }
    expect(intentCandidates(intent, { listed: [fraction], followed: none })).toEqual([])
  })

  it("none waits until the window is over, then ends the intent as not placed, with no order id", () => {
    const search = { listed: [candidate("2001", { orderType: "LIMIT" })], followed: none, windowMs: 60_000 }
    expect(resolveIntent(intent, search, at("17:01:00"))).toEqual({ _tag: "NotYet" })
    const r = resolveIntent(intent, search, at("17:01:01"))
    expect(r).toMatchObject({
      _tag: "NotPlaced",
      failed: {
        type: "Failed",
        executionId: EXECUTION_ID,
        filledShares: dec("0"),
        legs: [],
        failedAt: at("17:01:01")
      }
    })
    expect(r._tag === "NotPlaced" && r.failed.reason).toMatch(/^not placed: .* within 60 s/)
    expect(r._tag === "NotPlaced" && "orderId" in r.failed).toBe(false)
    expect(r._tag === "NotPlaced" && "candidateOrderIds" in r.failed).toBe(false)
  })

  it("several fail at once naming every candidate in id order; one followed elsewhere is never chosen", () => {
    const listed = [candidate("2002"), candidate("10000"), candidate("2001")]
    const r = resolveIntent(intent, { listed, followed: none }, at("17:00:10"))
    expect(r).toMatchObject({
      _tag: "Ambiguous",
      candidates: ["2001", "2002", "10000"],
      failed: { candidateOrderIds: ["2001", "2002", "10000"] }
    })
    expect(r._tag === "Ambiguous" && r.failed.reason).toMatch(/3 orders .*2001, 2002, 10000/)
    expect(
      resolveIntent(intent, { listed, followed: new Set(["2001", "10000"]) }, at("17:00:10"))
    ).toMatchObject({ _tag: "Found", orderId: "2002" })
  })

  describe("properties", () => {
    const TRUE_ID = "5000000001" as OrderId
    /** Orders that are never the intent's: wrong time, side, symbol, quantity, type or legs, or followed. */
    const noise = fc.record({
      id: fc.integer({ min: 6_000_000_000, max: 6_999_999_999 }).map(String),
      kind: fc.constantFrom("late", "early", "side", "symbol", "quantity", "type", "legs", "followed"),
      offsetMs: fc.integer({ min: 1, max: 3_600_000 })
    })
    const noisy = (n: { id: string; kind: string; offsetMs: number }): SchwabOrder => {
      switch (n.kind) {
        case "late":
          return candidate(n.id, { enteredTime: offset(120_000 + n.offsetMs) })
        case "early":
          return candidate(n.id, { enteredTime: offset(-5_000 - n.offsetMs) })
        case "side":
          return candidate(n.id, { legs: [leg({ instruction: "BUY_TO_COVER" })] })
        case "symbol":
          return candidate(n.id, { legs: [leg({ symbol: "AAPL1" as TickerSymbol })] })
        case "quantity":
          return candidate(n.id, { quantity: dec(String(100 + n.offsetMs)) })
        case "type":
          return candidate(n.id, { orderType: "LIMIT" })
        case "legs":
          return candidate(n.id, { legs: [leg(), leg({ legId: "2", symbol: "MSFT" as TickerSymbol })] })
        default:
          return candidate(n.id)
      }
    }
    const followedIds = (ns: ReadonlyArray<{ id: string; kind: string }>) =>
      new Set(ns.filter((n) => n.kind === "followed").map((n) => n.id))

    it("the one true order is found whatever the list order and the noise around it", () => {
      fc.assert(
        fc.property(
          fc.array(noise, { maxLength: 30 }),
          fc.integer({ min: -5_000, max: 120_000 }),
          fc.nat(),
          (ns, enteredMs, seed) => {
            const listed = ns.map(noisy)
            listed.splice(
              seed % (listed.length + 1),
              0,
              candidate(TRUE_ID, { enteredTime: offset(enteredMs) })
            )
            expect(
              resolveIntent(intent, { listed, followed: followedIds(ns) }, offset(130_000))
            ).toMatchObject({
              _tag: "Found",
              orderId: TRUE_ID
            })
          }
        ),
        runs
      )
    })

    it("an order followed elsewhere is never chosen, and nothing but noise is never a match", () => {
      fc.assert(
        fc.property(fc.array(noise, { maxLength: 30 }), fc.integer({ min: 0, max: 600_000 }), (ns, nowMs) => {
          const followed = followedIds(ns)
          const r = resolveIntent(intent, { listed: ns.map(noisy), followed }, offset(nowMs))
          expect(r._tag).toBe(nowMs <= 120_000 ? "NotYet" : "NotPlaced")
        }),
        runs
      )
    })

    it("ties fail naming every candidate, whatever the order", () => {
      fc.assert(
        fc.property(
          fc.uniqueArray(fc.integer({ min: 7_000_000_000, max: 7_999_999_999 }).map(String), {
            minLength: 2,
            maxLength: 8
          }),
          fc.array(noise, { maxLength: 10 }),
          (ids, ns) => {
            const listed = [...ns.map(noisy), ...ids.map((id) => candidate(id))].reverse()
            const r = resolveIntent(intent, { listed, followed: followedIds(ns) }, at("17:00:30"))
            expect(r).toMatchObject({ _tag: "Ambiguous", candidates: [...ids].sort() })
          }
        ),
        runs
      )
    })
  })
})
