/**
 * The account-activity messages an order's scripted life produces, derived from the
 * same compiled steps the order book folds for REST, so stream and REST agree on
 * every id, quantity, price and time. Sequences follow the captures
 * (shared/schwab/streamer.md §4 "Observed sequences"):
 *
 * - entry: OrderCreated → OrderAccepted → ExecutionRequested(New) →
 *   ExecutionRequestCreated → ExecutionRequestCompleted
 * - each execution: OrderFillCompleted (the last one `LegClosed`: fill completed)
 * - cancel: CancelAccepted → ExecutionRequested(Cancel) → ExecutionRequestCompleted →
 *   ExecutionCreated(UROut) → OrderUROutCompleted, for the unfilled remainder
 * - replace: ChangeCreated(new) → CancelAccepted(old) → ChangeAccepted(new) →
 *   ExecutionCreated(UROut, old) → OrderUROutCompleted(old); the new order then routes
 * - reject, expire: OrderUROutCompleted (shapes unverified, see activityBodies.ts)
 *
 * @since 0.1.0
 */
import {
  type BodyContext,
  cancelAccepted,
  changeAccepted,
  changeCreated,
  executionCreatedUROut,
  executionRequestCompleted,
  executionRequestCreated,
  executionRequested,
  orderAccepted,
  orderCreated,
  orderFillCompleted,
  orderUROutCompleted
} from "./activityBodies.js"
import { fromUnits, toUnits } from "./DecimalText.js"
import { easternDate } from "./easternTime.js"
import type { JsonValue } from "./JsonText.js"
import { type BookOrder, type ExecutionFact, isTerminal, type OrderBook } from "./OrderBook.js"
import { averagePrice } from "./StreamAmount.js"

/** One ACCT_ACTIVITY item before it gets a `seq`: when it happens and its parsed `"3"`. @since 0.1.0 @category models */
export interface ActivityMessage {
  /** Epoch ms at which the streamer sends it: the broker time of what it reports. */
  readonly at: number
  readonly orderId: bigint
  /** Field `"1"`, the plain account number. */
  readonly accountNumber: string
  /** Field `"2"`, the message type. */
  readonly type: string
  /**
   * Field `"3"` before it is written as a JSON string, built when sent: an order's
   * future messages stay a few closures, not documents, at 10,000 open orders.
   */
  readonly body: () => JsonValue
}

/**
 * Streamer execution ids look like `20240711-EST-ngOMS-12990553870` and are not REST
 * activity ids (streamer.md §7), so they count on their own, fixed per activity and leg.
 */
const executionId = (at: number, activityId: bigint, leg: number): string =>
  `${easternDate(at).replaceAll("-", "")}-EST-ngOMS-${10_000_000_000n + (activityId % 100_000_000n) * 100n + BigInt(leg)}`

/** The first order of a chain of replacements. */
const lifecycleRoot = (book: OrderBook, order: BookOrder): bigint => {
  let current = order
  while (current.replaces !== undefined) {
    const previous = book.get(current.replaces)
    if (previous === undefined) break
    current = previous
  }
  return current.orderId
}

/** All of `order`'s messages, in the order they are sent; the same for the same steps. */
export const activityMessages = (
  book: OrderBook,
  order: BookOrder,
  ctx: BodyContext
): ReadonlyArray<ActivityMessage> => {
  const out: Array<ActivityMessage> = []
  const push = (at: number, of: BookOrder, type: string, body: () => JsonValue) =>
    out.push({ at, orderId: of.orderId, accountNumber: of.account.accountNumber, type, body })
  const entered = order.enteredAt
  // A replacement's ChangeCreated and ChangeAccepted come from the order it replaces.
  if (order.replaces === undefined) {
    push(entered, order, "OrderCreated", () => orderCreated(order, ctx))
    if (order.initialStatus === "PENDING_ACTIVATION") {
      // Held before routing (the sandbox's rejects): nothing is routed until it is released.
    } else push(entered, order, "OrderAccepted", () => orderAccepted(order))
  }
  if (order.initialStatus !== "PENDING_ACTIVATION") {
    push(entered, order, "ExecutionRequested", () =>
      executionRequested(order, entered, "New", order.spec.quantity)
    )
    push(entered, order, "ExecutionRequestCreated", () => executionRequestCreated(order, entered))
    push(entered, order, "ExecutionRequestCompleted", () => executionRequestCompleted(order, entered, "New"))
  }

  const total = toUnits(order.spec.quantity)
  let filled = 0n
  let status: string = order.initialStatus
  const executions: Array<ExecutionFact> = []
  const urOut = (at: number, activityId: bigint, cancelType: string, rejection?: string) => {
    const rest = fromUnits(total - filled)
    const id = executionId(at, activityId, 0)
    push(at, order, "ExecutionCreated", () => executionCreatedUROut(order, at, id, rest, cancelType))
    push(at, order, "OrderUROutCompleted", () =>
      orderUROutCompleted(order, at, id, rest, cancelType, rejection)
    )
  }
  for (const step of order.steps) {
    if (isTerminal(status)) break
    const at = entered + step.atMs
    switch (step.kind) {
      case "status":
        status = step.status
        break
      case "fill":
        step.executions.forEach((execution, leg) => {
          filled += toUnits(execution.quantity)
          executions.push(execution)
          const facts = {
            at,
            executionId: executionId(at, step.activityId, leg + 1),
            quantity: execution.quantity,
            price: execution.price,
            cumulative: fromUnits(filled),
            leaves: fromUnits(total - filled),
            averagePrice: averagePrice(executions)
          }
          push(at, order, "OrderFillCompleted", () => orderFillCompleted(order, facts))
        })
        status = filled === total ? "FILLED" : "WORKING"
        break
      case "cancel": {
        const rest = fromUnits(total - filled)
        push(at, order, "CancelAccepted", () => cancelAccepted(order, at, rest))
        push(at, order, "ExecutionRequested", () => executionRequested(order, at, "Cancel", rest))
        push(at, order, "ExecutionRequestCompleted", () => executionRequestCompleted(order, at, "Cancel"))
        urOut(at, step.activityId, "ClientCancel")
        status = "CANCELED"
        break
      }
      case "reject": {
        const rest = fromUnits(total - filled)
        const id = executionId(at, order.orderId, 0)
        push(at, order, "OrderUROutCompleted", () =>
          orderUROutCompleted(order, at, id, rest, "SystemReject", step.description)
        )
        status = "REJECTED"
        break
      }
      case "expire":
        urOut(at, order.orderId, "Expired")
        status = "EXPIRED"
        break
      case "replace": {
        const next = book.get(step.newOrderId)
        const rest = fromUnits(total - filled)
        if (next !== undefined)
          push(at, next, "ChangeCreated", () =>
            changeCreated(next, ctx, order.orderId, lifecycleRoot(book, order))
          )
        push(at, order, "CancelAccepted", () => cancelAccepted(order, at, rest, step.newOrderId))
        if (next !== undefined) push(at, next, "ChangeAccepted", () => changeAccepted(next, order.orderId))
        urOut(at, order.orderId, "ClientCancel")
        status = "REPLACED"
        break
      }
    }
  }
  return out
}
