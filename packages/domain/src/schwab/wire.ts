/**
 * Wire primitives of Schwab bodies: exact decimals, int64 ids and broker times.
 *
 * Each reads the value as the lossless parser left it (a `LosslessNumber` holding the
 * JSON number's text), as a string, or as a plain JS number (bodies parsed elsewhere),
 * and encodes back to the wire form (`LosslessNumber`, which `lossless-json`'s
 * `stringify` writes as a bare JSON number). None of them throws; a bad value is a
 * validation failure whose message says what was wrong.
 *
 * @since 0.1.0
 */
import * as E from "fp-ts/lib/Either.js"
import * as t from "io-ts"
import { LosslessNumber } from "lossless-json"
import * as D from "../Decimal.js"
import { Instant, OrderId } from "../ids.js"
import { losslessNumberText } from "./LosslessJson.js"

const isDecimal = (u: unknown): u is D.Decimal =>
  typeof u === "object" && u !== null && (u as { _tag?: unknown })._tag === "Decimal"

const show = (u: unknown): string => {
  if (typeof u === "string") return JSON.stringify(u.length > 40 ? `${u.slice(0, 37)}...` : u)
  if (typeof u === "number" || typeof u === "boolean" || u === null || u === undefined) return String(u)
  return Array.isArray(u) ? "an array" : `an ${typeof u}`
}

/** The exact text of a wire number, or a reason it has none. */
const numberText = (u: unknown): E.Either<string, string> => {
  const lossless = losslessNumberText(u)
  if (lossless !== undefined) return E.right(lossless)
  if (typeof u === "string") return E.right(u)
  if (typeof u === "number") {
    if (!Number.isFinite(u)) return E.left(`not a finite number: ${u}`)
    // An integer beyond 2^53 already lost digits before it reached us.
    if (Number.isInteger(u) && !Number.isSafeInteger(u))
      return E.left(`number ${u} is beyond 2^53 and has lost digits; send it as text`)
    return E.right(String(u))
  }
  return E.left(`expected a number, got ${show(u)}`)
}

const decimalValidate = (u: unknown, c: t.Context): t.Validation<D.Decimal> => {
  const text = numberText(u)
  if (E.isLeft(text)) return t.failure(u, c, text.left)
  const d = D.fromString(text.right)
  return d === undefined ? t.failure(u, c, `not a decimal number: ${show(text.right)}`) : t.success(d)
}

const toWireNumber = (text: string): LosslessNumber => new LosslessNumber(text)

/**
 * An exact decimal from a JSON number (its text, never a float), a numeric string
 * (`"3"`, `"3.0"`, `"1e-2"`) or a finite JS number. Rejects NaN, infinities, `""` and
 * anything that is not a plain decimal.
 *
 * @since 0.1.0
 * @category codecs
 */
export const DecimalFromWire: t.Type<D.Decimal, LosslessNumber, unknown> = new t.Type(
  "DecimalFromWire",
  isDecimal,
  decimalValidate,
  (d) => toWireNumber(D.format(d))
)

/**
 * {@link DecimalFromWire} that is zero or more (quantities).
 *
 * @since 0.1.0
 * @category codecs
 */
export const NonNegativeDecimalFromWire: t.Type<D.Decimal, LosslessNumber, unknown> = new t.Type(
  "NonNegativeDecimalFromWire",
  (u): u is D.Decimal => isDecimal(u) && !D.isNegative(u),
  (u, c) => {
    const d = decimalValidate(u, c)
    if (E.isLeft(d) || !D.isNegative(d.right)) return d
    return t.failure(u, c, `must not be negative: ${D.format(d.right)}`)
  },
  (d) => toWireNumber(D.format(d))
)

const INT64_MAX = 9223372036854775807n
const DIGITS = /^[0-9]{1,19}$/

/** Digits of a non-negative int64, or a reason. `reveal` is false for secrets (account numbers). */
const int64Digits = (u: unknown, reveal: boolean): E.Either<string, string> => {
  const text = numberText(u)
  const shown = (s: string) => (reveal ? `: ${show(s)}` : "")
  if (E.isLeft(text)) return reveal ? text : E.left("expected an integer id")
  if (!DIGITS.test(text.right)) return E.left(`not a non-negative int64 id${shown(text.right)}`)
  if (BigInt(text.right) > INT64_MAX) return E.left(`id is beyond int64${shown(text.right)}`)
  return E.right(text.right)
}

const makeInt64 = (name: string, reveal: boolean): t.Type<string, LosslessNumber, unknown> =>
  new t.Type(
    name,
    (u): u is string => typeof u === "string" && E.isRight(int64Digits(u, reveal)),
    (u, c) => {
      const digits = int64Digits(u, reveal)
      return E.isLeft(digits) ? t.failure(u, c, digits.left) : t.success(digits.right)
    },
    toWireNumber
  )

/**
 * An int64 id (activityId, legId, instrumentId) from a JSON number or a digit string, kept
 * as its decimal digits: ids above 2^53 keep every digit.
 *
 * @since 0.1.0
 * @category codecs
 */
export const Int64IdFromWire: t.Type<string, LosslessNumber, unknown> = makeInt64("Int64IdFromWire", true)

/**
 * An account number (int64 on the wire, or digits as text). Its failures never echo the
 * value: an account number is a secret and must not reach a log through an error.
 *
 * @since 0.1.0
 * @category codecs
 */
export const AccountNumberFromWire: t.Type<string, LosslessNumber, unknown> = makeInt64(
  "AccountNumberFromWire",
  false
)

/**
 * A Schwab order id from a JSON number or a digit string, as the `OrderId` brand.
 *
 * @since 0.1.0
 * @category codecs
 */
export const OrderIdFromWire: t.Type<OrderId, LosslessNumber, unknown> = new t.Type(
  "OrderIdFromWire",
  OrderId.is,
  (u, c) => {
    const digits = int64Digits(u, true)
    return E.isLeft(digits) ? t.failure(u, c, digits.left) : t.success(digits.right as OrderId)
  },
  toWireNumber
)

// Date, time to the second, optional fraction of any length, then Z or an offset
// (+0000, +00:00, +00). No offset at all is refused: a local time is ambiguous.
const BROKER_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?)$/

const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate()

/**
 * Broker time text as an {@link Instant} (UTC, milliseconds), or `undefined`.
 * Fractions beyond milliseconds are truncated, never rounded, so a time never moves
 * into the next second.
 *
 * @since 0.1.0
 * @category constructors
 */
export const instantFromBrokerTime = (text: string): Instant | undefined => {
  const m = BROKER_TIME.exec(text)
  if (m === null) return undefined
  const [, y, mo, d, h, mi, s, frac = "", zulu, sign, oh = "00", om = "00"] = m
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  const hour = Number(h)
  const minute = Number(mi)
  const second = Number(s)
  const offsetH = Number(oh)
  const offsetM = Number(om)
  // Years before 1900 are not broker times (and Date.UTC reads 0-99 as 19xx).
  if (year < 1900 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined
  if (hour > 23 || minute > 59 || second > 59 || offsetH > 23 || offsetM > 59) return undefined
  const ms = Number(frac.slice(0, 3).padEnd(3, "0"))
  const offsetMinutes = zulu === "Z" ? 0 : (sign === "-" ? -1 : 1) * (offsetH * 60 + offsetM)
  const utc = new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000)
  if (Number.isNaN(utc.getTime())) return undefined
  const iso = utc.toISOString()
  return Instant.is(iso) ? iso : undefined
}

/**
 * An instant as Schwab writes it: `2025-08-29T17:15:18+0000`, with `.123` when the
 * milliseconds are not zero.
 *
 * @since 0.1.0
 * @category conversions
 */
export const brokerTimeFromInstant = (instant: Instant): string => {
  const [seconds = "", ms = "000"] = instant.slice(0, -1).split(".")
  return `${seconds}${ms === "000" ? "" : `.${ms}`}+0000`
}

/**
 * Broker time (`2025-08-29T17:15:18+0000`, `...Z`, `...+00:00`, any fraction, any offset)
 * as an {@link Instant} in UTC with milliseconds.
 *
 * @since 0.1.0
 * @category codecs
 */
export const InstantFromWire: t.Type<Instant, string, unknown> = new t.Type(
  "InstantFromWire",
  Instant.is,
  (u, c) => {
    if (typeof u !== "string") return t.failure(u, c, `expected a date-time string, got ${show(u)}`)
    const instant = instantFromBrokerTime(u)
    return instant === undefined
      ? t.failure(u, c, `not a date-time with offset: ${show(u)}`)
      : t.success(instant)
  },
  brokerTimeFromInstant
)
