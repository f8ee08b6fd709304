/**
 * Adopting an untracked order: an order this app entered (its tag) that no execution
 * follows, e.g. one placed by a bot that crashed before recording it. `adopt` records it
 * under the execution id given, from Schwab's own snapshot (symbol, shares, side, entered
 * time), and at once records what the snapshot already shows (its fills so far, or its
 * end), so nothing that executed before the adoption is lost. `untracked` lists them.
 */
import {
  type AccountHash,
  DEFAULT_PRICE_BAND,
  Decimal,
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

/** The submission Schwab's snapshot describes, or why the tracker cannot record it. */
export const submissionOf = (
  order: SchwabOrder,
  accountHash: AccountHash,
  executionId: string
): SubmissionInput | string => {
  if (order.legs.length !== 1) return `it has ${order.legs.length} legs; only single-leg orders are recorded`
  const leg = order.legs[0]
  const shares = order.quantity ?? leg?.quantity
  if (leg?.symbol === undefined) return "its snapshot names no symbol"
  if (shares === undefined) return "its snapshot names no quantity"
  if (leg.instruction !== "BUY" && leg.instruction !== "SELL")
    return `its instruction ${leg.instruction ?? "(none)"} is not one the tracker records (BUY, SELL)`
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
