/**
 * What the bot asks the tracker to place, checked field by field like a submission (every
 * problem named, nothing recorded), and the intent event recorded before the POST.
 */
import {
  AccountHash,
  Decimal,
  Direction,
  ExecutionId,
  instantFromDate,
  OrderDuration,
  type OrderRequest,
  OrderSession,
  OrderShares,
  OrderSymbol,
  OrderType,
  type PlacementRequested,
  parseOrderPrice,
  termsProblems,
  type WireWord
} from "@fill-tracker/domain"
import type { SchwabClient } from "@fill-tracker/schwab-client"
import { check, InvalidSubmission, shown } from "./Submission.js"

/**
 * The terms of an order, as the bot gives them. Absent: a MARKET order, DAY, in the
 * regular session (what placing meant before the terms existed). Prices are decimal text,
 * so they stay exact: `price` is the limit (LIMIT, STOP_LIMIT), `stopPrice` the trigger
 * (STOP, STOP_LIMIT).
 */
export interface OrderTermsInput {
  readonly orderType?: "MARKET" | "LIMIT" | "STOP" | "STOP_LIMIT"
  readonly price?: string
  readonly stopPrice?: string
  readonly duration?:
    | "DAY"
    | "GOOD_TILL_CANCEL"
    | "FILL_OR_KILL"
    | "IMMEDIATE_OR_CANCEL"
    | "END_OF_WEEK"
    | "END_OF_MONTH"
    | "NEXT_END_OF_MONTH"
  readonly session?: "NORMAL" | "AM" | "PM" | "SEAMLESS"
}

/** An order for the tracker to place: a single-leg whole-share equity order. */
export interface PlacementInput extends OrderTermsInput {
  /** The account: Schwab's hash, or the plain account number (mapped to its hash; never stored). */
  readonly accountHash: string
  readonly symbol: string
  readonly shares: string | number | bigint
  readonly direction: "BUY" | "SELL" | "SELL_SHORT" | "BUY_TO_COVER"
  /** The price the bot expects, for the fill price sanity band. Text keeps it exact. */
  readonly referencePrice?: string
}

/** Checks a price field: plain decimal text on the tick, or the problem naming it. */
const checkPrice = (problems: Array<string>, field: string, value: unknown): Decimal.Decimal | undefined => {
  if (value === undefined) return undefined
  const parsed =
    typeof value === "string" ? parseOrderPrice(value) : "is not decimal text (give prices as strings)"
  if (typeof parsed !== "string") return parsed
  problems.push(`${field}: ${shown(value)} ${parsed}`)
  return undefined
}

/**
 * The terms to record, or undefined with every problem added to `problems`: each word one
 * of the spec's, each price on the tick, and together an order (`termsProblems`).
 */
export const checkTerms = (
  problems: Array<string>,
  input: OrderTermsInput
): Pick<OrderRequest, "orderType" | "session" | "duration" | "price" | "stopPrice"> | undefined => {
  const before = problems.length
  const orderType = check(problems, "orderType", OrderType, input.orderType ?? "MARKET")
  const duration = check(problems, "duration", OrderDuration, input.duration ?? "DAY")
  const session = check(problems, "session", OrderSession, input.session ?? "NORMAL")
  const price = checkPrice(problems, "price", input.price)
  const stopPrice = checkPrice(problems, "stopPrice", input.stopPrice)
  if (orderType === undefined || duration === undefined || session === undefined) return undefined
  // A price refused above still counts as given: "LIMIT without price" would be a second, wrong problem.
  const terms = {
    orderType,
    session,
    price: input.price === undefined ? undefined : (price ?? Decimal.zero),
    stopPrice: input.stopPrice === undefined ? undefined : (stopPrice ?? Decimal.zero)
  }
  for (const [field, problem] of termsProblems(terms)) problems.push(`${field}: ${problem}`)
  if (problems.length > before) return undefined
  return {
    orderType: orderType as string as WireWord,
    session: session as string as WireWord,
    duration: duration as string as WireWord,
    ...(price === undefined ? {} : { price }),
    ...(stopPrice === undefined ? {} : { stopPrice })
  }
}

/**
 * The intent to record, or every problem with the input. The account is only checked for
 * shape here; the caller maps a plain number to its hash (as for a submission).
 */
export const toPlacementRequested = (
  executionIdInput: string,
  input: PlacementInput,
  now: Date
): PlacementRequested | InvalidSubmission => {
  const problems: Array<string> = []
  const executionId = check(problems, "executionId", ExecutionId, executionIdInput)
  const hash = check(problems, "accountHash", AccountHash, input.accountHash)
  const symbol = check(problems, "symbol", OrderSymbol, input.symbol)
  const shares =
    typeof input.shares === "number" && !Number.isSafeInteger(input.shares)
      ? check(problems, "shares", OrderShares, input.shares)
      : check(problems, "shares", OrderShares, String(input.shares))
  const direction = check(problems, "direction", Direction, input.direction)
  const terms = checkTerms(problems, input)
  const referencePrice =
    input.referencePrice === undefined
      ? undefined
      : check(problems, "referencePrice", Decimal.NonNegativeDecimalFromString, input.referencePrice)
  if (
    problems.length > 0 ||
    executionId === undefined ||
    hash === undefined ||
    symbol === undefined ||
    shares === undefined ||
    direction === undefined ||
    terms === undefined
  )
    return new InvalidSubmission({ problems })
  return {
    type: "PlacementRequested",
    executionId,
    accountHash: hash,
    order: { symbol, shares, instruction: direction, ...terms },
    requestedAt: instantFromDate(now),
    ...(referencePrice === undefined ? {} : { referencePrice })
  }
}

/**
 * What the client sends for a recorded order request. The words were checked when the
 * intent was made; one recorded otherwise (by hand) is sent as it is and Schwab judges it.
 */
export const entryOf = (order: OrderRequest): SchwabClient.PlaceOrderRequest => ({
  symbol: order.symbol,
  shares: order.shares,
  direction: order.instruction,
  orderType: order.orderType as string as OrderType,
  duration: order.duration as string as OrderDuration,
  session: order.session as string as OrderSession,
  price: order.price,
  stopPrice: order.stopPrice
})

const sameDecimal = (a: Decimal.Decimal | undefined, b: Decimal.Decimal | undefined): boolean =>
  a === undefined ? b === undefined : b !== undefined && Decimal.equals(a, b)

/** The fields in which a repeated placement differs from the recorded intent (its time aside). */
export const differingIntent = (
  recorded: PlacementRequested,
  again: PlacementRequested
): ReadonlyArray<string> => {
  const out: Array<string> = []
  const [a, b] = [recorded.order, again.order]
  if (recorded.accountHash !== again.accountHash) out.push("accountHash")
  if (a.symbol !== b.symbol) out.push("symbol")
  if (!Decimal.equals(a.shares, b.shares)) out.push("shares")
  if (a.instruction !== b.instruction) out.push("direction")
  if (a.orderType !== b.orderType) out.push("orderType")
  if (!sameDecimal(a.price, b.price)) out.push("price")
  if (!sameDecimal(a.stopPrice, b.stopPrice)) out.push("stopPrice")
  if (a.duration !== b.duration) out.push("duration")
  if (a.session !== b.session) out.push("session")
  if (!sameDecimal(recorded.referencePrice, again.referencePrice)) out.push("referencePrice")
  return out
}
