import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { Instant, OrderId } from "../src/ids.js"
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
