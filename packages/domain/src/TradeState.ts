/**
 * The state of one execution, folded from its events by `evolve`.
 *
 * @since 0.1.0
 */
import type { Failed, Filled, FillFlagged, LegFilled, Submitted } from "./Events.js"
import type { OrderId } from "./ids.js"

/** No event yet. @since 0.1.0 @category models */
export interface Pending {
  readonly status: "Pending"
}

/** Sent to Schwab; fills so far (keyed by fill key, in broker-time order). @since 0.1.0 @category models */
export interface Working {
  readonly status: "Submitted"
  readonly submission: Submitted
  /** The order currently followed: the submitted one, or its latest replacement. */
  readonly orderId: OrderId
  readonly fills: ReadonlyArray<LegFilled>
  readonly flags: ReadonlyArray<FillFlagged>
}

/** @since 0.1.0 @category models */
export interface FilledState {
  readonly status: "Filled"
  readonly submission: Submitted
  readonly orderId: OrderId
  readonly fills: ReadonlyArray<LegFilled>
  readonly flags: ReadonlyArray<FillFlagged>
  readonly filled: Filled
}

/** @since 0.1.0 @category models */
export interface FailedState {
  readonly status: "Failed"
  readonly submission: Submitted
  readonly orderId: OrderId
  readonly fills: ReadonlyArray<LegFilled>
  readonly flags: ReadonlyArray<FillFlagged>
  readonly failed: Failed
}

/** @since 0.1.0 @category models */
export type TradeState = Pending | Working | FilledState | FailedState

/** @since 0.1.0 @category constructors */
export const initial: TradeState = { status: "Pending" }

/** Filled and Failed absorb: no later event changes them. @since 0.1.0 @category guards */
export const isTerminal = (s: TradeState): s is FilledState | FailedState =>
  s.status === "Filled" || s.status === "Failed"
