/**
 * The decision: which new events a fresh broker snapshot of the followed order implies.
 * Pure — the poll time comes in as `now` — and idempotent: the same snapshot twice gives
 * no new events.
 *
 * @since 0.1.0
 */
import * as E from "fp-ts/lib/Either.js"
import { pipe } from "fp-ts/lib/function.js"
import * as D from "./Decimal.js"
import type { Failed, Filled, LegFilled, Replaced, TradeEvent } from "./Events.js"
import {
  compareFills,
  executionTotals,
  filledPerLeg,
  findFill,
  isMultiLeg,
  orderLegId,
  summarizeLegs
} from "./fills.js"
import {
  fillAfterTerminal,
  fillContradiction,
  type Inconsistency,
  notSubmitted,
  orderMismatch
} from "./Inconsistency.js"
import type { Instant, OrderId } from "./ids.js"
import { DEFAULT_PRICE_BAND, type LegOverfill, overfillFlag, priceFlags } from "./priceSanity.js"
import { discoverReplacement, type ReplacementSearch } from "./replacementDiscovery.js"
import { lapsedRequest } from "./requestLapse.js"
import type { SchwabOrder } from "./SchwabOrder.js"
import { classifyStatus } from "./schwab/OrderStatus.js"
import { snapshotFills } from "./snapshotFills.js"
import {
  type FailedState,
  type FilledState,
  followsOrder,
  type TradeState,
  type Working
} from "./TradeState.js"

/** @since 0.1.0 @category models */
export interface ReconcileOptions {
  /** Relative band around `Submitted.referencePrice` outside which a fill is flagged (default 0.05 = 5%). */
  readonly priceBand?: D.Decimal
  /**
   * Where to look for the replacement of a REPLACED snapshot that names none (the
   * account's list this cycle, the order ids already followed). Without it nothing is
   * found, so such an order stays open until the search time is over, then fails.
   */
  readonly replacementSearch?: ReplacementSearch
  /**
   * How long after an open replace or cancel the followed order may still show plainly
   * working before the request lapses (see requestLapse.ts; default 2 minutes).
   */
  readonly requestWindowMs?: number
}

type Followed = Working | FilledState | FailedState
type Snapshot = SchwabOrder & { readonly orderId: OrderId }

/**
 * The snapshot is of the followed order, or of the order it directly replaced (a poll
 * that raced the replacement, or the same REPLACED snapshot seen again): the latter may
 * still add fills, but decides nothing else — its Replaced event is already recorded.
 */
const followed = (
  state: TradeState,
  order: SchwabOrder
): E.Either<Inconsistency, [Followed, Snapshot, "followed" | "predecessor"]> => {
  if (!followsOrder(state)) return E.left(notSubmitted())
  if (order.orderId === undefined) return E.left(orderMismatch(state.orderId, undefined))
  if (order.orderId === state.orderId)
    return E.right([state, { ...order, orderId: order.orderId }, "followed"])
  return order.replacingOrders.some((o) => o.orderId === state.orderId)
    ? E.right([state, { ...order, orderId: order.orderId }, "predecessor"])
    : E.left(orderMismatch(state.orderId, order.orderId))
}

/**
 * Fills of the snapshot not yet recorded. A recorded fill that reappears must agree in
 * quantity and price. A recorded fill missing from the snapshot is NOT an error: Schwab
 * has been seen to list fewer activities than before, and a fill once recorded stays.
 */
const newFills = (
  state: Followed,
  seen: ReadonlyArray<LegFilled>
): E.Either<Inconsistency, ReadonlyArray<LegFilled>> => {
  const fresh: Array<LegFilled> = []
  for (const fill of seen) {
    const recorded = findFill(state.fills, fill.orderId, fill.fillKey)
    if (recorded === undefined) fresh.push(fill)
    else if (!D.equals(recorded.quantity, fill.quantity) || !D.equals(recorded.price, fill.price))
      return E.left(fillContradiction(fill.orderId, fill.fillKey, recorded, fill))
  }
  return E.right(fresh)
}

/** What each order leg ordered; `undefined` when the snapshot does not say. */
const orderedPerLeg = (order: Snapshot): ReadonlyMap<string, D.Decimal | undefined> => {
  if (isMultiLeg(order)) return new Map(order.legs.map((leg, i) => [orderLegId(leg, i), leg.quantity]))
  const only = order.legs[0]
  return new Map([[only === undefined ? "1" : orderLegId(only, 0), order.quantity ?? only?.quantity]])
}

const overfills = (order: Snapshot, orderFills: ReadonlyArray<LegFilled>): ReadonlyArray<LegOverfill> => {
  const filled = filledPerLeg(orderFills, order.legs)
  return [...orderedPerLeg(order)].flatMap(([legId, ordered]) => {
    const got = filled.get(legId) ?? D.zero
    return ordered !== undefined && D.compare(got, ordered) > 0 ? [{ legId, filled: got, ordered }] : []
  })
}

/**
 * The followed order's own fills cover what it ordered: per leg, filled ≥ ordered (an
 * overfill is complete, and flagged); a leg whose quantity the snapshot omits needs a fill.
 */
const fillsAddUp = (order: Snapshot, orderFills: ReadonlyArray<LegFilled>): boolean => {
  const filled = filledPerLeg(orderFills, order.legs)
  return [...orderedPerLeg(order)].every(([legId, ordered]) => {
    const got = filled.get(legId) ?? D.zero
    return ordered === undefined ? D.isPositive(got) : D.compare(got, ordered) >= 0
  })
}

/**
 * Schwab can report a terminal status before the last FILL activity shows. For a
 * single-leg order whose `filledQuantity` exceeds the fills listed, wait for them rather
 * than close the execution short of shares that did execute.
 */
const fillsLag = (order: Snapshot, orderFills: ReadonlyArray<LegFilled>): boolean =>
  !isMultiLeg(order) &&
  order.filledQuantity !== undefined &&
  D.compare(D.sum(orderFills.map((f) => f.quantity)), order.filledQuantity) < 0

/**
 * Spread units when a multi-leg snapshot omits `filledQuantity`: the smallest quantity
 * any of its legs filled (a 1×2 ratio spread with legs at 1 and 2 is 1 unit).
 */
const completeUnits = (order: Snapshot, fills: ReadonlyArray<LegFilled>): D.Decimal => {
  const perLeg = filledPerLeg(fills, order.legs)
  return (
    order.legs
      .map((leg, i) => perLeg.get(orderLegId(leg, i)) ?? D.zero)
      .reduce<D.Decimal | undefined>((m, q) => (m === undefined ? q : D.min(m, q)), undefined) ?? D.zero
  )
}

const terminalEvent = (
  state: Working,
  order: Snapshot,
  fills: ReadonlyArray<LegFilled>,
  now: Instant,
  search: ReplacementSearch | undefined
): ReadonlyArray<Filled | Failed | Replaced> => {
  const orderFills = fills.filter((f) => f.orderId === order.orderId)
  const brokerTime = order.closeTime ?? fills.at(-1)?.executedAt ?? order.enteredTime ?? now
  const totals = executionTotals(fills, order, completeUnits(order, fills))
  const legs = summarizeLegs(fills, order.legs)
  const base = { executionId: state.submission.executionId, orderId: order.orderId }
  const failed = (brokerStatus: string, reason: string): Failed => ({
    type: "Failed",
    ...base,
    brokerStatus,
    reason,
    filledShares: totals.filledQuantity,
    failedAt: brokerTime,
    legs,
    ...(totals.averagePrice === undefined || totals.priceCents === undefined
      ? {}
      : { notional: totals.notional, averagePrice: totals.averagePrice, priceCents: totals.priceCents })
  })
  const status = order.status.value
  switch (classifyStatus(order.status)) {
    case "filled":
      if (
        !fillsAddUp(order, orderFills) ||
        totals.averagePrice === undefined ||
        totals.priceCents === undefined
      )
        return []
      return [
        {
          type: "Filled",
          ...base,
          filledShares: totals.filledQuantity,
          notional: totals.notional,
          averagePrice: totals.averagePrice,
          priceCents: totals.priceCents,
          closedAt: brokerTime,
          legs
        }
      ]
    case "terminalFailure":
      if (fillsLag(order, orderFills)) return []
      return [failed(status, order.statusDescription ?? `Schwab reported the order ${status}`)]
    case "replaced": {
      const replacement = order.replacingOrders.find(
        (o) => o.orderId !== undefined && o.orderId !== order.orderId
      )?.orderId
      if (replacement !== undefined)
        return [{ type: "Replaced", ...base, replacementOrderId: replacement, replacedAt: brokerTime }]
      // Named by none: found in the account's list (see replacementDiscovery.ts).
      const discovery = discoverReplacement(order, search ?? { listed: [], followed: new Set() }, now)
      const known = order.statusDescription === undefined ? "" : `; Schwab says: ${order.statusDescription}`
      const unnamed = `order ${order.orderId} was REPLACED naming no replacement, and`
      if (discovery._tag === "Found")
        return [
          {
            type: "Replaced",
            ...base,
            replacementOrderId: discovery.replacementOrderId,
            replacedAt: brokerTime
          }
        ]
      if (discovery._tag === "NotYet") return []
      return [
        failed(
          status,
          discovery._tag === "NoneFound"
            ? `${unnamed} none was found: ${discovery.reason}${known}`
            : `${unnamed} ${discovery.candidates.length} orders could be it: ${discovery.candidates.join(", ")}${known}`
        )
      ]
    }
    case "working":
    case "unknown":
      return []
  }
}

const decide = (
  state: Followed,
  order: Snapshot,
  fresh: ReadonlyArray<LegFilled>,
  now: Instant,
  band: D.Decimal,
  role: "followed" | "predecessor",
  options: ReconcileOptions
): E.Either<Inconsistency, ReadonlyArray<TradeEvent>> => {
  if (state.status !== "Submitted")
    return fresh.length === 0
      ? E.right([])
      : E.left(
          fillAfterTerminal(
            order.orderId,
            state.status,
            fresh.map((f) => f.fillKey)
          )
        )
  const checkBand = !isMultiLeg(order)
  const fillEvents = fresh.flatMap(
    (fill): ReadonlyArray<TradeEvent> => [
      fill,
      ...priceFlags(state.submission, fill, band, checkBand, state.flags)
    ]
  )
  const fills = [...state.fills, ...fresh].sort(compareFills)
  const orderFills = fills.filter((f) => f.orderId === order.orderId)
  const latest = orderFills.at(-1)?.executedAt ?? order.closeTime ?? now
  const overfill = overfillFlag(
    state.submission,
    order.orderId,
    overfills(order, orderFills),
    latest,
    state.flags
  )
  const outcome =
    role === "followed" ? terminalEvent(state, order, fills, now, options.replacementSearch) : []
  // No outcome yet: a replace or cancel Schwab never acted on closes instead.
  const lapse =
    role === "followed" && outcome.length === 0
      ? lapsedRequest(state, order, now, options.requestWindowMs)
      : undefined
  return E.right([...fillEvents, ...overfill, ...outcome, ...(lapse === undefined ? [] : [lapse])])
}

/**
 * The new events a fresh snapshot of the followed order (`state.orderId`) implies, or the
 * inconsistency that stops it: no submission yet, another order's snapshot, or a snapshot
 * that contradicts recorded fills. A snapshot of the order the followed one directly
 * replaced is accepted for its fills only (so a REPLACED snapshot seen twice is idempotent).
 *
 * Right holds, in order: each new fill as `LegFilled` (oldest broker time first) with its
 * price flags, an `Overfill` flag once, then at most one of `Filled` (status FILLED and the
 * order's fills cover its quantity), `Failed` (CANCELED/REJECTED/EXPIRED, keeping what
 * executed, or REPLACED naming no replacement that discovery could not settle on one) or
 * `Replaced` (named by the snapshot, or the one candidate in the account's list; while
 * none is listed yet and the search time is not over, nothing). Working and unknown
 * statuses record fills only, and then, for an open replace or cancel that Schwab never
 * acted on within `requestWindowMs`, the `RequestLapsed` that closes it. A terminal execution gives Right([]) for a consistent
 * snapshot and Left for one with new fills. Event times are broker times; `now` is only the
 * last fallback when the snapshot carries no time at all.
 *
 * @since 0.1.0
 * @category decisions
 */
export const reconcile = (
  state: TradeState,
  order: SchwabOrder,
  now: Instant,
  options: ReconcileOptions = {}
): E.Either<Inconsistency, ReadonlyArray<TradeEvent>> =>
  pipe(
    followed(state, order),
    E.chain(([s, snapshot, role]) =>
      pipe(
        snapshotFills(s.submission, snapshot, now),
        E.chain((seen) => newFills(s, seen)),
        E.chain((fresh) =>
          decide(s, snapshot, fresh, now, options.priceBand ?? DEFAULT_PRICE_BAND, role, options)
        )
      )
    )
  )
