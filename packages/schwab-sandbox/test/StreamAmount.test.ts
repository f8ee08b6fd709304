import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { easternDateTime, streamAmount } from "../src/index.js"
import { averagePrice, product } from "../src/StreamAmount.js"

/** streamer.md §5's rule, in integers: (−1)^(s mod 2) × lo × 10^−floor(s/2), as decimal text. */
const decode = (amount: { lo?: string; signScale?: number }): string => {
  const s = amount.signScale ?? 0
  const digits = (amount.lo ?? "0").padStart(Math.floor(s / 2) + 1, "0")
  const cut = digits.length - Math.floor(s / 2)
  const text = `${digits.slice(0, cut)}.${digits.slice(cut)}`.replace(/\.?0+$/, "").replace(/^0+(?=\d)/, "")
  return s % 2 === 1 && text !== "0" ? `-${text}` : text === "" ? "0" : text
}

const decimalText = fc
  .tuple(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.integer({ min: 0, max: 9 }))
  .map(([units, scale]) => {
    const digits = units.toString().padStart(scale + 1, "0")
    const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`
    return text.includes(".") ? text.replace(/\.?0+$/, "") : text
  })

describe("streamAmount", () => {
  it("writes the real captures' amounts", () => {
    expect(streamAmount("213.4091")).toEqual({ lo: "213409100", signScale: 12 })
    expect(streamAmount("220.47", true)).toEqual({ lo: "220470000", signScale: 13 })
    expect(streamAmount("1")).toEqual({ lo: "1000000", signScale: 12 })
    expect(streamAmount("0")).toEqual({ signScale: 12 })
    expect(streamAmount("0", true)).toEqual({ signScale: 12 })
    expect(streamAmount("0.65")).toEqual({ lo: "650000", signScale: 12 })
  })

  it("keeps every digit past six decimals with a larger scale, never rounding", () => {
    expect(streamAmount("0.000000001")).toEqual({ lo: "1", signScale: 18 })
  })

  it("decodes back to the same value by the spec's rule, either sign", () => {
    fc.assert(
      fc.property(decimalText, fc.boolean(), (text, negative) => {
        const value = decode(streamAmount(text, negative) as { lo?: string; signScale?: number })
        expect(value).toBe(negative && text !== "0" ? `-${text}` : text)
      })
    )
  })
})

describe("money arithmetic in integers", () => {
  it("rounds a principal to cents half up and an average to six decimals", () => {
    expect(product("1", "213.4091", 2)).toBe("213.41")
    expect(product("3", "0.005", 2)).toBe("0.02")
    expect(product("3", "22.7299", 2)).toBe("68.19")
    expect(
      averagePrice([
        { quantity: "2", price: "1" },
        { quantity: "1", price: "2" }
      ])
    ).toBe("1.333333")
    expect(
      averagePrice([
        { quantity: "1", price: "0.0000015" },
        { quantity: "1", price: "0.000002" }
      ])
    ).toBe("0.000002")
    expect(averagePrice([])).toBe("0")
  })
})

describe("easternDateTime", () => {
  it("writes US Eastern wall time, daylight saving included", () => {
    expect(easternDateTime(Date.parse("2024-07-11T15:39:41.893Z"))).toBe("2024-07-11 11:39:41.893")
    expect(easternDateTime(Date.parse("2025-12-09T19:11:00.000Z"))).toBe("2025-12-09 14:11:00.000")
    expect(easternDateTime(Date.parse("2025-03-09T07:30:00.005Z"))).toBe("2025-03-09 03:30:00.005")
  })
})
