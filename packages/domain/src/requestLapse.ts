/**
 * Request resolution: what became of a replace or cancel the tracker sent whose answer
 * was lost (a timeout, a 5xx after sending, a hang). It is read from what Schwab says of
 * the followed order, never found out by sending the request again:
 * - the order REPLACED: `reconcile` follows the replacement (named, or discovered);
 * - the order ended (CANCELED, FILLED, ...): `reconcile` records the end, executed shares kept;
 * - the order still plainly working, naming no replacement, a bounded time after the
 *   request: Schwab never acted on it, and `RequestLapsed` closes the request.
 * Pure: the snapshot and the time come in as arguments.
 *
 * @since 0.4.0
 */
import type { RequestLapsed } from "./Events.js"
import type { Instant } from "./ids.js"
import type { SchwabOrder } from "./SchwabOrder.js"
import { classifyStatus } from "./schwab/OrderStatus.js"
import type { Working } from "./TradeState.js"

/**
 * How long after a request the followed order may still show plainly working before the
 * request is taken as not carried out: Schwab acts on a replace or cancel within seconds
 * (the order turns PENDING_* at once), and the bot needs to hear soon that it may ask again.
 *
 * @since 0.4.0
 * @category constants
 */
export const DEFAULT_REQUEST_WINDOW_MS = 2 * 60_000

/**
 * Working statuses in which Schwab is carrying a request out: the outcome is on its way,
 * so the request never lapses while the order shows one of these.
 */
const CARRYING_OUT: ReadonlySet<string> = new Set(["PENDING_CANCEL", "PENDING_REPLACE", "PENDING_RECALL"])

/** Whether the snapshot names a replacement other than itself. */
const namesReplacement = (order: SchwabOrder): boolean =>
  order.replacingOrders.some((o) => o.orderId !== undefined && o.orderId !== order.orderId)

/**
 * The `RequestLapsed` that closes the execution's open replace or cancel, when the snapshot
 * of the followed order shows Schwab never acted on it: a working status that is not one
 * of the PENDING_* statuses of a request under way, naming no replacement, and more than
 * `windowMs` after the request. Undefined otherwise: no open request, another order's
 * snapshot, a request Schwab is carrying out or may still act on, an unknown status, or an
 * outcome (`reconcile` decides REPLACED and terminal statuses itself).
 *
 * @since 0.4.0
 * @category decisions
 */
export const lapsedRequest = (
  state: Working,
  order: SchwabOrder,
  now: Instant,
  windowMs: number = DEFAULT_REQUEST_WINDOW_MS
): RequestLapsed | undefined => {
  const open = state.request
  if (open === undefined || open.orderId !== state.orderId || order.orderId !== state.orderId)
    return undefined
  const status = order.status.value
  if (classifyStatus(order.status) !== "working" || CARRYING_OUT.has(status) || namesReplacement(order))
    return undefined
  if (!(Date.parse(now) > Date.parse(open.requestedAt) + windowMs)) return undefined
  const kind = open.type === "ReplaceRequested" ? "Replace" : "Cancel"
  return {
    type: "RequestLapsed",
    executionId: state.submission.executionId,
    orderId: state.orderId,
    request: kind,
    requestedAt: open.requestedAt,
    reason:
      `${kind === "Replace" ? "replace" : "cancel"} of order ${state.orderId} not carried out: ` +
      `Schwab still shows it ${status}${kind === "Replace" ? ", naming no replacement," : ""} ` +
      `more than ${windowMs / 1000} s after the request; nothing was sent again`,
    lapsedAt: now
  }
}
