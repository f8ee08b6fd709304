/**
 * The fills one broker snapshot shows, as `LegFilled` events: only `FILL` executions,
 * each with its stable key, in broker-time order.
 *
 * @since 0.1.0
 */
import * as E from "fp-ts/lib/Either.js"
import * as D from "./Decimal.js"
import type { LegFilled, Submitted } from "./Events.js"
import { disambiguate, fillKey } from "./fillKey.js"
import { compareFills, isMultiLeg, orderLegId } from "./fills.js"
import { duplicateFillKey, type Inconsistency, invalidFill } from "./Inconsistency.js"
import type { Instant, OrderId } from "./ids.js"
import type { ExecutionLeg, OrderActivity, OrderLeg, SchwabOrder } from "./SchwabOrder.js"

/** The one execution type that is a fill. `CANCELED` (price 0) and anything else never are. */
export const FILL_EXECUTION_TYPE = "FILL"

/** Whether an activity's executions are fills. @since 0.1.0 @category fills */
export const isFillActivity = (activity: OrderActivity): boolean =>
  activity.executionType === FILL_EXECUTION_TYPE

const orderLegFor = (order: SchwabOrder, leg: ExecutionLeg): OrderLeg | undefined =>
  isMultiLeg(order)
    ? order.legs.find((l, i) => leg.legId !== undefined && orderLegId(l, i) === leg.legId)
    : order.legs[0]

// Everything the snapshot says about the execution, so which copy is kept cannot matter.
const sameExecution = (a: LegFilled, b: LegFilled): boolean =>
  D.equals(a.quantity, b.quantity) &&
  D.equals(a.price, b.price) &&
  a.executedAt === b.executedAt &&
  a.legId === b.legId

/**
 * Every fill the snapshot shows, ordered by broker time, then activity id, then key.
 *
 * - `executedAt` is the leg's broker time; a leg without one falls back to the order's
 *   `closeTime`, then its `enteredTime`, then `now` (the fallback never enters the key).
 * - A leg with quantity 0 executed nothing and is skipped; a negative quantity is Left.
 * - The same activityId key twice with equal contents (quantity, price, time, leg) is one
 *   execution listed twice and counts once; otherwise the snapshot contradicts itself: Left.
 *
 * @since 0.1.0
 * @category fills
 */
export const snapshotFills = (
  submission: Submitted,
  order: SchwabOrder & { readonly orderId: OrderId },
  now: Instant
): E.Either<Inconsistency, ReadonlyArray<LegFilled>> => {
  const entries = order.activities
    .filter(isFillActivity)
    .flatMap((activity) => activity.executionLegs.map((leg) => ({ activity, leg })))
  const keys = disambiguate(entries.map(({ activity, leg }) => fillKey(activity, leg)))
  const byKey = new Map<string, LegFilled>()
  for (const [i, { activity, leg }] of entries.entries()) {
    const key = keys[i] ?? fillKey(activity, leg)
    if (D.isNegative(leg.quantity)) return E.left(invalidFill(order.orderId, key, leg.quantity))
    if (D.isZero(leg.quantity)) continue
    const orderLeg = orderLegFor(order, leg)
    const fill: LegFilled = {
      type: "LegFilled",
      executionId: submission.executionId,
      orderId: order.orderId,
      fillKey: key,
      quantity: leg.quantity,
      price: leg.price,
      executedAt: leg.time ?? order.closeTime ?? order.enteredTime ?? now,
      ...(leg.legId === undefined ? {} : { legId: leg.legId }),
      ...(activity.activityId === undefined ? {} : { activityId: activity.activityId }),
      ...(orderLeg?.symbol === undefined ? {} : { symbol: orderLeg.symbol }),
      ...(orderLeg?.instruction === undefined ? {} : { instruction: orderLeg.instruction })
    }
    const seen = byKey.get(key)
    if (seen === undefined) byKey.set(key, fill)
    else if (!sameExecution(seen, fill)) return E.left(duplicateFillKey(order.orderId, key))
  }
  return E.right([...byKey.values()].sort(compareFills))
}
