import fc from "fast-check"
import * as E from "fp-ts/lib/Either.js"
import { LosslessNumber, parse } from "lossless-json"
import { describe, expect, it } from "vitest"
import { Decimal as D, StreamerAmount } from "../../src/index.js"
import { numRuns } from "../schwab/arbitraries.js"

const decoded = (u: unknown): string => {
  const r = StreamerAmount.decode(u)
  return E.isRight(r) ? D.format(r.right) : `error: ${r.left.map((e) => e.message).join("; ")}`
}

/** The value by text alone: digits of lo with the point moved left by floor(s/2), sign from s's low bit. */
const byText = (lo: bigint, signScale: number): D.Decimal => {
  const scale = signScale >> 1
  const digits = lo.toString().padStart(scale + 1, "0")
  const cut = digits.length - scale
  const text = `${signScale % 2 === 1 ? "-" : ""}${digits.slice(0, cut)}${scale > 0 ? "." : ""}${digits.slice(cut)}`
  const d = D.fromString(text)
  if (d === undefined) throw new Error(`bad text ${text}`)
  return d
}

const loArb = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })
const signScaleArb = fc.integer({ min: 0, max: 57 })

describe("StreamerAmount", () => {
  it("decodes the worked examples of streamer.md §5 exactly", () => {
    const examples: ReadonlyArray<[string, string]> = [
      ['{"lo":"213409100","signScale":12}', "213.4091"],
      ['{"lo":"220470000","signScale":13}', "-220.47"],
      ['{"lo":"220470000","signScale":12}', "220.47"],
      ['{"lo":"1000000","signScale":12}', "1"],
      ['{"signScale":12}', "0"],
      ["{}", "0"],
      ['{"lo":"200"}', "200"],
      ['{"lo":"650000","signScale":12}', "0.65"],
      ['{"lo":"375650000","signScale":13}', "-375.65"],
      ['{"lo":"40000000","signScale":13}', "-40"],
      ['{"lo":"18446744073709551615","signScale":56}', "0.0000000018446744073709551615"]
    ]
    for (const [wire, value] of examples) expect(decoded(parse(wire)), wire).toBe(value)
  })

  it("reads lo and signScale from the lossless parser and from JSON.parse alike", () => {
    expect(decoded({ lo: "213409100", signScale: new LosslessNumber("12") })).toBe("213.4091")
    expect(decoded({ lo: new LosslessNumber("213409100"), signScale: 12 })).toBe("213.4091")
    expect(decoded(JSON.parse('{"lo":"213409100","signScale":12}'))).toBe("213.4091")
  })

  it("is the value the digits spell, for every 64-bit lo and scale up to 28 (never a float)", () => {
    fc.assert(
      fc.property(loArb, signScaleArb, (lo, signScale) => {
        const r = StreamerAmount.decode({ lo: lo.toString(), signScale })
        expect(E.isRight(r) && D.equals(r.right, byText(lo, signScale))).toBe(true)
      }),
      { numRuns }
    )
  })

  it("round-trips: decode(encode(d)) is d, and encode leaves zero fields out", () => {
    const decimalArb = fc
      .tuple(fc.bigInt({ min: -(2n ** 64n - 1n), max: 2n ** 64n - 1n }), fc.integer({ min: 0, max: 28 }))
      .map(([units, scale]) => D.make(units, scale))
    fc.assert(
      fc.property(decimalArb, (d) => {
        const wire = StreamerAmount.encode(d)
        if (wire.signScale === 0 || wire.lo === "0") return false
        const back = StreamerAmount.decode(JSON.parse(JSON.stringify(wire)))
        return E.isRight(back) && D.equals(back.right, d) && back.right.scale === d.scale
      }),
      { numRuns }
    )
    expect(StreamerAmount.encode(D.zero)).toEqual({})
    expect(StreamerAmount.encode(D.make(-5n, 1))).toEqual({ lo: "5", signScale: 3 })
  })

  it("refuses what it cannot read exactly, saying what was wrong, and never throws", () => {
    const refused: ReadonlyArray<[unknown, string]> = [
      [{ lo: "1", hi: "1", signScale: 12 }, 'amount has "hi"'],
      [{ lo: "1", mid: "0" }, 'amount has "mid"'],
      [{ lo: "1", scale: 2 }, 'unknown key "scale"'],
      [{ lo: "1.5" }, "lo must be the digits"],
      [{ lo: "-1" }, "lo must be the digits"],
      [{ lo: "" }, "lo must be the digits"],
      [{ lo: 1.5 }, "lo must be the digits"],
      [{ lo: "18446744073709551616" }, "beyond 64 bits"],
      [{ lo: "1", signScale: -1 }, "signScale must be"],
      [{ lo: "1", signScale: 1.5 }, "signScale must be"],
      [{ lo: "1", signScale: 58 }, "beyond 28"],
      [new LosslessNumber("1.5"), "expected a {lo, signScale}"],
      [1.5, "expected a {lo, signScale}"],
      [null, "expected a {lo, signScale}"],
      [[], "expected a {lo, signScale}"],
      ["213.4091", "expected a {lo, signScale}"]
    ]
    for (const [u, message] of refused) expect(decoded(u), JSON.stringify(u)).toContain(message)
    fc.assert(
      fc.property(fc.anything(), (u) => {
        StreamerAmount.decode(u)
      }),
      { numRuns }
    )
  })
})
