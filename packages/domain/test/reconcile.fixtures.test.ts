/**
 * Realistic Schwab bodies (test/fixtures) through decodeOrder / findOrder into reconcile:
 * the numbers a real response gives, to the cent.
 */
import * as E from "fp-ts/lib/Either.js"
import { describe, expect, it } from "vitest"
import * as D from "../src/Decimal.js"
import type { TradeEvent } from "../src/Events.js"
import { fold } from "../src/evolve.js"
import type { OrderId, Shares } from "../src/ids.js"
import { reconcile } from "../src/reconcile.js"
import type { SchwabOrder } from "../src/SchwabOrder.js"
import { decodeOrder, encodeOrder } from "../src/schwab/OrderCodec.js"
import { findOrder } from "../src/schwab/OrderTree.js"
import * as F from "../src/testing/index.js"
import { at, dec, NOW, submitted } from "./testing/build.js"

const decoded = (text: string): SchwabOrder => {
  const result = decodeOrder(text)
  if (E.isLeft(result)) throw new Error(`fixture does not decode: ${JSON.stringify(result.left)}`)
  return result.right
}

/** Submits `orderId`, reconciles the snapshot, and checks that seeing it again yields nothing. */
const run = (orderId: string, snapshot: SchwabOrder, shares = "1"): ReadonlyArray<TradeEvent> => {
  const sub = submitted({ orderId: orderId as OrderId, shares: dec(shares) as Shares })
  const result = reconcile(fold([sub]), snapshot, NOW)
  if (E.isLeft(result)) throw new Error(result.left.message)
  expect(reconcile(fold([sub, ...result.right]), snapshot, NOW)).toEqual(E.right([]))
  return result.right
}

const only = <T extends TradeEvent["type"]>(events: ReadonlyArray<TradeEvent>, type: T) =>
  events.filter((e): e is Extract<TradeEvent, { type: T }> => e.type === type)

describe("reconcile on realistic Schwab bodies", () => {
  it("one fill: an id above 2^53 and a four-decimal price, exact", () => {
    const events = run(F.ONE_FILL_ORDER_ID, decoded(F.oneFillOrder), "3")
    expect(only(events, "LegFilled")).toEqual([
      expect.objectContaining({
        orderId: F.ONE_FILL_ORDER_ID,
        fillKey: `${F.ONE_FILL_ACTIVITY_ID}:0`,
        activityId: F.ONE_FILL_ACTIVITY_ID,
        quantity: dec("3"),
        price: dec("22.7299"),
        executedAt: at("17:15:18"),
        symbol: "F",
        instruction: "BUY"
      })
    ])
    expect(only(events, "Filled")[0]).toMatchObject({
      filledShares: dec("3"),
      notional: dec("68.1897"),
      averagePrice: dec("22.7299"),
      priceCents: 2273n,
      closedAt: at("17:15:18")
    })
  })

  it("several fills listed out of time order are recorded by broker time", () => {
    const events = run(F.SEVERAL_FILLS_ORDER_ID, decoded(F.severalFillsOrder), "100")
    expect(only(events, "LegFilled").map((f) => [D.format(f.quantity), D.format(f.price)])).toEqual([
      ["35", "227.12"],
      ["40", "227.1"],
      ["25", "227.115"]
    ])
    // 35×227.12 + 40×227.1 + 25×227.115 = 22711.075
    expect(only(events, "Filled")[0]).toMatchObject({
      filledShares: dec("100"),
      notional: dec("22711.075"),
      averagePrice: dec("227.11075"),
      priceCents: 22711n
    })
  })

  it("partial then cancel: the CANCELED execution at 0.0 is not a fill; the 4 shares keep their price", () => {
    const events = run(F.PARTIAL_THEN_CANCELED_ORDER_ID, decoded(F.partialThenCanceledOrder), "10")
    expect(events.map((e) => e.type)).toEqual(["LegFilled", "Failed"])
    expect(only(events, "Failed")[0]).toMatchObject({
      orderId: F.PARTIAL_THEN_CANCELED_ORDER_ID,
      brokerStatus: "CANCELED",
      filledShares: dec("4"),
      averagePrice: dec("182.5311"),
      priceCents: 18253n,
      failedAt: at("15:09:40")
    })
  })

  it("rejected: the description is the reason, the entered time the failure time", () => {
    expect(run(F.REJECTED_ORDER_ID, decoded(F.rejectedOrder), "50")).toEqual([
      expect.objectContaining({
        type: "Failed",
        brokerStatus: "REJECTED",
        reason: F.REJECTED_DESCRIPTION,
        filledShares: dec("0"),
        failedAt: at("13:31:05"),
        legs: []
      })
    ])
  })

  it("expired unfilled fails with a reason naming the status", () => {
    expect(run(F.EXPIRED_ORDER_ID, decoded(F.expiredOrder), "5")).toEqual([
      expect.objectContaining({
        type: "Failed",
        brokerStatus: "EXPIRED",
        reason: "Schwab reported the order EXPIRED"
      })
    ])
  })

  it("replaced: names the replacement from replacingOrderCollection", () => {
    expect(run(F.REPLACED_ORDER_ID, decoded(F.replacedOrder), "20")).toEqual([
      expect.objectContaining({
        type: "Replaced",
        orderId: F.REPLACED_ORDER_ID,
        replacementOrderId: F.REPLACEMENT_ORDER_ID,
        replacedAt: at("16:04:12")
      })
    ])
  })

  it("UNKNOWN and an unlisted status decide nothing", () => {
    expect(run(F.UNKNOWN_STATUS_ORDER_ID, decoded(F.unknownStatusOrder))).toEqual([])
    expect(run(F.UNLISTED_STATUS_ORDER_ID, decoded(F.unlistedStatusOrder), "2")).toEqual([])
  })

  it('quantities as 3.0 and "3" and prices as strings give the same exact numbers', () => {
    const events = run(F.NUMERIC_STRINGS_ORDER_ID, decoded(F.numericStringsOrder), "3")
    // "1" @ 110.5025 + 2 @ 110.51 = 331.5225 over 3 = 110.5075, half-up to 11051 cents
    expect(only(events, "Filled")[0]).toMatchObject({
      filledShares: dec("3"),
      notional: dec("331.5225"),
      averagePrice: dec("110.5075"),
      priceCents: 11051n
    })
  })

  it("a vertical spread filled in pieces, one leg split across two executions: per-leg numbers", () => {
    const events = run(F.VERTICAL_SPREAD_ORDER_ID, decoded(F.verticalSpreadOrder), "3")
    expect(only(events, "LegFilled")).toHaveLength(5)
    const filled = only(events, "Filled")[0]
    expect(filled?.legs).toEqual([
      {
        legId: "1",
        filledQuantity: dec("3"),
        notional: dec("20.58"),
        averagePrice: dec("6.86"),
        priceCents: 686n,
        symbol: F.SPREAD_LONG_LEG_SYMBOL,
        instruction: "BUY_TO_OPEN"
      },
      {
        legId: "2",
        filledQuantity: dec("3"),
        notional: dec("12.32"),
        averagePrice: dec("4.106666666667"),
        priceCents: 411n,
        symbol: F.SPREAD_SHORT_LEG_SYMBOL,
        instruction: "SELL_TO_OPEN"
      }
    ])
    // three spreads (not six "shares"), net debit 20.58 − 12.32 = 8.26, 2.7533… per spread
    expect(filled).toMatchObject({
      filledShares: dec("3"),
      notional: dec("8.26"),
      averagePrice: dec("2.753333333333"),
      priceCents: 275n
    })
  })

  it("a followed order found inside a TRIGGER tree has its own numbers, the same as given alone", () => {
    const child = findOrder([decoded(F.triggerOrder)], F.TRIGGER_CHILD_ORDER_ID)
    if (child === undefined) throw new Error("the trigger's child is in the tree")
    const events = run(F.TRIGGER_CHILD_ORDER_ID, child, "10")
    expect(events.map((e) => e.type)).toEqual(["LegFilled"])
    expect(only(events, "LegFilled")[0]).toMatchObject({ quantity: dec("4"), price: dec("415.2501") })
    expect(run(F.TRIGGER_CHILD_ORDER_ID, decoded(encodeOrder(child)), "10")).toEqual(events)
  })

  it("a bracket's take-profit three levels down closes as Filled", () => {
    const takeProfit = findOrder([decoded(F.bracketOrder)], F.BRACKET_TAKE_PROFIT_ORDER_ID)
    if (takeProfit === undefined) throw new Error("the take-profit is in the tree")
    const events = run(F.BRACKET_TAKE_PROFIT_ORDER_ID, takeProfit, "2")
    expect(only(events, "Filled")[0]).toMatchObject({ filledShares: dec("2"), priceCents: 21025n })
  })
})
