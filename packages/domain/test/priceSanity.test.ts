import { describe, expect, it } from "vitest"
import { DEFAULT_PRICE_BAND, outsideBand, overfillFlag, priceFlags } from "../src/priceSanity.js"
import { at, dec, legFilled, ORDER_ID, submitted } from "./testing/build.js"

describe("price sanity", () => {
  it("the band's bounds are inside it; a hair beyond is out", () => {
    const ref = dec("200")
    expect(outsideBand(dec("210"), ref, DEFAULT_PRICE_BAND)).toBe(false)
    expect(outsideBand(dec("190"), ref, DEFAULT_PRICE_BAND)).toBe(false)
    expect(outsideBand(dec("210.0001"), ref, DEFAULT_PRICE_BAND)).toBe(true)
    expect(outsideBand(dec("189.9999"), ref, DEFAULT_PRICE_BAND)).toBe(true)
  })

  it("flags a fill once, and never band-checks against a zero reference", () => {
    const sub = submitted({ referencePrice: dec("100") })
    const far = legFilled("1:0", "1", "120", "17:15:00")
    const flags = priceFlags(sub, far, DEFAULT_PRICE_BAND, true, [])
    expect(flags.map((f) => f.kind)).toEqual(["PriceOutOfBand"])
    expect(priceFlags(sub, far, DEFAULT_PRICE_BAND, true, flags)).toEqual([])
    expect(priceFlags(sub, far, DEFAULT_PRICE_BAND, false, [])).toEqual([])
    expect(priceFlags(submitted({ referencePrice: dec("0") }), far, DEFAULT_PRICE_BAND, true, [])).toEqual([])
    const free = legFilled("2:0", "1", "0", "17:15:00")
    expect(priceFlags(submitted(), free, DEFAULT_PRICE_BAND, false, []).map((f) => f.kind)).toEqual([
      "NonPositivePrice"
    ])
  })

  it("an overfill is flagged once per order, naming each overfilled leg", () => {
    const over = [{ legId: "1", filled: dec("110"), ordered: dec("100") }]
    const [flag] = overfillFlag(submitted(), ORDER_ID, over, at("17:16:00"), [])
    expect(flag).toMatchObject({ kind: "Overfill", flaggedAt: at("17:16:00") })
    expect(flag?.detail).toContain("leg 1 filled 110 of 100")
    expect(
      overfillFlag(submitted(), ORDER_ID, over, at("17:17:00"), flag === undefined ? [] : [flag])
    ).toEqual([])
    expect(overfillFlag(submitted(), ORDER_ID, [], at("17:17:00"), [])).toEqual([])
  })
})
