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
  OrderId,
  Shares,
  type Submitted,
  TickerSymbol
} from "@fill-tracker/domain"
import { Data } from "effect"
import type * as t from "io-ts"

/** The bot's description of an order it sent. Numbers may be given as text to stay exact. */
export interface SubmissionInput {
  /** The bot's id for this execution (one event stream); unique. */
  readonly executionId: string
  /** Schwab's order id from the `Location` header, as a string (int64). */
  readonly orderId: string
  readonly accountHash: string
  readonly symbol: string
  readonly shares: string | number | bigint
  readonly direction: "BUY" | "SELL"
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

const check = <A>(
  problems: Array<string>,
  field: string,
  codec: t.Decoder<unknown, A>,
  value: unknown
): A | undefined => {
  const r = codec.decode(value)
  if (r._tag === "Right") return r.right
  problems.push(
    `${field}: ${JSON.stringify(typeof value === "bigint" ? value.toString() : value) ?? "undefined"} is not a valid ${codec.name}`
  )
  return undefined
}

export const toSubmitted = (input: SubmissionInput, now: Date): Submitted | InvalidSubmission => {
  const problems: Array<string> = []
  const executionId = check(problems, "executionId", ExecutionId, input.executionId)
  const orderId = check(problems, "orderId", OrderId, input.orderId)
  const accountHash = check(problems, "accountHash", AccountHash, input.accountHash)
  const symbol = check(problems, "symbol", TickerSymbol, input.symbol)
  const sharesText =
    typeof input.shares === "number"
      ? Number.isSafeInteger(input.shares)
        ? String(input.shares)
        : "x"
      : String(input.shares)
  const shares = check(problems, "shares", Shares, sharesText)
  const direction = check(problems, "direction", Direction, input.direction)
  let submittedAt: Instant | undefined
  if (input.submittedAt === undefined) submittedAt = instantFromDate(now)
  else {
    const d = input.submittedAt instanceof Date ? input.submittedAt : new Date(input.submittedAt)
    if (Number.isNaN(d.getTime()))
      problems.push(`submittedAt: ${JSON.stringify(String(input.submittedAt))} is not a time`)
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
