/**
 * The truth about an order: what an honest tracker must end up recording. It is
 * read from the same compiled steps the rendering uses, but without any noise.
 *
 * @since 0.1.0
 */
import type { BookOrder, OrderBook } from "./OrderBook.js"
import { schwabTime } from "./renderOrder.js"

/** One execution leg that is a fill. @since 0.1.0 @category models */
export interface FillTruth {
  readonly activityId: string
  /** Position inside the activity's `executionLegs`. */
  readonly executionIndex: number
  readonly legId: string
  readonly quantity: string
  /** Decimal text exactly as scripted, e.g. "22.7299". */
  readonly price: string
  /** As the wire shows it: `2025-08-29T17:15:18+0000`. */
  readonly time: string
  readonly epochMs: number
}

/** @since 0.1.0 @category models */
export interface OrderTruth {
  readonly orderId: string
  readonly accountHash: string
  readonly symbol: string
  readonly instruction: string
  readonly quantity: string
  readonly lifecycle: string
  /** False while a scripted replacement has not been entered yet. */
  readonly entered: boolean
  readonly status: string
  readonly enteredTime: string
  readonly closeTime?: string
  readonly statusDescription?: string
  readonly filledQuantity: string
  /** Fills in time order. CANCELED activities are not fills and are not here. */
  readonly fills: ReadonlyArray<FillTruth>
  readonly replacedBy?: string
  readonly replaces?: string
}

/** @since 0.1.0 @category truth */
export const truthOf = (book: OrderBook, order: BookOrder, now: number): OrderTruth => {
  const state = book.stateAt(order, now)
  const fills = state.activities
    .filter((activity) => activity.executionType === "FILL")
    .flatMap((activity) =>
      activity.executions.map((execution, executionIndex) => ({
        activityId: activity.activityId.toString(),
        executionIndex,
        legId: "1",
        quantity: execution.quantity,
        price: execution.price,
        time: schwabTime(activity.at),
        epochMs: Math.floor(activity.at / 1000) * 1000
      }))
    )
  return {
    orderId: order.orderId.toString(),
    accountHash: order.account.hashValue,
    symbol: order.spec.symbol,
    instruction: order.spec.instruction,
    quantity: order.spec.quantity,
    lifecycle: order.lifecycleName,
    entered: state.entered,
    status: state.status,
    enteredTime: schwabTime(order.enteredAt),
    filledQuantity: state.filledQuantity,
    fills,
    ...(state.closeAt === undefined ? {} : { closeTime: schwabTime(state.closeAt) }),
    ...(state.statusDescription === undefined ? {} : { statusDescription: state.statusDescription }),
    ...(state.replacedBy === undefined ? {} : { replacedBy: state.replacedBy.toString() }),
    ...(order.replaces === undefined ? {} : { replaces: order.replaces.toString() })
  }
}
