/**
 * Fill ordering and aggregation: per order leg filled quantity, exact notional, exact
 * average and cents. A spread fills per leg; no quantity is ever summed across legs.
 *
 * @since 0.1.0
 */
import * as D from "./Decimal.js"
import type { LegFilled, LegSummary } from "./Events.js"
import type { OrderLeg, SchwabOrder } from "./SchwabOrder.js"

type Decimal = D.Decimal

/** The parts of a fill the aggregation reads. @since 0.1.0 @category models */
export type Fill = Pick<LegFilled, "quantity" | "price">

/** Exact totals of a set of fills. `averagePrice` and `priceCents` are absent when nothing filled. */
export interface FillTotals {
  readonly filledQuantity: Decimal
  /** Σ quantity × price, exact. */
  readonly notional: Decimal
  /** notional / filledQuantity (exact when it terminates, else 12 digits half-up). */
  readonly averagePrice?: Decimal
  /** notional / filledQuantity rounded half-up to cents once. */
  readonly priceCents?: bigint
}

const ratio = (notional: Decimal, quantity: Decimal): Pick<FillTotals, "averagePrice" | "priceCents"> => {
  if (D.isZero(quantity)) return {}
  const averagePrice = D.quotient(notional, quantity)
  const priceCents = D.centsOfRatio(notional, quantity)
  return averagePrice === undefined || priceCents === undefined ? {} : { averagePrice, priceCents }
}

/** @since 0.1.0 @category aggregation */
export const totalsOf = (fills: ReadonlyArray<Fill>): FillTotals => {
  const filledQuantity = D.sum(fills.map((f) => f.quantity))
  const notional = D.sum(fills.map((f) => D.mul(f.quantity, f.price)))
  return { filledQuantity, notional, ...ratio(notional, filledQuantity) }
}

// Activity ids are int64 digits: compare as numbers, so "9" sorts before "10".
const compareActivityIds = (a: string | undefined, b: string | undefined): number => {
  if (a === b) return 0
  if (a === undefined) return 1
  if (b === undefined) return -1
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return a.length - b.length || (a < b ? -1 : 1)
  return a < b ? -1 : 1
}

/**
 * Broker time, then activity id (numerically; fills without one last), then fill key.
 * Never array position: Schwab lists activities in no particular order.
 *
 * @since 0.1.0
 * @category ordering
 */
export const compareFills = (
  a: Pick<LegFilled, "executedAt" | "activityId" | "fillKey">,
  b: Pick<LegFilled, "executedAt" | "activityId" | "fillKey">
): number =>
  (a.executedAt < b.executedAt ? -1 : a.executedAt > b.executedAt ? 1 : 0) ||
  compareActivityIds(a.activityId, b.activityId) ||
  (a.fillKey < b.fillKey ? -1 : a.fillKey > b.fillKey ? 1 : 0)

/** The recorded fill of `orderId` with `fillKey`, if any. Keys are unique per order. @since 0.1.0 @category ordering */
export const findFill = (
  fills: ReadonlyArray<LegFilled>,
  orderId: string,
  key: string
): LegFilled | undefined => fills.find((f) => f.orderId === orderId && f.fillKey === key)

/** Adds a fill in order; the same array back when its key is already recorded for its order. @since 0.1.0 @category ordering */
export const insertFill = (fills: ReadonlyArray<LegFilled>, fill: LegFilled): ReadonlyArray<LegFilled> =>
  findFill(fills, fill.orderId, fill.fillKey) !== undefined ? fills : [...fills, fill].sort(compareFills)

/** The id an order leg goes by: its `legId`, else its 1-based position (Schwab numbers legs from 1). */
export const orderLegId = (leg: OrderLeg, index: number): string => leg.legId ?? String(index + 1)

/** Whether an order has more than one leg (a spread, a combo): its numbers are per leg. @since 0.1.0 @category aggregation */
export const isMultiLeg = (order: Pick<SchwabOrder, "legs">): boolean => order.legs.length > 1

/** Fills of a multi-leg order that name no legId are kept apart under this id, never guessed into a leg. */
export const UNASSIGNED_LEG = "unassigned"

/**
 * Which order leg a fill belongs to. A single-leg order has one leg, whatever the fill
 * says (fills of a replaced order and its replacement land on the same leg).
 */
const legOf = (fill: LegFilled, legs: ReadonlyArray<OrderLeg>): string => {
  if (legs.length > 1) return fill.legId ?? UNASSIGNED_LEG
  const only = legs[0]
  return only === undefined ? "1" : orderLegId(only, 0)
}

/**
 * Per order leg totals of `fills`, in order-leg order (legs with no fill are left out:
 * they have no average). Symbol and instruction come from the order leg, else the fills.
 *
 * @since 0.1.0
 * @category aggregation
 */
export const summarizeLegs = (
  fills: ReadonlyArray<LegFilled>,
  legs: ReadonlyArray<OrderLeg>
): ReadonlyArray<LegSummary> => {
  const groups = new Map<string, Array<LegFilled>>()
  for (const fill of fills) {
    const id = legOf(fill, legs)
    groups.set(id, [...(groups.get(id) ?? []), fill])
  }
  const position = (id: string): number => {
    const i = legs.findIndex((leg, j) => orderLegId(leg, j) === id)
    return i === -1 ? legs.length : i
  }
  const ids = [...groups.keys()].sort((a, b) => position(a) - position(b) || (a < b ? -1 : a > b ? 1 : 0))
  return ids.flatMap((legId): ReadonlyArray<LegSummary> => {
    const group = groups.get(legId) ?? []
    const totals = totalsOf(group)
    if (totals.averagePrice === undefined || totals.priceCents === undefined) return []
    const leg = legs[position(legId)]
    const symbol = leg?.symbol ?? group.find((f) => f.symbol !== undefined)?.symbol
    const instruction = leg?.instruction ?? group.find((f) => f.instruction !== undefined)?.instruction
    return [
      {
        legId,
        filledQuantity: totals.filledQuantity,
        notional: totals.notional,
        averagePrice: totals.averagePrice,
        priceCents: totals.priceCents,
        ...(symbol === undefined ? {} : { symbol }),
        ...(instruction === undefined ? {} : { instruction })
      }
    ]
  })
}

/** Quantity filled per order leg id (same grouping as `summarizeLegs`, zero-fill legs included). */
export const filledPerLeg = (
  fills: ReadonlyArray<LegFilled>,
  legs: ReadonlyArray<OrderLeg>
): ReadonlyMap<string, Decimal> => {
  const out = new Map<string, Decimal>(legs.map((leg, i) => [orderLegId(leg, i), D.zero]))
  for (const fill of fills) {
    const id = legOf(fill, legs)
    out.set(id, D.add(out.get(id) ?? D.zero, fill.quantity))
  }
  return out
}

// Buying a leg costs (debit), selling it pays (credit): BUY, BUY_TO_OPEN, BUY_TO_COVER...
// An instruction that names neither side (EXCHANGE, none) counts as a debit.
const legSign = (summary: LegSummary): Decimal =>
  summary.instruction?.startsWith("SELL") === true ? D.fromBigInt(-1n) : D.fromBigInt(1n)

/**
 * The execution's top-level numbers.
 *
 * - Single-leg order: that leg's totals (every fill of the execution, across replacements).
 * - Multi-leg order: `filledQuantity` is the order's `filledQuantity` in spread units (a
 *   one-lot vertical is 1, not 2), bounded by `fallbackUnits` (the units the recorded leg
 *   fills make up), else `fallbackUnits`; `notional` is the NET of the leg
 *   notionals (buy legs add, sell legs subtract: a debit is positive, a credit negative),
 *   and the average is that net per spread unit, as spreads are quoted. The per-leg
 *   numbers stay in `summarizeLegs`.
 *
 * @since 0.1.0
 * @category aggregation
 */
export const executionTotals = (
  fills: ReadonlyArray<LegFilled>,
  order: Pick<SchwabOrder, "legs" | "filledQuantity">,
  fallbackUnits?: Decimal
): FillTotals => {
  if (!isMultiLeg(order)) return totalsOf(fills)
  // Schwab's count is used only when the recorded fills bear it out: a body claiming more
  // units than its legs executed (seen by the fuzzer: 1e21) must not become the record.
  const reported = order.filledQuantity
  const units =
    reported === undefined
      ? (fallbackUnits ?? D.zero)
      : fallbackUnits === undefined || D.compare(reported, fallbackUnits) <= 0
        ? reported
        : fallbackUnits
  const net = D.sum(summarizeLegs(fills, order.legs).map((s) => D.mul(legSign(s), s.notional)))
  return { filledQuantity: units, notional: net, ...ratio(net, units) }
}
