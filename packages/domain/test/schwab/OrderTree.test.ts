import fc from "fast-check"
import * as E from "fp-ts/lib/Either.js"
import { describe, expect, it } from "vitest"
import {
  Decimal as D,
  decodeOrder,
  decodeOrderList,
  encodeOrder,
  findOrder,
  flattenOrders,
  type SchwabOrder
} from "../../src/index.js"
import * as F from "../../src/testing/index.js"
import { numRuns, orderForestArb } from "./arbitraries.js"

const decoded = (text: string): SchwabOrder => {
  const r = decodeOrder(text)
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}

describe("flattenOrders", () => {
  it("lists every order of a bracket, parents before children", () => {
    expect(flattenOrders([decoded(F.bracketOrder)]).map((o) => o.orderId)).toEqual([
      F.BRACKET_ENTRY_ORDER_ID,
      F.BRACKET_OCO_ORDER_ID,
      F.BRACKET_TAKE_PROFIT_ORDER_ID,
      F.BRACKET_STOP_ORDER_ID
    ])
  })

  it("includes replacements", () => {
    expect(flattenOrders([decoded(F.replacedOrder)]).map((o) => o.orderId)).toEqual([
      F.REPLACED_ORDER_ID,
      F.REPLACEMENT_ORDER_ID
    ])
  })

  it("walks a very deep tree without overflowing", () => {
    let o: SchwabOrder = decoded(F.oneFillOrder)
    for (let i = 0; i < 50_000; i++) o = { ...o, childOrders: [o] }
    expect(flattenOrders([o])).toHaveLength(50_001)
  })
})

describe("findOrder", () => {
  it("finds a TRIGGER's child, with its own numbers only", () => {
    const child = findOrder([decoded(F.triggerOrder)], F.TRIGGER_CHILD_ORDER_ID)
    expect(child?.orderId).toBe(F.TRIGGER_CHILD_ORDER_ID)
    expect(child?.filledQuantity && D.format(child.filledQuantity)).toBe("4")
    expect(child?.activities.map((a) => a.activityId)).toEqual(["9160000000000000002"])
  })

  it("finds an order three levels down a bracket, and the OCO shell itself", () => {
    const orders = [decoded(F.oneFillOrder), decoded(F.bracketOrder)]
    expect(findOrder(orders, F.BRACKET_TAKE_PROFIT_ORDER_ID)?.closeTime).toBe("2025-08-29T10:31:07.000Z")
    expect(findOrder(orders, F.BRACKET_OCO_ORDER_ID)?.legs).toEqual([])
    expect(findOrder(orders, F.OCO_STOP_LOSS_ORDER_ID)).toBeUndefined()
  })

  it("finds a replacement inside replacingOrderCollection", () => {
    expect(findOrder([decoded(F.replacedOrder)], F.REPLACEMENT_ORDER_ID)?.status.value).toBe("WORKING")
  })

  it("prefers the shallowest copy of an id", () => {
    const replaced = decoded(F.replacedOrder)
    const topLevelReplacement = { ...replaced.replacingOrders[0]!, tag: "top-level copy" }
    expect(findOrder([replaced, topLevelReplacement], F.REPLACEMENT_ORDER_ID)?.tag).toBe("top-level copy")
  })

  it("property: for any trees, every order is found and equals the same order decoded alone", () => {
    fc.assert(
      fc.property(orderForestArb, fc.nat(), (forest, pick) => {
        const list = decodeOrderList(`[${forest.map(encodeOrder).join(",")}]`)
        if (E.isLeft(list)) throw new Error(list.left.message)
        const all = flattenOrders(forest)
        const target = all[pick % all.length]!
        const found = findOrder(list.right.orders, target.orderId!)
        expect(found).toEqual(decoded(encodeOrder(target)))
        expect(flattenOrders(list.right.orders)).toHaveLength(all.length)
      }),
      { numRuns }
    )
  })
})
