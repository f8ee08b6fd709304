import fc from "fast-check"
import * as E from "fp-ts/lib/Either.js"
import { isLosslessNumber, parse, stringify } from "lossless-json"
import { describe, expect, it } from "vitest"
import {
  Decimal as D,
  decodeOrder,
  decodeOrderList,
  decodeOrderValue,
  encodeOrder,
  type OrderDecodeError,
  type SchwabOrder
} from "../../src/index.js"
import * as F from "../../src/testing/index.js"
import { numRuns, orderTreeArb } from "./arbitraries.js"

const ok = (text: string): SchwabOrder => {
  const r = decodeOrder(text)
  if (E.isLeft(r)) throw new Error(`expected to decode: ${r.left.message}`)
  return r.right
}
const bad = (text: string): OrderDecodeError => {
  const r = decodeOrder(text)
  if (E.isRight(r)) throw new Error("expected a decode error")
  return r.left
}
const dec = (d: D.Decimal | undefined): string | undefined => (d === undefined ? undefined : D.format(d))

describe("decodeOrder on realistic bodies", () => {
  it("one fill: every digit of ids above 2^53, four-decimal price, +0000 times", () => {
    const o = ok(F.oneFillOrder)
    expect(o.orderId).toBe(F.ONE_FILL_ORDER_ID)
    // What JSON.parse would have made of it:
    expect(String(JSON.parse(F.oneFillOrder).orderId)).toBe("9007199254740992")
    expect(o.status).toEqual({ _tag: "Known", value: "FILLED" })
    expect([dec(o.quantity), dec(o.filledQuantity), dec(o.remainingQuantity), dec(o.price)]).toEqual([
      "3",
      "3",
      "0",
      "22.75"
    ])
    expect(o.enteredTime).toBe("2025-08-29T17:15:17.000Z")
    expect(o.closeTime).toBe("2025-08-29T17:15:18.000Z")
    expect(o.tag).toBe("API_TDAM:fill-tracker-bot")
    expect(o.orderType).toBe("LIMIT")
    expect(o.orderStrategyType).toBe("SINGLE")
    expect(o.complexOrderStrategyType).toBe("NONE")
    expect(o.legs).toEqual([
      {
        legId: "1",
        instruction: "BUY",
        quantity: D.make(3n),
        symbol: "F",
        assetType: "EQUITY",
        instrumentId: "3051207"
      }
    ])
    expect(o.activities).toEqual([
      {
        activityType: "EXECUTION",
        activityId: F.ONE_FILL_ACTIVITY_ID,
        executionType: "FILL",
        quantity: D.make(3n),
        orderRemainingQuantity: D.zero,
        executionLegs: [
          {
            index: 0,
            legId: "1",
            quantity: D.make(3n),
            mismarkedQuantity: D.zero,
            price: D.make(227299n, 4),
            time: "2025-08-29T17:15:18.000Z",
            instrumentId: "3051207"
          }
        ]
      }
    ])
    expect(o.childOrders).toEqual([])
    expect(o.replacingOrders).toEqual([])
  })

  it("never keeps the account number", () => {
    const o = ok(F.oneFillOrder)
    expect(JSON.stringify(o, (_, v) => (typeof v === "bigint" ? v.toString() : v))).not.toContain("87654321")
    expect(o).not.toHaveProperty("accountNumber")
  })

  it("several fills: activities stay in wire order with their own ids, times normalised to UTC ms", () => {
    const o = ok(F.severalFillsOrder)
    expect(o.orderId).toBe(F.SEVERAL_FILLS_ORDER_ID)
    expect(o.activities.map((a) => a.activityId)).toEqual([
      "9200000000000000002",
      "9200000000000000003",
      "9200000000000000001"
    ])
    expect(o.activities.map((a) => dec(a.orderRemainingQuantity))).toEqual(["25", "0", "65"])
    const legs = o.activities.flatMap((a) => a.executionLegs)
    expect(legs.map((l) => [dec(l.quantity), dec(l.price), l.time])).toEqual([
      ["40", "227.1", "2025-08-29T14:30:02.500Z"],
      ["25", "227.115", "2025-08-29T14:30:03.000Z"],
      ["35", "227.12", "2025-08-29T14:30:01.000Z"]
    ])
  })

  it("partial then cancel: the CANCELED execution at price 0.0 is decoded as it is, with its type", () => {
    const o = ok(F.partialThenCanceledOrder)
    expect(o.orderId).toBe("9223372036854775801")
    expect(o.status).toEqual({ _tag: "Known", value: "CANCELED" })
    expect([dec(o.filledQuantity), dec(o.remainingQuantity)]).toEqual(["4", "6"])
    expect(o.activities.map((a) => [a.executionType, dec(a.executionLegs[0]?.price)])).toEqual([
      ["FILL", "182.5311"],
      ["CANCELED", "0"]
    ])
  })

  it("rejected: statusDescription kept; no activities, closeTime or tag is fine", () => {
    const o = ok(F.rejectedOrder)
    expect(o.status).toEqual({ _tag: "Known", value: "REJECTED" })
    expect(o.statusDescription).toBe(F.REJECTED_DESCRIPTION)
    expect(o.activities).toEqual([])
    expect(o).not.toHaveProperty("closeTime")
    expect(o).not.toHaveProperty("tag")
  })

  it("replaced: the replacement decodes inside replacingOrders", () => {
    const o = ok(F.replacedOrder)
    expect(o.status).toEqual({ _tag: "Known", value: "REPLACED" })
    expect(o.replacingOrders.map((r) => [r.orderId, r.status.value, dec(r.price)])).toEqual([
      [F.REPLACEMENT_ORDER_ID, "WORKING", "159.5"]
    ])
  })

  it("expired, UNKNOWN and an unlisted status all decode", () => {
    expect(ok(F.expiredOrder).status).toEqual({ _tag: "Known", value: "EXPIRED" })
    const unknown = ok(F.unknownStatusOrder)
    expect(unknown.status).toEqual({ _tag: "Known", value: "UNKNOWN" })
    expect(unknown.enteredTime).toBe("2025-08-29T17:15:18.123Z")
    const unlisted = ok(F.unlistedStatusOrder)
    expect(unlisted.status).toEqual({ _tag: "Unlisted", value: "PENDING_SETTLEMENT" })
    expect(unlisted.enteredTime).toBe("2025-08-29T22:00:00.000Z")
  })

  it("numeric strings and 3.0 decode to the same values as numbers", () => {
    const o = ok(F.numericStringsOrder)
    expect(o.orderId).toBe(F.NUMERIC_STRINGS_ORDER_ID)
    expect([dec(o.quantity), dec(o.filledQuantity), dec(o.remainingQuantity), dec(o.price)]).toEqual([
      "3",
      "3",
      "0",
      "110.55"
    ])
    expect(o.legs[0]).toEqual({
      legId: "1",
      instruction: "BUY",
      quantity: D.make(3n),
      symbol: "XOM",
      assetType: "EQUITY",
      instrumentId: "1002955"
    })
    expect(o.activities.map((a) => a.activityId)).toEqual(["9140000000000000001", "9140000000000000002"])
    expect(o.activities.flatMap((a) => a.executionLegs.map((l) => [dec(l.quantity), dec(l.price)]))).toEqual([
      ["1", "110.5025"],
      ["2", "110.51"]
    ])
  })

  it("vertical spread: two legs, executions keep their index and legId (leg 1 twice in one activity)", () => {
    const o = ok(F.verticalSpreadOrder)
    expect(o.complexOrderStrategyType).toBe("VERTICAL")
    expect(o.legs.map((l) => [l.legId, l.instruction, l.symbol, l.assetType])).toEqual([
      ["1", "BUY_TO_OPEN", F.SPREAD_LONG_LEG_SYMBOL, "OPTION"],
      ["2", "SELL_TO_OPEN", F.SPREAD_SHORT_LEG_SYMBOL, "OPTION"]
    ])
    expect(
      o.activities.map((a) => [a.activityId, a.executionLegs.map((l) => [l.index, l.legId, dec(l.price)])])
    ).toEqual([
      [
        "9150000000000000002",
        [
          [0, "1", "6.86"],
          [1, "1", "6.87"],
          [2, "2", "4.11"]
        ]
      ],
      [
        "9150000000000000001",
        [
          [0, "1", "6.85"],
          [1, "2", "4.1"]
        ]
      ]
    ])
  })

  it("TRIGGER: the child decodes with its own numbers, the parent keeps its own", () => {
    const o = ok(F.triggerOrder)
    expect(o.orderStrategyType).toBe("TRIGGER")
    expect(dec(o.filledQuantity)).toBe("10")
    const [child] = o.childOrders
    expect(child?.orderId).toBe(F.TRIGGER_CHILD_ORDER_ID)
    expect([child?.status.value, dec(child?.filledQuantity), dec(child?.remainingQuantity)]).toEqual([
      "WORKING",
      "4",
      "6"
    ])
    expect(dec(child?.activities[0]?.executionLegs[0]?.price)).toBe("415.2501")
  })

  it("OCO shell without quantity or legs, and a bracket whose OCO shell has no status", () => {
    const shell = ok(F.ocoShellOrder)
    expect(shell).not.toHaveProperty("quantity")
    expect(shell.legs).toEqual([])
    expect(shell.childOrders.map((c) => c.orderId)).toEqual([
      F.OCO_TAKE_PROFIT_ORDER_ID,
      F.OCO_STOP_LOSS_ORDER_ID
    ])
    const bracket = ok(F.bracketOrder)
    const oco = bracket.childOrders[0]
    expect(oco?.status).toEqual({ _tag: "Known", value: "UNKNOWN" })
    expect(oco?.childOrders.map((c) => [c.orderId, c.status.value])).toEqual([
      [F.BRACKET_TAKE_PROFIT_ORDER_ID, "FILLED"],
      [F.BRACKET_STOP_ORDER_ID, "CANCELED"]
    ])
    expect(bracket.closeTime).toBe("2025-08-28T14:00:00.250Z")
  })

  it("null reads as absent; unknown fields are ignored", () => {
    const o = ok(
      '{"orderId": 1, "status": "WORKING", "price": null, "orderLegCollection": null, "x": {"y": [1]}, "closeTime": null}'
    )
    expect(o).toEqual({
      orderId: "1",
      status: { _tag: "Known", value: "WORKING" },
      legs: [],
      activities: [],
      replacingOrders: [],
      childOrders: []
    })
  })
})

describe("decodeOrder and prototype keys", () => {
  // io-ts copies a decoded object with Object.assign: before the fix, a `__proto__` key's
  // object became the copy's prototype and its status and legs were read as the order's.
  it("fields under __proto__ or constructor.prototype are not the order's", () => {
    const empty = ok('{"status": null}')
    for (const body of [
      `{"__proto__": ${F.oneFillOrder}}`,
      `{"constructor": {"prototype": ${F.oneFillOrder}}}`,
      `{"prototype": ${F.oneFillOrder}}`,
      `{"\\u005f_proto__": ${F.oneFillOrder}}`
    ]) {
      const o = ok(body)
      expect(o).toEqual(empty)
      expect(o.legs).toEqual([])
    }
  })

  it("a real order with a __proto__ key beside its fields keeps its own fields only", () => {
    const body = F.oneFillOrder.replace(/^\s*\{/, '{"__proto__": {"orderType": "MARKET", "tag": "evil"},')
    const o = ok(body)
    expect(o).toEqual(ok(F.oneFillOrder))
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype)
  })

  it("an order list element wrapped in __proto__ yields no order fields", () => {
    const list = decodeOrderList(`[{"__proto__": ${F.oneFillOrder}}]`)
    expect(E.isRight(list) && list.right.orders.map((o) => [o.orderId, o.legs.length])).toEqual([
      [undefined, 0]
    ])
  })
})

describe("decodeOrder errors name the bad field", () => {
  it.each([
    ["bad price", F.badPriceOrder, F.BAD_PRICE_PATH, 'not a decimal number: "abc"', F.BAD_PRICE_ORDER_ID],
    ["bad time", F.badTimeOrder, F.BAD_TIME_PATH, "not a date-time with offset", F.BAD_TIME_ORDER_ID],
    [
      "negative quantity",
      F.negativeQuantityOrder,
      F.NEGATIVE_QUANTITY_PATH,
      "must not be negative: -5",
      F.NEGATIVE_QUANTITY_ORDER_ID
    ],
    [
      "nested child",
      F.badNestedOrder,
      F.BAD_NESTED_PATH,
      "expected a number, got true",
      F.BRACKET_ENTRY_ORDER_ID
    ]
  ])("%s", (_, text, path, problem, orderId) => {
    const e = bad(text)
    expect(e.path).toBe(path)
    expect(e.message.startsWith(`${path}: ${problem}`)).toBe(true)
    expect(e.orderId).toBe(orderId)
    expect(e.problems).toHaveLength(1)
  })

  it("the example of the brief, word for word", () => {
    expect(bad(F.badPriceOrder).message).toBe(
      'orderActivityCollection.0.executionLegs.1.price: not a decimal number: "abc"'
    )
  })

  it("a truncated body is a JSON error at its position", () => {
    const e = bad(F.truncatedOrder)
    expect(e.path).toBe("<root>")
    expect(e.message).toContain(`position ${F.truncatedOrder.length}`)
    expect(e).not.toHaveProperty("orderId")
  })

  it("never echoes an account number", () => {
    const e = bad('{"orderId": 7, "status": "FILLED", "accountNumber": "87654321X"}')
    expect(e.message).toBe("accountNumber: not a non-negative int64 id")
    expect(JSON.stringify(e)).not.toContain("87654321")
  })

  it("a JSON number, array or null is not an order", () => {
    for (const text of ["42", "[]", "null", '"order"']) expect(bad(text).path).toBe("<root>")
  })

  it("decodeOrderValue reads a value JSON.parse made when ids are small", () => {
    const r = decodeOrderValue({ orderId: 12, status: "FILLED", quantity: 3, price: 22.7299 })
    expect(E.isRight(r) && [r.right.orderId, dec(r.right.price)]).toEqual(["12", "22.7299"])
  })

  it("reports absurd nesting instead of overflowing the stack", () => {
    const depth = 100_000
    const text = `${'{"childOrderStrategies": ['.repeat(depth)}{}${"]}".repeat(depth)}`
    expect(bad(text).message).toContain("nested too deeply")
    let value: unknown = { status: "WORKING" }
    for (let i = 0; i < depth; i++) value = { status: "WORKING", childOrderStrategies: [value] }
    const r = decodeOrderValue(value)
    expect(E.isLeft(r) && r.left.message).toBe("<root>: order nested too deeply to read")
  })
})

describe("properties", () => {
  it("encodeOrder then decodeOrder gives the order back (ids, decimals, times, trees)", () => {
    fc.assert(
      fc.property(orderTreeArb, (o) => {
        expect(decodeOrder(encodeOrder(o))).toEqual(E.right(o))
      }),
      { numRuns }
    )
  })

  it("never throws on arbitrary text or JSON values", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify(v))
        ),
        (text) => {
          const r = decodeOrder(text)
          expect(E.isLeft(r) ? r.left.message.length > 0 : r.right.status !== undefined).toBe(true)
        }
      ),
      { numRuns }
    )
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const r = decodeOrderValue(v)
        expect(E.isLeft(r) || E.isRight(r)).toBe(true)
      }),
      { numRuns }
    )
  })

  const bodies = [
    F.oneFillOrder,
    F.severalFillsOrder,
    F.partialThenCanceledOrder,
    F.verticalSpreadOrder,
    F.triggerOrder,
    F.bracketOrder,
    F.numericStringsOrder
  ]
  const mutationArb = fc.array(
    fc.tuple(
      fc.nat(),
      fc.oneof(fc.constant<"drop">("drop"), fc.jsonValue(), fc.constantFrom("abc", "", "1e999", -1))
    ),
    { minLength: 1, maxLength: 4 }
  )

  /** Every (container, key) in a parsed body, so a mutation can hit any field at any depth. */
  const slots = (
    v: unknown,
    out: Array<[Record<string, unknown> | Array<unknown>, string | number]> = []
  ) => {
    if (Array.isArray(v))
      v.forEach((x, i) => {
        out.push([v, i])
        slots(x, out)
      })
    else if (typeof v === "object" && v !== null && v.constructor === Object)
      for (const [k, x] of Object.entries(v)) {
        out.push([v as Record<string, unknown>, k])
        slots(x, out)
      }
    return out
  }

  it("any JSON number of a realistic body may come as a numeric string instead: same order", () => {
    fc.assert(
      fc.property(fc.constantFrom(...bodies), fc.infiniteStream(fc.boolean()), (text, flips) => {
        const asStrings = (v: unknown): unknown => {
          if (isLosslessNumber(v)) return flips.next().value ? v.value : v
          if (Array.isArray(v)) return v.map(asStrings)
          if (typeof v === "object" && v !== null)
            return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asStrings(x)]))
          return v
        }
        expect(decodeOrderValue(asStrings(parse(text)))).toEqual(decodeOrder(text))
      }),
      { numRuns }
    )
  })

  it("never throws on realistic bodies with fields dropped or replaced", () => {
    fc.assert(
      fc.property(fc.constantFrom(...bodies), mutationArb, (text, mutations) => {
        const value = parse(text)
        for (const [pick, replacement] of mutations) {
          const all = slots(value)
          const slot = all[pick % all.length]
          if (slot === undefined) break
          const [container, key] = slot
          if (replacement === "drop") {
            if (Array.isArray(container)) container.splice(Number(key), 1)
            else delete (container as Record<string, unknown>)[key]
          } else (container as Record<string | number, unknown>)[key] = replacement
        }
        const fromValue = decodeOrderValue(value)
        const fromText = decodeOrder(stringify(value) ?? "")
        // The two may differ: a JS number past 2^53 is refused as a value but is exact as text.
        for (const r of [fromValue, fromText])
          expect(E.isLeft(r) ? r.left.message.startsWith(r.left.path) : r.right.legs.length >= 0).toBe(true)
      }),
      { numRuns }
    )
  })
})
