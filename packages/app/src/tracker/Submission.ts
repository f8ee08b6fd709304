/**
 * What the bot tells us when it has sent an order, checked field by field so a bad
 * submission is refused with every problem named and nothing is recorded.
 */
import {
  AccountHash,
  Decimal,
  Direction,
  ExecutionId,
  Instant,
  instantFromDate,
  isNearNow,
  MAX_ORDER_SHARES,
  OrderShares,
  OrderSymbol,
  PositiveOrderId,
  type Submitted
} from "@fill-tracker/domain"
import { Data } from "effect"
import type * as t from "io-ts"

/** The bot's description of an order it sent. Numbers may be given as text to stay exact. */
export interface SubmissionInput {
  /** The bot's id for this execution (one event stream); unique. */
  readonly executionId: string
  /** Schwab's order id from the `Location` header, as a string (int64). */
  readonly orderId: string
  /** The account: Schwab's hash, or the plain account number (mapped to its hash; never stored). */
  readonly accountHash: string
  readonly symbol: string
  readonly shares: string | number | bigint
  readonly direction: "BUY" | "SELL" | "SELL_SHORT" | "BUY_TO_COVER"
  /** When the bot sent it; defaults to now. */
  readonly submittedAt?: Date | string
  /** The price the bot expected, for the fill price sanity band. Text keeps it exact. */
  readonly referencePrice?: string
}

export class InvalidSubmission extends Data.TaggedError("InvalidSubmission")<{
  readonly problems: ReadonlyArray<string>
}> {
  override get message() {
    return `invalid submission: ${this.problems.join("; ")}`
  }
}

/**
 * A refused value as the problem shows it: JSON text with every character outside
 * printable ASCII written as `\u{...}`, so a NUL, an escape sequence or a bidi override
 * in the input cannot reach a terminal or a log through the error; long values are cut.
 */
export const shown = (value: unknown): string => {
  const text = JSON.stringify(typeof value === "bigint" ? value.toString() : value) ?? "undefined"
  const safe = text.replace(/[^\x20-\x7e]/gu, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`)
  return safe.length > 80 ? `${safe.slice(0, 80)}...` : safe
}

/** What each field must be, for the problem text. */
const RULES: Record<string, string> = {
  orderId: "a positive int64",
  symbol: "a Schwab symbol (e.g. AAPL, BRK.B, $SPX or an option such as SPY   250919C00500000)",
  shares: `a whole number from 1 to ${MAX_ORDER_SHARES}`,
  direction: "one of BUY, SELL, SELL_SHORT, BUY_TO_COVER",
  orderType: "one of MARKET, LIMIT, STOP, STOP_LIMIT",
  duration:
    "one of DAY, GOOD_TILL_CANCEL, FILL_OR_KILL, IMMEDIATE_OR_CANCEL, END_OF_WEEK, END_OF_MONTH, NEXT_END_OF_MONTH",
  session: "one of NORMAL, AM, PM, SEAMLESS"
}

/** Decodes one field, or adds the problem naming it (and what it must be) to `problems`. */
export const check = <A>(
  problems: Array<string>,
  field: string,
  codec: t.Decoder<unknown, A>,
  value: unknown
): A | undefined => {
  const r = codec.decode(value)
  if (r._tag === "Right") return r.right
  const rule = RULES[field]
  problems.push(`${field}: ${shown(value)} is not ${rule === undefined ? `a valid ${codec.name}` : rule}`)
  return undefined
}

export const toSubmitted = (input: SubmissionInput, now: Date): Submitted | InvalidSubmission => {
  const problems: Array<string> = []
  const executionId = check(problems, "executionId", ExecutionId, input.executionId)
  const orderId = check(problems, "orderId", PositiveOrderId, input.orderId)
  const accountHash = check(problems, "accountHash", AccountHash, input.accountHash)
  const symbol = check(problems, "symbol", OrderSymbol, input.symbol)
  // A number past 2^53 (1e100) is not exact: refused as given, never read through its text.
  const shares =
    typeof input.shares === "number" && !Number.isSafeInteger(input.shares)
      ? check(problems, "shares", OrderShares, input.shares)
      : check(problems, "shares", OrderShares, String(input.shares))
  const direction = check(problems, "direction", Direction, input.direction)
  let submittedAt: Instant | undefined
  if (input.submittedAt === undefined) submittedAt = instantFromDate(now)
  else {
    const d = input.submittedAt instanceof Date ? input.submittedAt : new Date(input.submittedAt)
    if (Number.isNaN(d.getTime()))
      problems.push(`submittedAt: ${shown(String(input.submittedAt))} is not a time`)
    else if (!isNearNow(d, now))
      problems.push(
        `submittedAt: ${shown(d.toISOString())} is not within a day of now (${now.toISOString()})`
      )
    else submittedAt = check(problems, "submittedAt", Instant, d.toISOString())
  }
  let referencePrice: Decimal.Decimal | undefined
  if (input.referencePrice !== undefined) {
    referencePrice = check(
      problems,
      "referencePrice",
      Decimal.NonNegativeDecimalFromString,
      input.referencePrice
    )
  }
  if (
    problems.length > 0 ||
    executionId === undefined ||
    orderId === undefined ||
    accountHash === undefined ||
    symbol === undefined ||
    shares === undefined ||
    direction === undefined ||
    submittedAt === undefined
  )
    return new InvalidSubmission({ problems })
  return {
    type: "Submitted",
    executionId,
    orderId,
    accountHash,
    symbol,
    shares,
    direction,
    submittedAt,
    ...(referencePrice === undefined ? {} : { referencePrice })
  }
}

/**
 * The fields in which two submissions of one execution differ (none: the same submission).
 * Every field counts, the optional ones too: a retry after a crash sends the same fields, and
 * any difference means two different intentions under one execution id.
 */
export const differingFields = (recorded: Submitted, again: Submitted): ReadonlyArray<string> => {
  const differs = (a: unknown, b: unknown): boolean =>
    isDecimal(a) && isDecimal(b) ? !Decimal.equals(a, b) : a !== b
  const keys = new Set([...Object.keys(recorded), ...Object.keys(again)])
  return [...keys]
    .filter((key) => differs(recorded[key as keyof Submitted], again[key as keyof Submitted]))
    .sort()
}

const isDecimal = (u: unknown): u is Decimal.Decimal =>
  typeof u === "object" && u !== null && typeof (u as Decimal.Decimal).units === "bigint"
