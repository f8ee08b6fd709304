import fc from "fast-check"
import * as E from "fp-ts/lib/Either.js"
import { describe, expect, it } from "vitest"
import {
  type DecodedOrderList,
  decodeOrder,
  decodeOrderList,
  decodeOrderListValue,
  encodeOrder
} from "../../src/index.js"
import * as F from "../../src/testing/index.js"
import { numRuns, orderForestArb } from "./arbitraries.js"

const ok = (text: string): DecodedOrderList => {
  const r = decodeOrderList(text)
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}

describe("decodeOrderList", () => {
  it("skips broken elements, reports each with its id and path, and keeps the rest in order", () => {
    const { orders, skipped } = ok(F.mixedOrderList)
    expect(orders.map((o) => o.orderId)).toEqual(F.MIXED_LIST_GOOD_ORDER_IDS)
    expect(skipped.map(({ index, orderId, path }) => ({ index, orderId, path }))).toEqual(
      F.MIXED_LIST_BROKEN.map((b) => ({
        index: b.index,
        orderId: "orderId" in b ? b.orderId : undefined,
        path: b.path
      }))
    )
    expect(skipped[0]?.message).toBe(
      'orderActivityCollection.0.executionLegs.1.price: not a decimal number: "abc"'
    )
    expect(skipped[2]).toEqual({
      index: 6,
      path: "<root>",
      message: "<root>: expected an object, got a number"
    })
  })

  it("each good element equals the same order decoded alone", () => {
    const { orders } = ok(F.mixedOrderList)
    expect(orders[0]).toEqual(E.getOrElseW(() => undefined)(decodeOrder(F.oneFillOrder)))
    expect(orders[2]).toEqual(E.getOrElseW(() => undefined)(decodeOrder(F.bracketOrder)))
  })

  it("keeps each decoded order's plain accountNumber beside it, digits exact, for the all-accounts list", () => {
    const list = ok(
      '[{"orderId":1,"status":"WORKING","accountNumber":9007199254740993},{"orderId":2,"status":"FILLED"},{"orderId":"x"},{"orderId":3,"status":"FILLED","accountNumber":"0042"}]'
    )
    expect(list.orders.map((o) => o.orderId)).toEqual(["1", "2", "3"])
    expect(list.accountNumbers).toEqual(["9007199254740993", undefined, "0042"])
    expect(list.skipped.map((s) => s.index)).toEqual([2])
  })

  it("an empty list is fine", () => {
    expect(ok("[]")).toEqual({ orders: [], skipped: [], accountNumbers: [] })
  })

  it("a body that is not an array, or not JSON, is a Left with a message", () => {
    expect(decodeOrderList(F.notAnArrayList)).toEqual(
      E.left({ _tag: "OrderListDecodeError", message: "expected a JSON array of orders, got object" })
    )
    expect(decodeOrderListValue(null)).toEqual(
      E.left({ _tag: "OrderListDecodeError", message: "expected a JSON array of orders, got null" })
    )
    const truncated = decodeOrderList(`[${F.truncatedOrder}`)
    expect(E.isLeft(truncated) && truncated.left.message).toMatch(/^not valid JSON: .* at position \d+$/)
  })

  const brokenArb = fc.constantFrom(
    F.badPriceOrder,
    F.badTimeOrder,
    F.negativeQuantityOrder,
    F.badNestedOrder,
    "42",
    "null",
    '"order"',
    "[]",
    '{"orderId": 5, "status": "FILLED", "quantity": "x"}',
    '{"status": {"value": "FILLED"}}'
  )

  it("property: a list with k broken elements yields exactly the others", () => {
    fc.assert(
      fc.property(
        orderForestArb,
        fc.array(fc.tuple(fc.nat(), brokenArb), { maxLength: 4 }),
        (good, broken) => {
          const elements: Array<{ text: string; broken: boolean }> = good.map((o) => ({
            text: encodeOrder(o),
            broken: false
          }))
          for (const [at, text] of broken)
            elements.splice(at % (elements.length + 1), 0, { text, broken: true })
          const list = ok(`[${elements.map((e) => e.text).join(",")}]`)
          expect(list.orders).toEqual(good)
          expect(list.skipped.map((s) => s.index)).toEqual(elements.flatMap((e, i) => (e.broken ? [i] : [])))
          for (const s of list.skipped) expect(s.message.startsWith(`${s.path}: `)).toBe(true)
        }
      ),
      { numRuns }
    )
  })

  it("property: never throws on arbitrary text or JSON values", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify(v))
        ),
        (text) => {
          const r = decodeOrderList(text)
          expect(E.isLeft(r) ? r.left.message.length > 0 : Array.isArray(r.right.orders)).toBe(true)
        }
      ),
      { numRuns }
    )
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 5 }), (values) => {
        const r = decodeOrderListValue(values)
        expect(E.isRight(r) && r.right.orders.length + r.right.skipped.length).toBe(values.length)
      }),
      { numRuns }
    )
  })
})
