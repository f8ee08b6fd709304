/**
 * The decoded form of Schwab's `Order` (spec: `shared/schwab/`, schema `Order`): only the
 * parts fill tracking reads, with exact decimals, string ids and normalised times.
 * The io-ts wire codecs that produce it live in `schwab/`.
 *
 * @since 0.1.0
 */
import type { Decimal } from "./Decimal.js"
import type { Instant, OrderId, TickerSymbol } from "./ids.js"

/** The 21 statuses of the spec, in its order. @since 0.1.0 @category models */
export const KNOWN_ORDER_STATUSES = [
  "AWAITING_PARENT_ORDER",
  "AWAITING_CONDITION",
  "AWAITING_STOP_CONDITION",
  "AWAITING_MANUAL_REVIEW",
  "ACCEPTED",
  "AWAITING_UR_OUT",
  "PENDING_ACTIVATION",
  "QUEUED",
  "WORKING",
  "REJECTED",
  "PENDING_CANCEL",
  "CANCELED",
  "PENDING_REPLACE",
  "REPLACED",
  "FILLED",
  "EXPIRED",
  "NEW",
  "AWAITING_RELEASE_TIME",
  "PENDING_ACKNOWLEDGEMENT",
  "PENDING_RECALL",
  "UNKNOWN"
] as const

/** @since 0.1.0 @category models */
export type KnownOrderStatus = (typeof KNOWN_ORDER_STATUSES)[number]

/**
 * A status the spec lists, or one it does not (kept verbatim, never a decode failure:
 * one new status must not blind the tracker to every other order).
 *
 * @since 0.1.0
 * @category models
 */
export type OrderStatus =
  | { readonly _tag: "Known"; readonly value: KnownOrderStatus }
  | { readonly _tag: "Unlisted"; readonly value: string }

/** One execution inside an activity. `legId` is the ORDER leg it fills, not a fill id. */
export interface ExecutionLeg {
  /** Position inside the activity's `executionLegs`, part of the fill key. */
  readonly index: number
  readonly legId?: string
  readonly quantity: Decimal
  readonly mismarkedQuantity?: Decimal
  readonly price: Decimal
  readonly time?: Instant
  readonly instrumentId?: string
}

/** @since 0.1.0 @category models */
export interface OrderActivity {
  readonly activityType?: string
  /** int64 on the wire, kept as digits. Not in the spec, present in real responses. */
  readonly activityId?: string
  /** `FILL` is a fill; `CANCELED` (price 0) and anything else never is. */
  readonly executionType?: string
  readonly quantity?: Decimal
  readonly orderRemainingQuantity?: Decimal
  readonly executionLegs: ReadonlyArray<ExecutionLeg>
}

/** @since 0.1.0 @category models */
export interface OrderLeg {
  readonly legId?: string
  readonly instruction?: string
  readonly quantity?: Decimal
  readonly symbol?: TickerSymbol
  readonly assetType?: string
  readonly instrumentId?: string
}

/** @since 0.1.0 @category models */
export interface SchwabOrder {
  readonly orderId?: OrderId
  readonly status: OrderStatus
  readonly quantity?: Decimal
  readonly filledQuantity?: Decimal
  readonly remainingQuantity?: Decimal
  /** The order's limit, never a fill price. */
  readonly price?: Decimal
  /** A STOP or STOP_LIMIT order's trigger. */
  readonly stopPrice?: Decimal
  readonly orderType?: string
  readonly duration?: string
  readonly session?: string
  readonly orderStrategyType?: string
  readonly complexOrderStrategyType?: string
  readonly enteredTime?: Instant
  readonly closeTime?: Instant
  readonly statusDescription?: string
  readonly tag?: string
  readonly legs: ReadonlyArray<OrderLeg>
  readonly activities: ReadonlyArray<OrderActivity>
  readonly replacingOrders: ReadonlyArray<SchwabOrder>
  readonly childOrders: ReadonlyArray<SchwabOrder>
}
