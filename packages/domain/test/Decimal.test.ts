import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as D from "../src/Decimal.js"
import { decimal, numRuns } from "./testing/arbitraries.js"
import { dec } from "./testing/build.js"

const runs = { numRuns: numRuns(200) }

/** The reference: a decimal as the exact fraction units / 10^scale. */
const frac = (d: D.Decimal): readonly [bigint, bigint] => [d.units, 10n ** BigInt(d.scale)]
const abs = (n: bigint): bigint => (n < 0n ? -n : n)
const sign = (n: bigint): bigint => (n < 0n ? -1n : n > 0n ? 1n : 0n)

describe("Decimal against a bigint fraction reference", () => {
  it("add, sub and mul are exact", () => {
    fc.assert(
      fc.property(decimal, decimal, (a, b) => {
        const [an, ad] = frac(a)
        const [bn, bd] = frac(b)
        const [sn, sd] = frac(D.add(a, b))
        expect(sn * ad * bd).toBe((an * bd + bn * ad) * sd)
        const [dn, dd] = frac(D.sub(a, b))
        expect(dn * ad * bd).toBe((an * bd - bn * ad) * dd)
        const [mn, md] = frac(D.mul(a, b))
        expect(mn * ad * bd).toBe(an * bn * md)
      }),
      runs
    )
  })

  it("div rounds by its named rule, half-up away from zero at exactly half", () => {
    fc.assert(
      fc.property(
        decimal,
        decimal.filter((d) => !D.isZero(d)),
        fc.integer({ min: 0, max: 8 }),
        fc.constantFrom<D.Rounding>("half-up", "down", "up"),
        (a, b, scale, rounding) => {
          const q = D.div(a, b, scale, rounding)
          if (q === undefined) throw new Error("div by a non-zero value must answer")
          // q as R / 10^scale; the exact quotient as X / Y in the same units, both magnitudes.
          const R = abs(q.units * 10n ** BigInt(scale - q.scale))
          const [an, ad] = frac(a)
          const [bn, bd] = frac(b)
          const X = abs(an * bd * 10n ** BigInt(scale))
          const Y = abs(ad * bn)
          if (R !== 0n) expect(sign(q.units)).toBe(sign(an) * sign(bn))
          if (rounding === "down") expect(R * Y <= X && X < (R + 1n) * Y).toBe(true)
          if (rounding === "up") expect((R - 1n) * Y < X && X <= R * Y).toBe(true)
          if (rounding === "half-up")
            expect((2n * R - 1n) * Y <= 2n * X && 2n * X < (2n * R + 1n) * Y).toBe(true)
        }
      ),
      runs
    )
  })

  it("quotient is exact when the expansion terminates, else 12 digits half-up", () => {
    fc.assert(
      fc.property(
        decimal,
        decimal.filter((d) => !D.isZero(d)),
        (a, b) => {
          const q = D.quotient(a, b)
          if (q === undefined) throw new Error("quotient by a non-zero value must answer")
          const back = D.mul(q, b)
          if (D.equals(back, a)) return
          expect(q).toEqual(D.div(a, b, D.QUOTIENT_SCALE, "half-up"))
        }
      ),
      runs
    )
    expect(D.quotient(dec("1"), dec("8"))).toEqual(dec("0.125"))
    expect(D.quotient(dec("1"), dec("3"))).toEqual(dec("0.333333333333"))
    expect(D.quotient(dec("2"), dec("3"))).toEqual(dec("0.666666666667"))
  })

  it("cents of a ratio round half-up once", () => {
    fc.assert(
      fc.property(
        decimal,
        decimal.filter((d) => D.isPositive(d)),
        (n, d) => {
          const cents = D.centsOfRatio(n, d)
          if (cents === undefined) throw new Error("cents of a positive denominator must answer")
          const [nn, nd] = frac(n)
          const [dn, dd] = frac(d)
          // |n/d| × 100 lies in [|cents| − ½, |cents| + ½)
          const X = abs(nn * dd * 100n)
          const Y = nd * dn
          const C = abs(cents)
          expect((2n * C - 1n) * Y <= 2n * X && 2n * X < (2n * C + 1n) * Y).toBe(true)
        }
      ),
      runs
    )
    expect(D.centsOfRatio(dec("150.245"), dec("1"))).toBe(15025n)
    expect(D.centsOfRatio(dec("0.125"), dec("1"))).toBe(13n)
    expect(D.centsOfRatio(dec("0.124999"), dec("1"))).toBe(12n)
    expect(D.centsOfRatio(dec("-0.125"), dec("1"))).toBe(-13n)
    expect(D.centsOfRatio(dec("300.49"), dec("2"))).toBe(15025n)
    expect(D.centsOfRatio(dec("1"), dec("0"))).toBeUndefined()
  })

  it("toCents agrees with centsOfRatio over 1", () => {
    fc.assert(
      fc.property(decimal, (d) => {
        expect(D.toCents(d)).toBe(D.centsOfRatio(d, D.fromBigInt(1n)))
      }),
      runs
    )
  })
})

describe("Decimal text", () => {
  it("format and fromString round-trip, and the codec decodes what it encodes", () => {
    fc.assert(
      fc.property(decimal, (d) => {
        expect(D.fromString(D.format(d))).toEqual(d)
        expect(D.DecimalFromString.decode(D.DecimalFromString.encode(d))).toEqual({ _tag: "Right", right: d })
      }),
      runs
    )
  })

  it("reads plain text as the general parser does (forced by an exponent of zero)", () => {
    const digits = fc.stringMatching(/^[0-9]{1,30}$/)
    fc.assert(
      fc.property(fc.boolean(), digits, fc.option(digits, { nil: undefined }), (minus, whole, frac) => {
        const text = `${minus ? "-" : ""}${whole}${frac === undefined ? "" : `.${frac}`}`
        const plain = D.fromString(text)
        expect(plain).toBeDefined()
        expect(plain).toEqual(D.fromString(`${text}e0`))
      }),
      runs
    )
  })

  it("reads JSON numbers from their shortest text, never by float arithmetic", () => {
    expect(D.fromNumber(22.7299)).toEqual(dec("22.7299"))
    expect(D.fromNumber(0.1 + 0.2)).toEqual(dec("0.30000000000000004"))
    expect(D.fromNumber(1e-7)).toEqual(dec("0.0000001"))
    expect(D.fromNumber(Number.NaN)).toBeUndefined()
    expect(D.fromNumber(Number.POSITIVE_INFINITY)).toBeUndefined()
    expect(D.format(dec("3.0"))).toBe("3")
    expect(dec("3.0")).toEqual(dec("3"))
  })

  it("rejects text that is not a plain decimal", () => {
    for (const text of ["", " 1", "1 ", "+1", "NaN", "Infinity", "0x10", "1.", ".5", "1e999", "1,5"])
      expect(D.fromString(text)).toBeUndefined()
    expect(D.NonNegativeDecimalFromString.decode("-0.01")._tag).toBe("Left")
    expect(D.NonNegativeDecimalFromString.decode("0")._tag).toBe("Right")
  })
})
