/**
 * Fill sanity checks (issue 9). A suspicious fill is always recorded unchanged; these
 * checks only add a `FillFlagged` event beside it so a person and the metrics see it.
 *
 * @since 0.1.0
 */
import * as D from "./Decimal.js"
import type { FillFlagged, LegFilled, Submitted } from "./Events.js"
import type { OrderId } from "./ids.js"

/** ±5%: the default band around the bot's reference price. @since 0.1.0 @category constants */
export const DEFAULT_PRICE_BAND: D.Decimal = D.make(5n, 2)

/** Whether `price` lies outside `reference × (1 ± band)` (the bounds themselves are inside). */
export const outsideBand = (price: D.Decimal, reference: D.Decimal, band: D.Decimal): boolean => {
  const distance = D.sub(price, reference)
  const absDistance = D.isNegative(distance) ? D.sub(D.zero, distance) : distance
  return D.compare(absDistance, D.mul(band, reference)) > 0
}

const alreadyFlagged = (flags: ReadonlyArray<FillFlagged>, flag: FillFlagged): boolean =>
  flags.some((f) => f.kind === flag.kind && f.orderId === flag.orderId && f.fillKey === flag.fillKey)

/**
 * Flags for one new fill: `NonPositivePrice` for a price ≤ 0; `PriceOutOfBand` when the
 * submission carries a positive `referencePrice`, `checkBand` holds and the price lies
 * outside the band. The caller passes `checkBand = false` for multi-leg orders: a
 * spread's reference is a net price, not comparable to one leg's price. A (kind, order,
 * fill key) already in `flags` is not flagged again. Flag times are the fill's broker time.
 *
 * @since 0.1.0
 * @category sanity
 */
export const priceFlags = (
  submission: Submitted,
  fill: LegFilled,
  band: D.Decimal,
  checkBand: boolean,
  flags: ReadonlyArray<FillFlagged>
): ReadonlyArray<FillFlagged> => {
  const base = {
    type: "FillFlagged" as const,
    executionId: fill.executionId,
    orderId: fill.orderId,
    flaggedAt: fill.executedAt,
    fillKey: fill.fillKey,
    price: fill.price
  }
  const reference = submission.referencePrice
  const out: Array<FillFlagged> = []
  if (!D.isPositive(fill.price)) {
    out.push({
      ...base,
      kind: "NonPositivePrice",
      detail: `fill ${fill.fillKey} of order ${fill.orderId} executed at ${D.format(fill.price)}, not above 0`,
      ...(reference === undefined ? {} : { referencePrice: reference })
    })
  } else if (
    checkBand &&
    reference !== undefined &&
    D.isPositive(reference) &&
    outsideBand(fill.price, reference, band)
  ) {
    out.push({
      ...base,
      kind: "PriceOutOfBand",
      detail:
        `fill ${fill.fillKey} of order ${fill.orderId} executed at ${D.format(fill.price)}, outside ` +
        `±${D.format(D.mul(band, D.fromBigInt(100n)))}% of the reference price ${D.format(reference)}`,
      referencePrice: reference
    })
  }
  return out.filter((flag) => !alreadyFlagged(flags, flag))
}

/** One order leg whose recorded fills exceed what it ordered. */
export interface LegOverfill {
  readonly legId: string
  readonly filled: D.Decimal
  readonly ordered: D.Decimal
}

/**
 * One `Overfill` flag per followed order (not per poll): absent when `overfills` is empty
 * or the order was already flagged. Its time is the broker time of the latest fill.
 *
 * @since 0.1.0
 * @category sanity
 */
export const overfillFlag = (
  submission: Submitted,
  orderId: OrderId,
  overfills: ReadonlyArray<LegOverfill>,
  at: LegFilled["executedAt"],
  flags: ReadonlyArray<FillFlagged>
): ReadonlyArray<FillFlagged> => {
  if (overfills.length === 0 || flags.some((f) => f.kind === "Overfill" && f.orderId === orderId)) return []
  const legs = overfills.map((o) => `leg ${o.legId} filled ${D.format(o.filled)} of ${D.format(o.ordered)}`)
  return [
    {
      type: "FillFlagged",
      executionId: submission.executionId,
      orderId,
      kind: "Overfill",
      detail: `order ${orderId} recorded more than it ordered: ${legs.join("; ")}`,
      flaggedAt: at
    }
  ]
}
