import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  Instant,
  isNearNow,
  MAX_ORDER_SHARES,
  OrderId,
  OrderShares,
  OrderSymbol,
  PositiveOrderId,
  SUBMITTED_AT_WINDOW_MS
} from "../src/ids.js"
import { numRuns } from "./testing/arbitraries.js"

const digits = (n: number, max: number) => fc.integer({ min: 0, max }).map((v) => String(v).padStart(n, "0"))

describe("Instant", () => {
  // The check reads the digits instead of calling Date.parse; it must accept exactly what
  // Date.parse accepts on text of the ISO shape, out-of-range fields included.
  it("accepts a YYYY-MM-DDTHH:mm:ss.sssZ text exactly when Date.parse does", () => {
    const field = (max: number) => fc.oneof(digits(2, max), digits(2, 99))
    fc.assert(
      fc.property(
        digits(4, 9999),
        field(12),
        field(31),
        field(24),
        field(59),
        field(59),
        fc.oneof(fc.constant("000"), digits(3, 999)),
        (y, mo, d, h, mi, s, ms) => {
          const text = `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`
          expect(Instant.is(text)).toBe(!Number.isNaN(Date.parse(text)))
        }
      ),
      { numRuns: numRuns(5000) }
    )
  })

  it("takes 24:00:00.000 as midnight but no later time in hour 24, and ignores month lengths as Date.parse does", () => {
    expect(Instant.is("2026-01-31T24:00:00.000Z")).toBe(true)
    expect(Instant.is("2026-01-31T24:00:00.001Z")).toBe(false)
    expect(Instant.is("2026-01-31T24:01:00.000Z")).toBe(false)
    expect(Instant.is("2026-02-30T00:00:00.000Z")).toBe(!Number.isNaN(Date.parse("2026-02-30T00:00:00.000Z")))
    expect(Instant.is("2026-13-01T00:00:00.000Z")).toBe(false)
    expect(Instant.is("2026-01-01T00:00:00Z")).toBe(false)
    expect(Instant.is("2026-01-01 00:00:00.000Z")).toBe(false)
  })
})

describe("OrderId", () => {
  it("is 1 to 19 digits within int64, with or without the BigInt shortcut for short ids", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{0,21}$/), (s) => {
        const expected = /^[0-9]{1,19}$/.test(s) && BigInt(s) <= 9223372036854775807n
        expect(OrderId.is(s)).toBe(expected)
      }),
      { numRuns: numRuns(2000) }
    )
    expect(OrderId.is("9223372036854775807")).toBe(true)
    expect(OrderId.is("9223372036854775808")).toBe(false)
    expect(OrderId.is("0000000000000000001")).toBe(true)
  })
})

describe("PositiveOrderId", () => {
  it("is an OrderId with a non-zero digit: 0 and 000 are refused, int64's maximum is not", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{0,21}$/), (s) => {
        expect(PositiveOrderId.is(s)).toBe(OrderId.is(s) && BigInt(s) > 0n)
      }),
      { numRuns: numRuns(2000) }
    )
    expect(PositiveOrderId.is("0")).toBe(false)
    expect(PositiveOrderId.is("000")).toBe(false)
    expect(PositiveOrderId.is("1")).toBe(true)
    expect(PositiveOrderId.is("9223372036854775807")).toBe(true)
  })
})

describe("OrderShares", () => {
  const sharesOf = (text: string) => OrderShares.decode(text)._tag === "Right"

  it("is a whole number from 1 to MAX_ORDER_SHARES", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.bigInt({ min: -5n, max: 2n * MAX_ORDER_SHARES }),
          fc.bigInt({ min: MAX_ORDER_SHARES - 5n, max: MAX_ORDER_SHARES + 5n }),
          fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n })
        ),
        (n) => {
          expect(sharesOf(n.toString())).toBe(n >= 1n && n <= MAX_ORDER_SHARES)
        }
      ),
      { numRuns: numRuns(2000) }
    )
    expect(sharesOf(MAX_ORDER_SHARES.toString())).toBe(true)
    expect(sharesOf((MAX_ORDER_SHARES + 1n).toString())).toBe(false)
    for (const bad of ["0", "-1", "1.5", "1e100", (10n ** 30n).toString(), "", " 1", "Infinity", "NaN"])
      expect(sharesOf(bad), bad).toBe(false)
  })
})

describe("OrderSymbol", () => {
  it("takes equities, indexes, futures and OCC options as Schwab writes them", () => {
    for (const good of [
      "AAPL",
      "F",
      "BRK.B",
      "BRK/B",
      "$SPX",
      "/ES",
      "SPY   250919C00500000",
      "GOOGL 260116P00150000"
    ])
      expect(OrderSymbol.is(good), good).toBe(true)
  })

  it("refuses lower case, spaces outside an option's padding and malformed options", () => {
    for (const bad of [
      "",
      "aapl",
      "AAPL ",
      " AAPL",
      "AA PL",
      "SPY 250919C00500000",
      "SPY   250919X00500000",
      "SPY   25091C00500000",
      "ABCDEFGHIJKLMNOP"
    ])
      expect(OrderSymbol.is(bad), JSON.stringify(bad)).toBe(false)
  })

  it("refuses any control, bidi, zero-width or other non-ASCII character anywhere in a good symbol", () => {
    const hostile = fc.oneof(
      fc.integer({ min: 0, max: 0x1f }),
      fc.constant(0x7f),
      fc.integer({ min: 0x80, max: 0x9f }),
      fc.constantFrom(0x200b, 0x200c, 0x200d, 0x2060, 0xfeff, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e),
      fc.integer({ min: 0x2066, max: 0x2069 }),
      fc.integer({ min: 0xa0, max: 0x10ffff }).filter((c) => c < 0xd800 || c > 0xdfff)
    )
    fc.assert(
      fc.property(
        fc.constantFrom("AAPL", "BRK.B", "$SPX", "SPY   250919C00500000"),
        hostile,
        fc.nat(),
        (symbol, code, at) => {
          const i = at % (symbol.length + 1)
          const text = symbol.slice(0, i) + String.fromCodePoint(code) + symbol.slice(i)
          expect(OrderSymbol.is(text)).toBe(false)
        }
      ),
      { numRuns: numRuns(3000) }
    )
    expect(OrderSymbol.is("AAPL\u0000")).toBe(false)
    expect(OrderSymbol.is("\u001b[31mAAPL")).toBe(false)
    expect(OrderSymbol.is("\u001b]8;;http://x\u0007AAPL")).toBe(false)
  })
})

describe("isNearNow", () => {
  const now = new Date("2026-12-02T12:00:00.000Z")

  it("holds within a day either way, and not a millisecond past it", () => {
    fc.assert(
      fc.property(fc.integer({ min: -3 * SUBMITTED_AT_WINDOW_MS, max: 3 * SUBMITTED_AT_WINDOW_MS }), (d) => {
        expect(isNearNow(new Date(now.getTime() + d), now)).toBe(Math.abs(d) <= SUBMITTED_AT_WINDOW_MS)
      }),
      { numRuns: numRuns(2000) }
    )
    expect(isNearNow(new Date("0001-01-01T00:00:00.000Z"), now)).toBe(false)
    expect(isNearNow(new Date("2999-01-01T00:00:00.000Z"), now)).toBe(false)
  })
})
