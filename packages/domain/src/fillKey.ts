/**
 * The stable key of one fill: the same execution leg gets the same key on every poll, so
 * reconcile can tell new fills from recorded ones.
 *
 * @since 0.1.0
 */
import { format } from "./Decimal.js"
import type { ExecutionLeg, OrderActivity } from "./SchwabOrder.js"

/**
 * `${activityId}:${index}` when the activity carries Schwab's `activityId` (its own id for
 * the execution). Without one, the key is built from the leg's own contents — order leg,
 * broker time, quantity, price and position in the activity — never from `legId` alone,
 * which names the ORDER leg and repeats across executions. A missing part is written `-`;
 * nothing from outside the leg (poll time, close time) enters the key, so it cannot drift.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fillKey = (activity: Pick<OrderActivity, "activityId">, leg: ExecutionLeg): string =>
  activity.activityId !== undefined
    ? `${activity.activityId}:${leg.index}`
    : `leg=${leg.legId ?? "-"};t=${leg.time ?? "-"};q=${format(leg.quantity)};p=${format(leg.price)};i=${leg.index}`

/** Whether a key was derived from contents (no activityId) rather than given by Schwab. */
export const isDerivedFillKey = (key: string): boolean => key.startsWith("leg=")

/**
 * Content-derived keys of one snapshot, made unique: two executions with identical
 * contents and no activityId (same order leg, second, quantity and price) are two fills,
 * so the second occurrence becomes `key#2`, the third `key#3`. Identical contents are
 * interchangeable, so the numbering does not depend on array order and stays stable as
 * the snapshot grows. Keys given by Schwab are returned unchanged: a repeated activityId
 * is the same execution listed twice, which the caller checks.
 *
 * @since 0.1.0
 * @category constructors
 */
export const disambiguate = (keys: ReadonlyArray<string>): ReadonlyArray<string> => {
  const seen = new Map<string, number>()
  return keys.map((key) => {
    if (!isDerivedFillKey(key)) return key
    const n = (seen.get(key) ?? 0) + 1
    seen.set(key, n)
    return n === 1 ? key : `${key}#${n}`
  })
}
