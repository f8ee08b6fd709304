import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as D from "../src/Decimal.js"
import { executionTotals, filledPerLeg, summarizeLegs, totalsOf, UNASSIGNED_LEG } from "../src/fills.js"
import type { TickerSymbol } from "../src/ids.js"
import { numRuns, price, quantity } from "./testing/arbitraries.js"
import { dec, leg, legFilled } from "./testing/build.js"

describe("totalsOf", () => {
  it("is exact and rounds cents once, from the exact ratio", () => {
    expect(
      totalsOf([
        { quantity: dec("1"), price: dec("150.24") },
        { quantity: dec("1"), price: dec("150.25") }
      ])
    ).toEqual({
      filledQuantity: dec("2"),
      notional: dec("300.49"),
      averagePrice: dec("150.245"),
      priceCents: 15025n
    })
    expect(totalsOf([])).toEqual({ filledQuantity: D.zero, notional: D.zero })
  })

  it("the average lies between the lowest and highest price, and so do its cents", () => {
    const fills = fc.array(fc.record({ quantity, price }), { minLength: 1, maxLength: 12 })
    fc.assert(
      fc.property(fills, (fs) => {
        const t = totalsOf(fs)
        const lo = fs.map((f) => f.price).reduce(D.min)
        const hi = fs.map((f) => f.price).reduce(D.max)
        if (t.averagePrice === undefined || t.priceCents === undefined)
          throw new Error("fills have an average")
        expect(D.compare(lo, t.averagePrice) <= 0 && D.compare(t.averagePrice, hi) <= 0).toBe(true)
        expect(t.priceCents >= D.toCents(lo) && t.priceCents <= D.toCents(hi)).toBe(true)
        expect(t.priceCents).toBe(D.centsOfRatio(t.notional, t.filledQuantity))
      }),
      { numRuns: numRuns(200) }
    )
  })
})

describe("per-leg aggregation", () => {
  const legs = [
    leg({ legId: "1", instruction: "BUY_TO_OPEN", quantity: dec("1"), symbol: "SPY C500" as TickerSymbol }),
    leg({ legId: "2", instruction: "SELL_TO_OPEN", quantity: dec("1"), symbol: "SPY C505" as TickerSymbol })
  ]
  const fills = [
    legFilled("3:0", "1", "1.20", "17:15:00", { legId: "2" }),
    legFilled("1:0", "1", "3.10", "17:15:00", { legId: "1" })
  ].map(({ symbol: _s, instruction: _i, ...f }) => f)

  it("groups by order leg in order-leg order, with the order leg's symbol and instruction", () => {
    expect(summarizeLegs(fills, legs)).toEqual([
      {
        legId: "1",
        filledQuantity: dec("1"),
        notional: dec("3.1"),
        averagePrice: dec("3.1"),
        priceCents: 310n,
        symbol: "SPY C500",
        instruction: "BUY_TO_OPEN"
      },
      {
        legId: "2",
        filledQuantity: dec("1"),
        notional: dec("1.2"),
        averagePrice: dec("1.2"),
        priceCents: 120n,
        symbol: "SPY C505",
        instruction: "SELL_TO_OPEN"
      }
    ])
  })

  it("keeps a multi-leg fill without legId apart instead of guessing its leg", () => {
    const { legId: _, ...anonymous } = legFilled("4:0", "1", "2", "17:16:00")
    const perLeg = filledPerLeg([...fills, anonymous], legs)
    expect([...perLeg.entries()]).toEqual([
      ["1", dec("1")],
      ["2", dec("1")],
      [UNASSIGNED_LEG, dec("1")]
    ])
  })

  it("a single-leg order puts every fill on its one leg, whatever legId the fill names", () => {
    const single = [leg()]
    const summaries = summarizeLegs(
      [legFilled("1:0", "1", "10", "17:15:00", { legId: "7" }), legFilled("2:0", "1", "12", "17:16:00")],
      single
    )
    expect(summaries.map((s) => [s.legId, D.format(s.filledQuantity), D.format(s.averagePrice)])).toEqual([
      ["1", "2", "11"]
    ])
  })

  it("a spread's top level is spread units and the net per unit, never quantities summed across legs", () => {
    const totals = executionTotals(fills, { legs, filledQuantity: dec("1") })
    expect(totals).toEqual({
      filledQuantity: dec("1"),
      notional: dec("1.9"),
      averagePrice: dec("1.9"),
      priceCents: 190n
    })
    expect(executionTotals(fills, { legs }, dec("1")).filledQuantity).toEqual(dec("1"))
    expect(executionTotals(fills, { legs })).toEqual({ filledQuantity: D.zero, notional: dec("1.9") })
  })

  it("a snapshot claiming more units than its legs executed is bounded by the recorded fills", () => {
    const totals = executionTotals(fills, { legs, filledQuantity: dec("1000000000000000000000") }, dec("1"))
    expect(totals.filledQuantity).toEqual(dec("1"))
    expect(totals.priceCents).toBe(190n)
  })
})
