/**
 * One row of the executions read model: the current view of one execution (stream).
 *
 * Decimals are canonical decimal text (`Decimal.format`), never floats; cents are bigint.
 * A row is plain data, so two rows compare with deep equality.
 *
 * @since 0.1.0
 */
import type {
  AccountHash,
  Direction,
  ExecutionId,
  FlagKind,
  Instant,
  OrderId,
  TickerSymbol
} from "@fill-tracker/domain"

/**
 * Flat status: an intent not yet resolved to an order (PENDING), still working, or one of
 * the two terminal outcomes.
 *
 * @since 0.1.0
 * @category models
 */
export type FlatStatus = "PENDING" | "SUBMITTED" | "FILLED" | "FAILED"

/**
 * Exact state. PENDING: the tracker recorded its intent to place and has no order id yet.
 * SUBMITTED / PARTIALLY_FILLED are working (flat SUBMITTED); FILLED; and the failed family
 * from the broker status of the `Failed` event: CANCELED, REJECTED, EXPIRED,
 * REPLACED_FAILED (replaced by an order that is not followed) and FAILED (anything else);
 * and for an intent that found no single order, NOT_PLACED (none) or
 * PLACEMENT_AMBIGUOUS (several candidates; the reason names them).
 *
 * @since 0.1.0
 * @category models
 */
export type ExecutionState =
  | "PENDING"
  | "SUBMITTED"
  | "PARTIALLY_FILLED"
  | "FILLED"
  | "CANCELED"
  | "REJECTED"
  | "EXPIRED"
  | "REPLACED_FAILED"
  | "FAILED"
  | "NOT_PLACED"
  | "PLACEMENT_AMBIGUOUS"

/** @since 0.1.0 @category models */
export const executionStates: ReadonlyArray<ExecutionState> = [
  "PENDING",
  "SUBMITTED",
  "PARTIALLY_FILLED",
  "FILLED",
  "CANCELED",
  "REJECTED",
  "EXPIRED",
  "REPLACED_FAILED",
  "FAILED",
  "NOT_PLACED",
  "PLACEMENT_AMBIGUOUS"
]

/**
 * The replace or cancel of a working execution: recorded and not yet seen through
 * (`*_REQUESTED`; a replace is seen through by its `Replaced`, a cancel by the end of the
 * order), or the last one that lapsed because Schwab never acted on it (`*_LAPSED`: a new
 * replace or cancel may be asked for).
 *
 * @since 0.4.0
 * @category models
 */
export type RequestState = "REPLACE_REQUESTED" | "CANCEL_REQUESTED" | "REPLACE_LAPSED" | "CANCEL_LAPSED"

/** @since 0.4.0 @category models */
export const requestStates: ReadonlyArray<RequestState> = [
  "REPLACE_REQUESTED",
  "CANCEL_REQUESTED",
  "REPLACE_LAPSED",
  "CANCEL_LAPSED"
]

/** Per order leg totals of a multi-leg order, as stored in the `legs` JSON column. @since 0.1.0 @category models */
export interface LegRow {
  readonly legId: string
  readonly filledQuantity: string
  readonly notional: string
  readonly averagePrice: string
  /** Cents as digit text (JSON has no bigint). */
  readonly priceCents: string
  readonly symbol?: string
  readonly instruction?: string
}

/** @since 0.1.0 @category models */
export interface ExecutionRow {
  readonly executionId: ExecutionId
  readonly status: FlatStatus
  readonly state: ExecutionState
  /**
   * The order currently followed: the submitted one or its latest followed replacement.
   * Null while PENDING and for NOT_PLACED / PLACEMENT_AMBIGUOUS (no order was ever followed).
   */
  readonly orderId: OrderId | null
  readonly originalOrderId: OrderId | null
  readonly accountHash: AccountHash
  readonly symbol: TickerSymbol
  readonly shares: string
  readonly direction: Direction
  /** Single-leg: sum of fills (or the terminal event's total). Multi-leg while working: the smallest per-leg quantity. */
  readonly filledShares: string
  /** Exact sum of quantity × price (single-leg), or the terminal event's notional; null when unknown. */
  readonly notional: string | null
  /** Exact average price text (12 digits half-up when it does not terminate); null until a price is known. */
  readonly averagePrice: string | null
  /** Average rounded half-up to cents once. */
  readonly priceCents: bigint | null
  /** The order leg a single-leg order's fills name, when they name one. */
  readonly legId: string | null
  /** Per-leg totals for orders with two or more legs; null for single-leg orders. */
  readonly legs: ReadonlyArray<LegRow> | null
  readonly flagCount: number
  readonly lastFlagKind: FlagKind | null
  readonly reason: string | null
  readonly brokerStatus: string | null
  /** When the order was submitted; for an intent (PENDING and its failures), when it was requested. */
  readonly submittedAt: Instant
  /** Broker close time of a FILLED execution. */
  readonly executedAt: Instant | null
  readonly failedAt: Instant | null
  readonly streamVersion: number
  /** Recorded-at of the last event applied (not wall-clock time, so a replay reproduces it). */
  readonly updatedAt: Instant
  /** The working execution's replace or cancel (see RequestState); null when none, and on every closed row. */
  readonly request: RequestState | null
  /** When that request was recorded (null with it). */
  readonly requestedAt: Instant | null
}

/**
 * A working execution (flat SUBMITTED): it always follows an order (the read model's CHECK
 * `order_id_unless_unplaced`), so the poller reads its order ids without null checks.
 *
 * @since 0.4.0
 * @category models
 */
export interface OpenExecutionRow extends ExecutionRow {
  readonly status: "SUBMITTED"
  readonly orderId: OrderId
  readonly originalOrderId: OrderId
}

/** Whether a row is working and follows an order. @since 0.4.0 @category guards */
export const isOpenRow = (row: ExecutionRow): row is OpenExecutionRow =>
  row.status === "SUBMITTED" && row.orderId !== null && row.originalOrderId !== null

/**
 * A difference `verify` found between the live read model and one rebuilt from events.
 *
 * @since 0.1.0
 * @category models
 */
export type RowDifference =
  | { readonly kind: "MissingInLive"; readonly executionId: string; readonly rebuilt: ExecutionRow }
  | { readonly kind: "MissingInRebuilt"; readonly executionId: string; readonly live: ExecutionRow }
  | {
      readonly kind: "Different"
      readonly executionId: string
      readonly columns: ReadonlyArray<{
        readonly column: string
        readonly live: unknown
        readonly rebuilt: unknown
      }>
    }
  | {
      readonly kind: "OrderIndex"
      readonly executionId: string
      readonly orderId: string
      readonly presentIn: "live" | "rebuilt"
    }
