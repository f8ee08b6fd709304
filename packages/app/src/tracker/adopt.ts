/**
 * Adopting an untracked order: an order this app entered (its tag) that no execution
 * follows, e.g. one placed by a bot that crashed before recording it. Any single-leg
 * equity order, of any order type and any of the four equity instructions. `adopt` records it
 * under the execution id given, from Schwab's own snapshot (symbol, shares, side, entered
 * time), and at once records what the snapshot already shows (its fills so far, or its
 * end), so nothing that executed before the adoption is lost. `untracked` lists them.
 */
import {
  type AccountHash,
  DEFAULT_PRICE_BAND,
  Decimal,
  Direction,
  flattenOrders,
  fold,
  instantFromDate,
  type OrderId,
  OrderId as OrderIdCodec,
  reconcile,
  type SchwabOrder
} from "@fill-tracker/domain"
import { OrderNotFound, type SchwabClient, type SchwabError } from "@fill-tracker/schwab-client"
import type { EventStore, ExecutionRow, Executions, StoreError } from "@fill-tracker/store"
import { Data, Effect } from "effect"
import { findUntracked, type UntrackedOptions, type UntrackedOrder } from "../poller/untracked.js"
import type { SubmissionInput } from "./Submission.js"

/** The order cannot be adopted: not found in any account, or not an order the tracker records. */
export class CannotAdopt extends Data.TaggedError("CannotAdopt")<{
  readonly orderId: string
  readonly reason: string
}> {
  override get message() {
    return `order ${this.orderId} cannot be adopted: ${this.reason}`
  }
}

/**
 * Asset types whose orders the tracker models: whole shares of one instrument bought or
 * sold (an ETF may be listed as either). Options trade in contracts with their own
 * instructions (BUY_TO_OPEN, ...), mutual funds and bonds in dollars or face value: the
 * events have no place for them, so such an order is refused rather than misread.
 */
const MODELLED_ASSETS = new Set(["EQUITY", "COLLECTIVE_INVESTMENT"])

/**
 * The submission Schwab's snapshot describes, or why the tracker cannot record it. Any
 * order type is taken (MARKET, LIMIT, STOP, STOP_LIMIT, TRAILING_STOP, on-close orders,
 * ...): fills arrive the same way whatever made them. What is refused is what the events
 * cannot model: several legs (a spread fills per leg), another asset type than equity, an
 * instruction other than the four equity ones, a quantity that is not whole shares.
 */
export const submissionOf = (
  order: SchwabOrder,
  accountHash: AccountHash,
  executionId: string
): SubmissionInput | string => {
  if (order.legs.length !== 1)
    return `it has ${order.legs.length} legs; only single-leg orders are recorded (a multi-leg order fills per leg)`
  const leg = order.legs[0]
  const shares = order.quantity ?? leg?.quantity
  if (leg?.symbol === undefined) return "its snapshot names no symbol"
  if (shares === undefined) return "its snapshot names no quantity"
  if (leg.assetType !== undefined && !MODELLED_ASSETS.has(leg.assetType))
    return `its asset type ${leg.assetType} is not one the tracker records (equities: EQUITY, COLLECTIVE_INVESTMENT)`
  if (!Direction.is(leg.instruction))
    return `its instruction ${leg.instruction ?? "(none)"} is not one the tracker records (BUY, SELL, SELL_SHORT, BUY_TO_COVER)`
  if (!Decimal.isInteger(shares) || !Decimal.isPositive(shares))
    return `its quantity ${Decimal.format(shares)} is not whole shares`
  if (order.orderId === undefined) return "its snapshot has no order id"
  return {
    executionId,
    orderId: order.orderId,
    accountHash,
    symbol: leg.symbol,
    shares: Decimal.format(shares),
    direction: leg.instruction,
    ...(order.enteredTime === undefined ? {} : { submittedAt: order.enteredTime })
  }
}

/** The adopted order's snapshot, from the account given or from the first account that has it. */
export const findOrder = (
  client: SchwabClient.SchwabClient,
  orderId: string,
  accounts: ReadonlyArray<AccountHash>
): Effect.Effect<{ order: SchwabOrder; accountHash: AccountHash }, CannotAdopt | SchwabError> =>
  Effect.gen(function* () {
    if (!OrderIdCodec.is(orderId)) return yield* new CannotAdopt({ orderId, reason: "it is not an order id" })
    for (const accountHash of accounts) {
      const found = yield* client.getOrder(accountHash, orderId as OrderId).pipe(
        Effect.map((order): SchwabOrder | undefined => order),
        Effect.catchIf(
          (e): e is OrderNotFound => e instanceof OrderNotFound,
          () => Effect.succeed(undefined)
        )
      )
      if (found !== undefined) return { order: found, accountHash }
    }
    return yield* new CannotAdopt({ orderId, reason: "no account this authorization can see has it" })
  })

/** Records what the adopted order's snapshot already shows (fills so far, its end). */
export const recordHistory = (
  store: EventStore["Type"],
  row: ExecutionRow,
  order: SchwabOrder,
  now: number
) =>
  Effect.gen(function* () {
    const stream = yield* store.readStream(row.executionId)
    const decided = reconcile(
      fold(stream.events.map((r) => r.event)),
      order,
      instantFromDate(new Date(now)),
      {
        priceBand: DEFAULT_PRICE_BAND
      }
    )
    // An inconsistent snapshot is left to the poller, which logs and counts it.
    if (decided._tag === "Right" && decided.right.length > 0)
      yield* store
        .append(row.executionId, stream.version, decided.right, { source: "adopt" })
        // A poller appended in between: it saw the same snapshot or a later one.
        .pipe(Effect.catchTag("ConcurrencyError", () => Effect.void))
  })

/** This app's untracked orders in `accounts` now, each account listed over the lookback. */
export const listUntracked = (
  client: SchwabClient.SchwabClient,
  accounts: ReadonlyArray<AccountHash>,
  options: UntrackedOptions,
  now: number
): Effect.Effect<ReadonlyArray<UntrackedOrder>, SchwabError | StoreError, Executions> =>
  Effect.map(
    Effect.forEach(accounts, (accountHash) =>
      Effect.flatMap(
        client.listOrders(accountHash, {
          from: new Date(now - options.lookbackMs),
          to: new Date(now + 60_000)
        }),
        (list) => findUntracked(accountHash, flattenOrders(list.orders), options, now)
      )
    ),
    (perAccount) => perAccount.flat()
  )
