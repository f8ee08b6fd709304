/**
 * The state of one execution, folded from its events by `evolve`.
 *
 * @since 0.1.0
 */
import type {
  CancelRequested,
  Failed,
  Filled,
  FillFlagged,
  LegFilled,
  PlacementRequested,
  ReplaceRequested,
  Submitted
} from "./Events.js"
import type { OrderId } from "./ids.js"

/** No event yet: the stream does not exist. @since 0.2.0 @category models */
export interface Empty {
  readonly status: "Empty"
}

/**
 * The tracker recorded its intent to place an order and has no order id yet: the request
 * may be in flight, lost, or answered without a usable `Location`. Resolved from the
 * account's order list, never by sending again.
 *
 * @since 0.1.0
 * @category models
 */
export interface Pending {
  readonly status: "Pending"
  readonly intent: PlacementRequested
}

/** Sent to Schwab; fills so far (keyed by fill key, in broker-time order). @since 0.1.0 @category models */
export interface Working {
  readonly status: "Submitted"
  readonly submission: Submitted
  /** The order currently followed: the submitted one, or its latest replacement. */
  readonly orderId: OrderId
  readonly fills: ReadonlyArray<LegFilled>
  readonly flags: ReadonlyArray<FillFlagged>
  /** The intent the submission resolved, when the tracker placed the order itself. */
  readonly intent?: PlacementRequested
  /**
   * The latest replace or cancel of the followed order recorded and not yet seen through
   * (a replace is seen through by `Replaced`; a cancel by the terminal event; either is
   * closed unperformed by `RequestLapsed` when Schwab never acted on it).
   */
  readonly request?: ReplaceRequested | CancelRequested
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

/**
 * An intent that found no single order: none was placed, or several candidates (the
 * `Failed` event names them). Terminal, with no order and no fills.
 *
 * @since 0.2.0
 * @category models
 */
export interface PlacementFailed {
  readonly status: "PlacementFailed"
  readonly intent: PlacementRequested
  readonly failed: Failed
}

/** @since 0.1.0 @category models */
export type TradeState = Empty | Pending | Working | FilledState | FailedState | PlacementFailed

/** @since 0.1.0 @category constructors */
export const initial: TradeState = { status: "Empty" }

/** Filled, Failed and PlacementFailed absorb: no later event changes them. @since 0.1.0 @category guards */
export const isTerminal = (s: TradeState): s is FilledState | FailedState | PlacementFailed =>
  s.status === "Filled" || s.status === "Failed" || s.status === "PlacementFailed"

/** The states that follow a Schwab order. @since 0.2.0 @category guards */
export const followsOrder = (s: TradeState): s is Working | FilledState | FailedState =>
  s.status === "Submitted" || s.status === "Filled" || s.status === "Failed"
