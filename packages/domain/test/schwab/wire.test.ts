import fc from "fast-check"
import * as E from "fp-ts/lib/Either.js"
import type * as t from "io-ts"
import { LosslessNumber, parse } from "lossless-json"
import { describe, expect, it } from "vitest"
import {
  AccountNumberFromWire,
  brokerTimeFromInstant,
  Decimal as D,
  DecimalFromWire,
  type Instant,
  InstantFromWire,
  Int64IdFromWire,
  instantFromBrokerTime,
  NonNegativeDecimalFromWire,
  OrderIdFromWire
} from "../../src/index.js"
import { decimalArb, instantArb, int64TextArb, numRuns, signedDecimalArb } from "./arbitraries.js"

const value = <A>(codec: t.Type<A, unknown, unknown>, u: unknown): A | string => {
  const r = codec.decode(u)
  return E.isRight(r) ? r.right : `Left: ${r.left.map((e) => e.message).join(", ")}`
}
const decimalText = (u: unknown): string => {
  const r = DecimalFromWire.decode(u)
  return E.isRight(r) ? D.format(r.right) : `Left: ${r.left[0]?.message}`
}
const json = (text: string): unknown => parse(text)

describe("DecimalFromWire", () => {
  it("reads JSON numbers from their text, never through a float", () => {
    expect(decimalText(json("22.7299"))).toBe("22.7299")
    expect(decimalText(json("0.1"))).toBe("0.1")
    expect(decimalText(json("3.0"))).toBe("3")
    expect(decimalText(json("12345678901234567890.123456789"))).toBe("12345678901234567890.123456789")
    expect(decimalText(json("1e-7"))).toBe("0.0000001")
    expect(decimalText(json("-2.5E+3"))).toBe("-2500")
  })

  it("reads numeric strings and safe JS numbers", () => {
    expect(decimalText("3")).toBe("3")
    expect(decimalText("3.0")).toBe("3")
    expect(decimalText("110.5025")).toBe("110.5025")
    expect(decimalText(22.7299)).toBe("22.7299")
    expect(decimalText(150.25)).toBe("150.25")
  })

  it("rejects NaN, infinities, empty and garbage with a message", () => {
    expect(decimalText("")).toBe('Left: not a decimal number: ""')
    expect(decimalText("abc")).toBe('Left: not a decimal number: "abc"')
    expect(decimalText(" 1")).toBe('Left: not a decimal number: " 1"')
    expect(decimalText("NaN")).toBe('Left: not a decimal number: "NaN"')
    expect(decimalText("Infinity")).toBe('Left: not a decimal number: "Infinity"')
    expect(decimalText(Number.NaN)).toBe("Left: not a finite number: NaN")
    expect(decimalText(Number.POSITIVE_INFINITY)).toBe("Left: not a finite number: Infinity")
    expect(decimalText(2 ** 60)).toMatch(/^Left: number .* beyond 2\^53/)
    expect(decimalText(json("1e999"))).toBe('Left: not a decimal number: "1e999"')
    expect(decimalText(true)).toBe("Left: expected a number, got true")
    expect(decimalText(null)).toBe("Left: expected a number, got null")
    expect(decimalText({ value: "1" })).toBe("Left: expected a number, got an object")
  })

  it("the non-negative variant turns away negatives", () => {
    expect(value(NonNegativeDecimalFromWire, json("-0.5"))).toBe("Left: must not be negative: -0.5")
    expect(D.format(value(NonNegativeDecimalFromWire, json("0.0")) as D.Decimal)).toBe("0")
  })

  it("encodes to an exact JSON number", () => {
    const n = DecimalFromWire.encode(D.make(227299n, 4))
    expect(n).toBeInstanceOf(LosslessNumber)
    expect(n.value).toBe("22.7299")
  })

  it("property: a JSON number and the same digits as a string decode to the same decimal", () => {
    fc.assert(
      fc.property(signedDecimalArb, fc.boolean(), (d, trailingZero) => {
        const text = D.format(d) + (trailingZero && d.scale > 0 ? "0" : "")
        const fromNumber = DecimalFromWire.decode(json(text))
        const fromString = DecimalFromWire.decode(text)
        expect(fromNumber).toEqual(E.right(d))
        expect(fromString).toEqual(E.right(d))
      }),
      { numRuns }
    )
  })

  it("property: a plain JS number decodes to the decimal of its shortest text", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }), (n) => {
        const exact = D.fromNumber(n)
        // Tiny doubles such as 5e-324 print with an exponent past what a price can hold.
        if (exact === undefined) expect(E.isLeft(DecimalFromWire.decode(n))).toBe(true)
        else expect(DecimalFromWire.decode(n)).toEqual(E.right(exact))
      }),
      { numRuns }
    )
  })

  it("property: never throws on any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(E.isLeft(DecimalFromWire.decode(v)) || E.isRight(DecimalFromWire.decode(v))).toBe(true)
      }),
      { numRuns }
    )
  })
})

describe("int64 ids", () => {
  it("keep every digit above 2^53, from JSON numbers and digit strings", () => {
    expect(value(OrderIdFromWire, json("9007199254740993"))).toBe("9007199254740993")
    expect(value(OrderIdFromWire, "9223372036854775807")).toBe("9223372036854775807")
    expect(value(Int64IdFromWire, json("1004055538"))).toBe("1004055538")
    expect(value(Int64IdFromWire, 1004055538)).toBe("1004055538")
  })

  it("reject fractions, negatives, exponents, overflow and garbage", () => {
    expect(value(OrderIdFromWire, json("1.5"))).toBe('Left: not a non-negative int64 id: "1.5"')
    expect(value(OrderIdFromWire, json("-1"))).toBe('Left: not a non-negative int64 id: "-1"')
    expect(value(OrderIdFromWire, json("1e3"))).toBe('Left: not a non-negative int64 id: "1e3"')
    expect(value(OrderIdFromWire, "9223372036854775808")).toBe(
      'Left: id is beyond int64: "9223372036854775808"'
    )
    expect(value(OrderIdFromWire, "")).toBe('Left: not a non-negative int64 id: ""')
    expect(value(OrderIdFromWire, 2 ** 60)).toMatch(/beyond 2\^53/)
    expect(value(OrderIdFromWire, false)).toBe("Left: expected a number, got false")
  })

  it("an account number's failures never echo it", () => {
    expect(value(AccountNumberFromWire, json("87654321"))).toBe("87654321")
    expect(value(AccountNumberFromWire, "87654321X")).toBe("Left: not a non-negative int64 id")
    expect(value(AccountNumberFromWire, "9999999999999999999")).toBe("Left: id is beyond int64")
    expect(value(AccountNumberFromWire, 2 ** 60)).toBe("Left: expected an integer id")
  })

  it("property: JSON number and digit string forms agree and round-trip", () => {
    fc.assert(
      fc.property(int64TextArb, (digits) => {
        expect(OrderIdFromWire.decode(json(digits))).toEqual(E.right(digits))
        expect(OrderIdFromWire.decode(digits)).toEqual(E.right(digits))
        expect(OrderIdFromWire.encode(digits as never).value).toBe(digits)
      }),
      { numRuns }
    )
  })
})

describe("broker times", () => {
  it.each([
    ["2025-08-29T17:15:18+0000", "2025-08-29T17:15:18.000Z"],
    ["2025-08-29T17:15:18Z", "2025-08-29T17:15:18.000Z"],
    ["2025-08-29T17:15:18+00:00", "2025-08-29T17:15:18.000Z"],
    ["2025-08-29T17:15:18.5Z", "2025-08-29T17:15:18.500Z"],
    ["2025-08-29T17:15:18.123456789+0000", "2025-08-29T17:15:18.123Z"],
    ["2025-08-29T17:15:18.999999Z", "2025-08-29T17:15:18.999Z"],
    ["2025-08-29T13:15:18-0400", "2025-08-29T17:15:18.000Z"],
    ["2025-08-29T22:45:18+05:30", "2025-08-29T17:15:18.000Z"],
    ["2025-12-31T23:30:00-01:00", "2026-01-01T00:30:00.000Z"],
    ["2024-02-29T00:00:00+01", "2024-02-28T23:00:00.000Z"]
  ])("%s is %s", (wire, iso) => {
    expect(instantFromBrokerTime(wire)).toBe(iso)
    expect(value(InstantFromWire, wire)).toBe(iso)
  })

  it.each([
    "2025-08-29 17:15:18",
    "2025-08-29T17:15:18",
    "2025-02-29T17:15:18Z",
    "2025-13-01T00:00:00Z",
    "2025-08-29T24:00:00Z",
    "2025-08-29T17:60:00Z",
    "2025-08-29T17:15:18+2400",
    "2025-08-29T17:15:18.Z",
    "",
    "yesterday"
  ])("%j is refused", (wire) => {
    expect(instantFromBrokerTime(wire)).toBeUndefined()
    expect(value(InstantFromWire, wire)).toMatch(/^Left: not a date-time with offset/)
  })

  it("a number is not a time", () => {
    expect(value(InstantFromWire, json("1756487718000"))).toBe(
      "Left: expected a date-time string, got an object"
    )
  })

  it("property: an instant written as Schwab writes it reads back unchanged", () => {
    fc.assert(
      fc.property(instantArb, (instant: Instant) => {
        const wire = brokerTimeFromInstant(instant)
        expect(wire).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?\+0000$/)
        expect(instantFromBrokerTime(wire)).toBe(instant)
      }),
      { numRuns }
    )
  })

  it("property: any offset gives the same instant as UTC", () => {
    fc.assert(
      fc.property(
        instantArb,
        fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
        (instant: Instant, offset: number) => {
          const local = new Date(Date.parse(instant) + offset * 60_000).toISOString().slice(0, 23)
          const abs = Math.abs(offset)
          const sign = offset < 0 ? "-" : "+"
          const hh = String(Math.floor(abs / 60)).padStart(2, "0")
          const mm = String(abs % 60).padStart(2, "0")
          expect(instantFromBrokerTime(`${local}${sign}${hh}:${mm}`)).toBe(instant)
          expect(instantFromBrokerTime(`${local}${sign}${hh}${mm}`)).toBe(instant)
        }
      ),
      { numRuns }
    )
  })
})

it("decimalArb only makes non-negative decimals (generator sanity for the order properties)", () => {
  fc.assert(
    fc.property(decimalArb(), (d) => {
      expect(D.isNegative(d)).toBe(false)
    }),
    { numRuns: 50 }
  )
})
