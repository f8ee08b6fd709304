/**
 * Why `reconcile` refused a broker snapshot. Each is a value, never a thrown error: the
 * poller logs it, keeps the execution open and polls again; nothing is appended.
 *
 * @since 0.1.0
 */
import type { Decimal } from "./Decimal.js"
import { format } from "./Decimal.js"
import type { OrderId } from "./ids.js"

/** Reconcile was asked about an execution with no `Submitted` event yet. @since 0.1.0 @category errors */
export interface NotSubmitted {
  readonly _tag: "NotSubmitted"
  readonly message: string
}

/** The snapshot is of another order than the one the execution follows. @since 0.1.0 @category errors */
export interface OrderMismatch {
  readonly _tag: "OrderMismatch"
  readonly expected: OrderId
  /** Absent when the snapshot carries no readable order id. */
  readonly actual?: OrderId
  readonly message: string
}

/** A fill already recorded now shows another quantity or price. @since 0.1.0 @category errors */
export interface FillContradiction {
  readonly _tag: "FillContradiction"
  readonly orderId: OrderId
  readonly fillKey: string
  readonly recorded: { readonly quantity: Decimal; readonly price: Decimal }
  readonly snapshot: { readonly quantity: Decimal; readonly price: Decimal }
  readonly message: string
}

/** One snapshot holds the same fill key twice with different contents. @since 0.1.0 @category errors */
export interface DuplicateFillKey {
  readonly _tag: "DuplicateFillKey"
  readonly orderId: OrderId
  readonly fillKey: string
  readonly message: string
}

/** A FILL execution leg with a negative quantity: no honest event can record it. @since 0.1.0 @category errors */
export interface InvalidFill {
  readonly _tag: "InvalidFill"
  readonly orderId: OrderId
  readonly fillKey: string
  readonly message: string
}

/**
 * New fills for an execution that already ended (Filled or Failed). Terminal states
 * accept no fill, so the recorded totals would be wrong: a person must look.
 *
 * @since 0.1.0
 * @category errors
 */
export interface FillAfterTerminal {
  readonly _tag: "FillAfterTerminal"
  readonly orderId: OrderId
  readonly status: "Filled" | "Failed"
  readonly fillKeys: ReadonlyArray<string>
  readonly message: string
}

/** @since 0.1.0 @category errors */
export type Inconsistency =
  | NotSubmitted
  | OrderMismatch
  | FillContradiction
  | DuplicateFillKey
  | InvalidFill
  | FillAfterTerminal

/** @since 0.1.0 @category constructors */
export const notSubmitted = (): NotSubmitted => ({
  _tag: "NotSubmitted",
  message: "the execution has no Submitted event yet, so there is no order to reconcile"
})

/** @since 0.1.0 @category constructors */
export const orderMismatch = (expected: OrderId, actual: OrderId | undefined): OrderMismatch => ({
  _tag: "OrderMismatch",
  expected,
  ...(actual === undefined ? {} : { actual }),
  message: `snapshot is of order ${actual ?? "<no order id>"}, but the execution follows order ${expected}`
})

/** @since 0.1.0 @category constructors */
export const fillContradiction = (
  orderId: OrderId,
  fillKey: string,
  recorded: { readonly quantity: Decimal; readonly price: Decimal },
  snapshot: { readonly quantity: Decimal; readonly price: Decimal }
): FillContradiction => ({
  _tag: "FillContradiction",
  orderId,
  fillKey,
  recorded,
  snapshot,
  message:
    `order ${orderId} fill ${fillKey} was recorded as ${format(recorded.quantity)} @ ${format(recorded.price)}` +
    ` but the snapshot shows ${format(snapshot.quantity)} @ ${format(snapshot.price)}`
})

/** @since 0.1.0 @category constructors */
export const duplicateFillKey = (orderId: OrderId, fillKey: string): DuplicateFillKey => ({
  _tag: "DuplicateFillKey",
  orderId,
  fillKey,
  message: `order ${orderId} snapshot holds fill ${fillKey} twice with different contents`
})

/** @since 0.1.0 @category constructors */
export const invalidFill = (orderId: OrderId, fillKey: string, quantity: Decimal): InvalidFill => ({
  _tag: "InvalidFill",
  orderId,
  fillKey,
  message: `order ${orderId} fill ${fillKey} has a negative quantity ${format(quantity)}`
})

/** @since 0.1.0 @category constructors */
export const fillAfterTerminal = (
  orderId: OrderId,
  status: "Filled" | "Failed",
  fillKeys: ReadonlyArray<string>
): FillAfterTerminal => ({
  _tag: "FillAfterTerminal",
  orderId,
  status,
  fillKeys,
  message: `order ${orderId} shows ${fillKeys.length} new fill(s) (${fillKeys.join(", ")}) after the execution was recorded ${status}`
})
