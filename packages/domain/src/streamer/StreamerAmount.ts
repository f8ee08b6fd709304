/**
 * The streamer's amounts: `{lo, signScale}` objects (protobuf-net's `bcl.Decimal` printed
 * the proto3-JSON way), decoded exactly into a `Decimal`.
 *
 * `value = (-1)^(signScale mod 2) × lo × 10^-floor(signScale / 2)`; an absent `lo` or
 * `signScale` is 0, so `{}` is zero. `lo` is the decimal text of an unsigned 64-bit integer
 * and is read as a bigint, never as a float (213409100 / 1e6 is not 213.4091 in binary).
 * `hi` and `mid` never appear in a capture and their meaning is unverified (streamer.md §5),
 * so an object carrying them is refused loudly rather than read one of two ways.
 *
 * @since 0.1.0
 */
import * as t from "io-ts"
import * as D from "../Decimal.js"
import { losslessNumberText } from "../schwab/LosslessJson.js"

/**
 * The wire shape of an amount; both fields may be absent (proto3 leaves zeros out).
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamerAmountWire {
  readonly lo?: string
  readonly signScale?: number
}

/** A bcl.Decimal's scale is at most 28 (.NET decimal); anything beyond is not an amount. */
const MAX_SCALE = 28
const MAX_LO = 2n ** 64n - 1n
const DIGITS = /^[0-9]{1,20}$/
const KNOWN_KEYS = new Set(["lo", "signScale"])

/** Text of a JSON integer as the lossless parser or JSON.parse left it, else undefined. */
const integerText = (u: unknown): string | undefined => {
  const lossless = losslessNumberText(u)
  if (lossless !== undefined) return lossless
  if (typeof u === "number" && Number.isSafeInteger(u)) return String(u)
  return undefined
}

const isDecimal = (u: unknown): u is D.Decimal =>
  typeof u === "object" && u !== null && (u as { _tag?: unknown })._tag === "Decimal"

const readLo = (u: unknown): bigint | string => {
  if (u === undefined) return 0n
  const text = typeof u === "string" ? u : integerText(u)
  if (text === undefined || !DIGITS.test(text)) return "lo must be the digits of an unsigned 64-bit integer"
  const lo = BigInt(text)
  return lo > MAX_LO ? "lo is beyond 64 bits" : lo
}

const readSignScale = (u: unknown): number | string => {
  if (u === undefined) return 0
  const text = integerText(u) ?? (typeof u === "string" ? u : undefined)
  if (text === undefined || !/^[0-9]{1,3}$/.test(text))
    return "signScale must be a small non-negative integer"
  const signScale = Number(text)
  return signScale >> 1 > MAX_SCALE ? `signScale ${signScale} gives a scale beyond ${MAX_SCALE}` : signScale
}

const validate = (u: unknown, c: t.Context): t.Validation<D.Decimal> => {
  if (typeof u !== "object" || u === null || Array.isArray(u) || losslessNumberText(u) !== undefined)
    return t.failure(u, c, "expected a {lo, signScale} amount object")
  const record = u as Record<string, unknown>
  for (const key of Object.keys(record)) {
    if (key === "hi" || key === "mid")
      return t.failure(u, c, `amount has "${key}", whose meaning is unverified; refusing to guess`)
    if (!KNOWN_KEYS.has(key)) return t.failure(u, c, `amount has an unknown key "${key}"`)
  }
  const lo = readLo(record.lo)
  if (typeof lo === "string") return t.failure(u, c, lo)
  const signScale = readSignScale(record.signScale)
  if (typeof signScale === "string") return t.failure(u, c, signScale)
  const negative = signScale % 2 === 1
  return t.success(D.make(negative ? -lo : lo, signScale >> 1))
}

/** The wire object for a decimal: zero fields left out, as proto3 JSON prints them. */
const encode = (d: D.Decimal): StreamerAmountWire => {
  const negative = D.isNegative(d)
  const lo = negative ? -d.units : d.units
  const signScale = d.scale * 2 + (negative ? 1 : 0)
  return {
    ...(lo === 0n ? {} : { lo: lo.toString() }),
    ...(signScale === 0 ? {} : { signScale })
  }
}

/**
 * io-ts codec from a `{lo, signScale}` object to an exact `Decimal`. Fails (never throws)
 * on anything else: a number, `hi`/`mid`, an unknown key, a `lo` that is not 64-bit digits,
 * a scale above 28.
 *
 * @since 0.1.0
 * @category codecs
 */
export const StreamerAmount: t.Type<D.Decimal, StreamerAmountWire, unknown> = new t.Type(
  "StreamerAmount",
  isDecimal,
  validate,
  encode
)
