/**
 * Exact decimal numbers for prices and quantities.
 *
 * A `Decimal` is `units / 10^scale` with `units` a bigint, so every sum and product is
 * exact. Division is the one operation that can need rounding, and it always names its
 * rounding rule. Money is rounded to cents once, at the end, half-up (see `toCents`).
 *
 * @since 0.1.0
 */
import * as E from "fp-ts/lib/Either.js"
import * as t from "io-ts"

/**
 * An exact decimal: `units / 10^scale`, normalised so `units` carries no trailing zero
 * digits beyond the scale needed (so `3.0` and `3` are the same value and the same shape).
 *
 * @since 0.1.0
 * @category models
 */
export interface Decimal {
  readonly _tag: "Decimal"
  readonly units: bigint
  readonly scale: number
}

/** Rounding rule for a division or a rescale. @since 0.1.0 @category models */
export type Rounding = "half-up" | "down" | "up"

const TEN = 10n
/** Powers of ten up to 10^64, built once: replay aligns scales for every fill it folds. */
const POWERS: ReadonlyArray<bigint> = Array.from({ length: 65 }, (_, n) => TEN ** BigInt(n))
const pow10 = (n: number): bigint => POWERS[n] ?? TEN ** BigInt(n)

const normalise = (units: bigint, scale: number): Decimal => {
  while (scale > 0 && units % TEN === 0n) {
    units /= TEN
    scale -= 1
  }
  return { _tag: "Decimal", units, scale }
}

/** @since 0.1.0 @category constructors */
export const make = (units: bigint, scale = 0): Decimal => {
  if (!Number.isInteger(scale) || scale < 0)
    throw new RangeError(`Decimal scale must be a natural number, got ${scale}`)
  return normalise(units, scale)
}

/** @since 0.1.0 @category constructors */
export const zero: Decimal = make(0n)

/** @since 0.1.0 @category constructors */
export const fromBigInt = (n: bigint): Decimal => make(n, 0)

// Plain decimal text or scientific notation as JSON writes it (1e-7, 2.5E+3). No sign but
// an optional leading minus, no whitespace, no hex, no leading "+": Schwab never sends those
// and accepting them would hide a broken body.
const DECIMAL_TEXT = /^(-)?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/

const PLAIN_DECIMAL_TEXT = /^-?\d+(?:\.\d+)?$/

/** Largest exponent accepted in scientific notation; beyond it the text is not a price. */
const MAX_EXPONENT = 100

/**
 * Parses decimal text (`"150.25"`, `"3.0"`, `"1e-7"`) exactly. Returns `undefined` for
 * anything else, including `"NaN"`, `"Infinity"`, `""` and `" 1"`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromString = (text: string): Decimal | undefined => {
  // Plain text (`150.25`, `-3`), which is what events store: no capture groups to allocate.
  if (PLAIN_DECIMAL_TEXT.test(text)) {
    const dot = text.indexOf(".")
    return dot < 0
      ? normalise(BigInt(text), 0)
      : normalise(BigInt(text.slice(0, dot) + text.slice(dot + 1)), text.length - dot - 1)
  }
  const m = DECIMAL_TEXT.exec(text)
  if (m === null) return undefined
  const [, minus, whole = "", frac = "", expText] = m
  const exponent = expText === undefined ? 0 : Number.parseInt(expText, 10)
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > MAX_EXPONENT) return undefined
  let units = BigInt(whole + frac)
  let scale = frac.length - exponent
  if (scale < 0) {
    units *= pow10(-scale)
    scale = 0
  }
  return normalise(minus === undefined ? units : -units, scale)
}

/**
 * A JS number, read from its shortest round-trip text (`String(150.25)` is `"150.25"`),
 * never by float arithmetic. NaN and infinities give `undefined`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromNumber = (n: number): Decimal | undefined =>
  Number.isFinite(n) ? fromString(String(n)) : undefined

/** Canonical text: no exponent, no trailing zeros (`"150.25"`, `"3"`, `"-0.5"`). @since 0.1.0 @category conversions */
export const format = (d: Decimal): string => {
  if (d.scale === 0) return d.units.toString()
  const negative = d.units < 0n
  const digits = (negative ? -d.units : d.units).toString().padStart(d.scale + 1, "0")
  const cut = digits.length - d.scale
  return `${negative ? "-" : ""}${digits.slice(0, cut)}.${digits.slice(cut)}`
}

/** `d.units` at a scale at least `d.scale` (multiplying only when the scales differ). */
const unitsAt = (d: Decimal, scale: number): bigint =>
  scale === d.scale ? d.units : d.units * pow10(scale - d.scale)

/** @since 0.1.0 @category arithmetic */
export const add = (a: Decimal, b: Decimal): Decimal => {
  const scale = Math.max(a.scale, b.scale)
  return normalise(unitsAt(a, scale) + unitsAt(b, scale), scale)
}

/** @since 0.1.0 @category arithmetic */
export const sub = (a: Decimal, b: Decimal): Decimal => {
  const scale = Math.max(a.scale, b.scale)
  return normalise(unitsAt(a, scale) - unitsAt(b, scale), scale)
}

/** @since 0.1.0 @category arithmetic */
export const mul = (a: Decimal, b: Decimal): Decimal => normalise(a.units * b.units, a.scale + b.scale)

/** @since 0.1.0 @category arithmetic */
export const sum = (ds: Iterable<Decimal>): Decimal => {
  let acc = zero
  for (const d of ds) acc = add(acc, d)
  return acc
}

/** Integer division of non-negative-or-signed bigints with an explicit rounding rule. */
const divRound = (n: bigint, d: bigint, rounding: Rounding): bigint => {
  if (d === 0n) throw new RangeError("division by zero")
  const negative = n < 0n !== d < 0n
  const an = n < 0n ? -n : n
  const ad = d < 0n ? -d : d
  let q = an / ad
  const r = an % ad
  if (r !== 0n) {
    if (rounding === "up") q += 1n
    else if (rounding === "half-up" && r * 2n >= ad) q += 1n
  }
  // Rounding is applied to the magnitude, so -0.125 half-up is -0.13 (symmetric).
  return negative ? -q : q
}

/**
 * `a / b` with `scale` digits after the point, rounded by `rounding` (away from zero for
 * `half-up` at exactly half). Returns `undefined` when `b` is zero.
 *
 * @since 0.1.0
 * @category arithmetic
 */
export const div = (a: Decimal, b: Decimal, scale: number, rounding: Rounding): Decimal | undefined => {
  if (b.units === 0n) return undefined
  // a/b = (a.units/10^a.scale) / (b.units/10^b.scale); scaled by 10^scale.
  const n = a.units * pow10(scale + b.scale)
  const d = b.units * pow10(a.scale)
  return normalise(divRound(n, d, rounding), scale)
}

/** Whether `a / b` has a finite decimal expansion (only 2s and 5s in the reduced divisor). */
const terminates = (a: Decimal, b: Decimal): boolean => {
  const gcd = (x: bigint, y: bigint): bigint => {
    x = x < 0n ? -x : x
    y = y < 0n ? -y : y
    while (y !== 0n) [x, y] = [y, x % y]
    return x
  }
  let d = b.units * pow10(a.scale)
  d /= gcd(a.units * pow10(b.scale), d)
  if (d < 0n) d = -d
  while (d % 2n === 0n) d /= 2n
  while (d % 5n === 0n) d /= 5n
  return d === 1n
}

/** Digits kept for a quotient whose decimal expansion does not terminate (documented in README). */
export const QUOTIENT_SCALE = 12

/**
 * `a / b` exactly when the quotient terminates, else to {@link QUOTIENT_SCALE} digits
 * rounded half-up. Use it for averages that are stored; round money with `toCents` from
 * the exact numerator and denominator instead of from this result.
 *
 * @since 0.1.0
 * @category arithmetic
 */
export const quotient = (a: Decimal, b: Decimal): Decimal | undefined => {
  if (b.units === 0n) return undefined
  if (!terminates(a, b)) return div(a, b, QUOTIENT_SCALE, "half-up")
  // A terminating quotient needs at most this many digits; normalise trims the rest.
  let scale = a.scale + b.scale
  for (let d = b.units < 0n ? -b.units : b.units; d > 1n; d /= 2n) scale += 1
  return div(a, b, scale, "down")
}

/**
 * Cents of `numerator / denominator` (e.g. notional / shares), rounded half-up once:
 * 0.125 → 13, 150.245 → 15025, -0.125 → -13. The only rounding rule for money.
 *
 * @since 0.1.0
 * @category conversions
 */
export const centsOfRatio = (numerator: Decimal, denominator: Decimal): bigint | undefined => {
  const q = div(numerator, denominator, 2, "half-up")
  return q === undefined ? undefined : q.units * pow10(2 - q.scale)
}

/** Cents of an exact amount, rounded half-up. @since 0.1.0 @category conversions */
export const toCents = (d: Decimal): bigint => {
  const scaled =
    d.scale <= 2 ? d.units * pow10(2 - d.scale) : divRound(d.units, pow10(d.scale - 2), "half-up")
  return scaled
}

/** @since 0.1.0 @category comparisons */
export const compare = (a: Decimal, b: Decimal): -1 | 0 | 1 => {
  const scale = Math.max(a.scale, b.scale)
  const x = unitsAt(a, scale)
  const y = unitsAt(b, scale)
  return x < y ? -1 : x > y ? 1 : 0
}

/** @since 0.1.0 @category comparisons */
export const equals = (a: Decimal, b: Decimal): boolean => compare(a, b) === 0
/** @since 0.1.0 @category comparisons */
export const isZero = (d: Decimal): boolean => d.units === 0n
/** @since 0.1.0 @category comparisons */
export const isPositive = (d: Decimal): boolean => d.units > 0n
/** @since 0.1.0 @category comparisons */
export const isNegative = (d: Decimal): boolean => d.units < 0n
/** @since 0.1.0 @category comparisons */
export const isInteger = (d: Decimal): boolean => d.scale === 0
/** @since 0.1.0 @category comparisons */
export const min = (a: Decimal, b: Decimal): Decimal => (compare(a, b) <= 0 ? a : b)
/** @since 0.1.0 @category comparisons */
export const max = (a: Decimal, b: Decimal): Decimal => (compare(a, b) >= 0 ? a : b)

const isDecimal = (u: unknown): u is Decimal =>
  typeof u === "object" && u !== null && (u as { _tag?: unknown })._tag === "Decimal"

/**
 * Decimal from its canonical text, as events store it. Also accepts a JSON number's text
 * when given a number (for Schwab bodies read by the lossless parser use `DecimalFromWire`).
 *
 * @since 0.1.0
 * @category codecs
 */
export const DecimalFromString: t.Type<Decimal, string, unknown> = new t.Type<Decimal, string, unknown>(
  "DecimalFromString",
  isDecimal,
  (u, c) => {
    if (typeof u !== "string") return t.failure(u, c, "expected a decimal string")
    const d = fromString(u)
    return d === undefined ? t.failure(u, c, `not a decimal number: ${JSON.stringify(u)}`) : t.success(d)
  },
  format
)

/** A decimal that is zero or more. @since 0.1.0 @category codecs */
export const NonNegativeDecimalFromString: t.Type<Decimal, string, unknown> = new t.Type<
  Decimal,
  string,
  unknown
>(
  "NonNegativeDecimalFromString",
  isDecimal,
  (u, c) =>
    E.chain((d: Decimal) =>
      isNegative(d) ? t.failure<Decimal>(u, c, "must not be negative") : t.success(d)
    )(DecimalFromString.validate(u, c)),
  format
)
