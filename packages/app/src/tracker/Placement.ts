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
  OrderShares,
  OrderSymbol,
  type PlacementRequested,
  type WireWord
} from "@fill-tracker/domain"
import { check, InvalidSubmission } from "./Submission.js"

/** An order for the tracker to place: a market order, DAY, regular session (what the client sends). */
export interface PlacementInput {
  /** The account: Schwab's hash, or the plain account number (mapped to its hash; never stored). */
  readonly accountHash: string
  readonly symbol: string
  readonly shares: string | number | bigint
  readonly direction: "BUY" | "SELL" | "SELL_SHORT" | "BUY_TO_COVER"
  /** The price the bot expects, for the fill price sanity band. Text keeps it exact. */
  readonly referencePrice?: string
}

/** The order words the client's placement sends (SchwabClient.placeOrder: market, DAY, NORMAL). */
const MARKET = "MARKET" as WireWord
const NORMAL = "NORMAL" as WireWord
const DAY = "DAY" as WireWord

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
    direction === undefined
  )
    return new InvalidSubmission({ problems })
  return {
    type: "PlacementRequested",
    executionId,
    accountHash: hash,
    order: { symbol, shares, instruction: direction, orderType: MARKET, session: NORMAL, duration: DAY },
    requestedAt: instantFromDate(now),
    ...(referencePrice === undefined ? {} : { referencePrice })
  }
}

/** The fields in which a repeated placement differs from the recorded intent (its time aside). */
export const differingIntent = (
  recorded: PlacementRequested,
  again: PlacementRequested
): ReadonlyArray<string> => {
  const out: Array<string> = []
  if (recorded.accountHash !== again.accountHash) out.push("accountHash")
  if (recorded.order.symbol !== again.order.symbol) out.push("symbol")
  if (!Decimal.equals(recorded.order.shares, again.order.shares)) out.push("shares")
  if (recorded.order.instruction !== again.order.instruction) out.push("direction")
  const a = recorded.referencePrice
  const b = again.referencePrice
  if (a === undefined ? b !== undefined : b === undefined || !Decimal.equals(a, b)) out.push("referencePrice")
  return out
}
