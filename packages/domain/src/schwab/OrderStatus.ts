/**
 * Schwab order statuses: the wire codec (a status the spec does not list is kept, never
 * a failure) and the classification the reconciler acts on.
 *
 * @since 0.1.0
 */
import * as t from "io-ts"
import { KNOWN_ORDER_STATUSES, type KnownOrderStatus, type OrderStatus } from "../SchwabOrder.js"

const KNOWN: ReadonlySet<string> = new Set(KNOWN_ORDER_STATUSES)

/**
 * The status for wire text: `Known` for the spec's 21 values, `Unlisted` (verbatim) for
 * anything else.
 *
 * @since 0.1.0
 * @category constructors
 */
export const orderStatusFromString = (value: string): OrderStatus =>
  KNOWN.has(value) ? { _tag: "Known", value: value as KnownOrderStatus } : { _tag: "Unlisted", value }

/**
 * The status's wire text, known or not.
 *
 * @since 0.1.0
 * @category conversions
 */
export const orderStatusText = (status: OrderStatus): string => status.value

const isOrderStatus = (u: unknown): u is OrderStatus => {
  if (typeof u !== "object" || u === null) return false
  const { _tag, value } = u as { _tag?: unknown; value?: unknown }
  if (typeof value !== "string") return false
  return _tag === "Known" ? KNOWN.has(value) : _tag === "Unlisted" && !KNOWN.has(value)
}

/**
 * `status` on the wire: any string decodes (unlisted ones as `Unlisted`), so one new
 * status never makes an order unreadable. A value that is not a string fails.
 *
 * @since 0.1.0
 * @category codecs
 */
export const OrderStatusFromWire: t.Type<OrderStatus, string, unknown> = new t.Type(
  "OrderStatusFromWire",
  isOrderStatus,
  (u, c) =>
    typeof u === "string" ? t.success(orderStatusFromString(u)) : t.failure(u, c, "expected a status string"),
  orderStatusText
)

/**
 * What a status means for tracking fills.
 *
 * @since 0.1.0
 * @category models
 */
export type StatusClass = "working" | "filled" | "terminalFailure" | "replaced" | "unknown"

/**
 * The class of every listed status, and why:
 * - working: the order is alive at the broker or on its way there, so more fills may come.
 *   The `AWAITING_*` statuses wait for a parent, condition, stop, review, release time or
 *   (`AWAITING_UR_OUT`) an "you are out" confirmation; `ACCEPTED`, `PENDING_ACTIVATION`,
 *   `PENDING_ACKNOWLEDGEMENT`, `QUEUED`, `NEW` and `WORKING` are live; `PENDING_CANCEL`,
 *   `PENDING_REPLACE` and `PENDING_RECALL` are requests the broker has not carried out:
 *   the order can still fill until it answers.
 * - filled: `FILLED`, every share executed.
 * - terminalFailure: `CANCELED`, `REJECTED`, `EXPIRED` end the order; shares that executed
 *   before stay executed.
 * - replaced: `REPLACED`, the order lives on as its replacement.
 * - unknown: `UNKNOWN`; the broker itself does not know, so nothing is decided from it.
 */
const CLASS_OF: { readonly [S in KnownOrderStatus]: StatusClass } = {
  AWAITING_PARENT_ORDER: "working",
  AWAITING_CONDITION: "working",
  AWAITING_STOP_CONDITION: "working",
  AWAITING_MANUAL_REVIEW: "working",
  ACCEPTED: "working",
  AWAITING_UR_OUT: "working",
  PENDING_ACTIVATION: "working",
  QUEUED: "working",
  WORKING: "working",
  REJECTED: "terminalFailure",
  PENDING_CANCEL: "working",
  CANCELED: "terminalFailure",
  PENDING_REPLACE: "working",
  REPLACED: "replaced",
  FILLED: "filled",
  EXPIRED: "terminalFailure",
  NEW: "working",
  AWAITING_RELEASE_TIME: "working",
  PENDING_ACKNOWLEDGEMENT: "working",
  PENDING_RECALL: "working",
  UNKNOWN: "unknown"
}

/**
 * Classifies a status (see the table above `CLASS_OF` for each one's reason). A status
 * the spec does not list is `unknown`: guessing that it is final could lose fills.
 *
 * @since 0.1.0
 * @category destructors
 */
export const classifyStatus = (status: OrderStatus): StatusClass =>
  status._tag === "Known" ? (CLASS_OF[status.value] ?? "unknown") : "unknown"
