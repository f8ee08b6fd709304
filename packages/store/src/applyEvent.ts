/**
 * The executions projection: a pure fold from recorded events to one read-model row.
 *
 * `append` applies it inline in the append's transaction and `Replay` applies it to every
 * event in global order, so the live and the rebuilt model cannot diverge. It does not use
 * the domain's `evolve` on purpose: the row is a flat summary, and keeping the fold here
 * keeps the table's shape the store's own contract.
 *
 * @since 0.1.0
 */
import {
  Decimal as D,
  type Failed,
  type Filled,
  type Instant,
  type LegFilled,
  type LegSummary,
  type OrderId,
  type PlacementRequested,
  type Submitted,
  type TradeEvent
} from "@fill-tracker/domain"
import type { ExecutionRow, ExecutionState, LegRow } from "./ExecutionRow.js"
import type { FoldedEvent } from "./RecordedEvent.js"

const dec = (text: string): D.Decimal => {
  const d = D.fromString(text)
  // Row text is written only by this module, from D.format, so it always parses.
  if (d === undefined) throw new Error(`read-model decimal is not canonical: ${text}`)
  return d
}

const fromSubmitted = (e: Submitted, rec: FoldedEvent): ExecutionRow => ({
  executionId: e.executionId,
  status: "SUBMITTED",
  state: "SUBMITTED",
  orderId: e.orderId,
  originalOrderId: e.orderId,
  accountHash: e.accountHash,
  symbol: e.symbol,
  shares: D.format(e.shares),
  direction: e.direction,
  filledShares: "0",
  notional: null,
  averagePrice: null,
  priceCents: null,
  legId: null,
  legs: null,
  flagCount: 0,
  lastFlagKind: null,
  reason: null,
  brokerStatus: null,
  submittedAt: e.submittedAt,
  executedAt: null,
  failedAt: null,
  streamVersion: rec.version,
  updatedAt: rec.recordedAt.toISOString() as Instant,
  request: null,
  requestedAt: null
})

/** An intent to place: no order id yet; `submitted_at` holds the request time. */
const fromIntent = (e: PlacementRequested, rec: FoldedEvent): ExecutionRow => ({
  executionId: e.executionId,
  status: "PENDING",
  state: "PENDING",
  orderId: null,
  originalOrderId: null,
  accountHash: e.accountHash,
  symbol: e.order.symbol,
  shares: D.format(e.order.shares),
  direction: e.order.instruction,
  filledShares: "0",
  notional: null,
  averagePrice: null,
  priceCents: null,
  legId: null,
  legs: null,
  flagCount: 0,
  lastFlagKind: null,
  reason: null,
  brokerStatus: null,
  submittedAt: e.requestedAt,
  executedAt: null,
  failedAt: null,
  streamVersion: rec.version,
  updatedAt: rec.recordedAt.toISOString() as Instant,
  request: null,
  requestedAt: null
})

/** The intent found no single order: terminal, with no order id and nothing filled. */
const unplaced = (row: ExecutionRow, e: Failed): ExecutionRow => ({
  ...row,
  status: "FAILED",
  state:
    e.candidateOrderIds !== undefined && e.candidateOrderIds.length > 0
      ? "PLACEMENT_AMBIGUOUS"
      : "NOT_PLACED",
  reason: e.reason,
  brokerStatus: e.brokerStatus ?? null,
  failedAt: e.failedAt
})

/** A closed row carries no request: the order's end answers any that was open. */
const noRequest = { request: null, requestedAt: null } as const

const legRow = (legId: string, quantity: D.Decimal, notional: D.Decimal, extra: Partial<LegRow>): LegRow => {
  const average = D.quotient(notional, quantity)
  return {
    legId,
    filledQuantity: D.format(quantity),
    notional: D.format(notional),
    averagePrice: average === undefined ? "0" : D.format(average),
    priceCents: (D.centsOfRatio(notional, quantity) ?? 0n).toString(),
    ...extra
  }
}

const summaryRow = (s: LegSummary): LegRow => ({
  legId: s.legId,
  filledQuantity: D.format(s.filledQuantity),
  notional: D.format(s.notional),
  averagePrice: D.format(s.averagePrice),
  priceCents: s.priceCents.toString(),
  ...(s.symbol === undefined ? {} : { symbol: s.symbol }),
  ...(s.instruction === undefined ? {} : { instruction: s.instruction })
})

const legExtra = (f: LegFilled): Partial<LegRow> => ({
  ...(f.symbol === undefined ? {} : { symbol: f.symbol }),
  ...(f.instruction === undefined ? {} : { instruction: f.instruction })
})

/** A fill on a working row: single-leg sums exactly; a second leg id turns the row multi-leg. */
const addFill = (row: ExecutionRow, f: LegFilled): ExecutionRow => {
  const notional = D.mul(f.quantity, f.price)
  const multi = row.legs !== null || (f.legId !== undefined && row.legId !== null && f.legId !== row.legId)
  if (multi) {
    const legs: Array<LegRow> =
      row.legs !== null
        ? [...row.legs]
        : [legRow(row.legId ?? "", dec(row.filledShares), dec(row.notional ?? "0"), {})]
    const legId = f.legId ?? ""
    const at = legs.findIndex((l) => l.legId === legId)
    const prev = legs[at]
    const next =
      prev === undefined
        ? legRow(legId, f.quantity, notional, legExtra(f))
        : legRow(legId, D.add(dec(prev.filledQuantity), f.quantity), D.add(dec(prev.notional), notional), {
            ...(prev.symbol === undefined ? {} : { symbol: prev.symbol }),
            ...(prev.instruction === undefined ? {} : { instruction: prev.instruction })
          })
    if (prev === undefined) legs.push(next)
    else legs[at] = next
    const filled = legs.map((l) => dec(l.filledQuantity)).reduce(D.min)
    return {
      ...row,
      state: legs.some((l) => D.isPositive(dec(l.filledQuantity))) ? "PARTIALLY_FILLED" : row.state,
      filledShares: D.format(filled),
      notional: null,
      averagePrice: null,
      priceCents: null,
      legId: null,
      legs
    }
  }
  const filled = D.add(dec(row.filledShares), f.quantity)
  const total = D.add(dec(row.notional ?? "0"), notional)
  const average = D.quotient(total, filled)
  const cents = D.centsOfRatio(total, filled)
  return {
    ...row,
    state: D.isPositive(filled) ? "PARTIALLY_FILLED" : row.state,
    filledShares: D.format(filled),
    notional: D.format(total),
    averagePrice: average === undefined ? null : D.format(average),
    priceCents: cents ?? null,
    legId: row.legId ?? f.legId ?? null
  }
}

const legsOf = (row: ExecutionRow, legs: ReadonlyArray<LegSummary>) => ({
  legs: legs.length >= 2 ? legs.map(summaryRow) : null,
  legId: legs.length === 1 ? (legs[0]?.legId ?? row.legId) : legs.length >= 2 ? null : row.legId
})

const fill = (row: ExecutionRow, e: Filled): ExecutionRow => ({
  ...row,
  status: "FILLED",
  state: "FILLED",
  orderId: e.orderId,
  filledShares: D.format(e.filledShares),
  notional: D.format(e.notional),
  averagePrice: D.format(e.averagePrice),
  priceCents: e.priceCents,
  ...legsOf(row, e.legs),
  brokerStatus: "FILLED",
  executedAt: e.closedAt,
  ...noRequest
})

/** Failed state from the broker status; a replacement that is not followed is its own state. */
export const failedState = (e: Failed): ExecutionState => {
  if (e.replacementOrderId !== undefined || e.brokerStatus === "REPLACED") return "REPLACED_FAILED"
  switch (e.brokerStatus) {
    case "CANCELED":
    case "REJECTED":
    case "EXPIRED":
      return e.brokerStatus
    default:
      return "FAILED"
  }
}

const fail = (row: ExecutionRow, e: Failed, orderId: OrderId): ExecutionRow => ({
  ...row,
  status: "FAILED",
  state: failedState(e),
  orderId,
  filledShares: D.format(e.filledShares),
  notional: e.notional === undefined ? null : D.format(e.notional),
  averagePrice: e.averagePrice === undefined ? null : D.format(e.averagePrice),
  priceCents: e.priceCents ?? null,
  ...legsOf(row, e.legs),
  reason: e.reason,
  brokerStatus: e.brokerStatus ?? null,
  failedAt: e.failedAt,
  ...noRequest
})

/**
 * Applies one recorded event to the execution's row. Idempotent: an event at or below the
 * row's stream version leaves it unchanged. Returns `undefined` only when there is no row
 * and the event is neither `Submitted` nor `PlacementRequested` (a stream starts with its
 * submission or the intent to place it). A PENDING row takes `Submitted` (it becomes the
 * submitted row) and a `Failed` without an order id (NOT_PLACED / PLACEMENT_AMBIGUOUS);
 * nothing else changes it. Terminal rows (FILLED, FAILED) take flags but no further fills,
 * replacements or outcomes. A replace or cancel of the followed order is the row's
 * `request` until `Replaced`, the order's end, or a `RequestLapsed` naming it (then
 * `*_LAPSED`, kept until the next request or the end). The same rules
 * as the domain's `evolve`, so the row and the folded state agree.
 *
 * @since 0.1.0
 * @category projection
 */
export const applyEvent = (row: ExecutionRow | undefined, rec: FoldedEvent): ExecutionRow | undefined => {
  if (row !== undefined && rec.version <= row.streamVersion) return row
  const fold = RowFold.start(row)
  return fold.apply(rec) ? fold.finish() : undefined
}

type Mutable<A> = { -readonly [K in keyof A]: A[K] }

/**
 * `applyEvent` over many events of one row without building a row per event: single-leg
 * fill totals stay exact `Decimal`s and `updated_at` a `Date` until `finish` formats them
 * once (the average and cents depend only on the final totals, so the row is the same as
 * folding `applyEvent` event by event). `append` folds one append's events and `Replay` a
 * page's events per row with it; `applyEvent` is one `apply` and `finish`.
 */
export class RowFold {
  private constructor(
    private row: Mutable<ExecutionRow> | undefined,
    private at: Date | undefined
  ) {}

  /** Starts from a row (or none: the stream's first event must be `Submitted` or `PlacementRequested`). */
  static start(row: ExecutionRow | undefined): RowFold {
    return new RowFold(row === undefined ? undefined : { ...row }, undefined)
  }

  /** Single-leg totals not yet written into the row's text columns. */
  private filled: D.Decimal | undefined = undefined
  private total: D.Decimal | undefined = undefined

  private flush(row: Mutable<ExecutionRow>): void {
    const filled = this.filled
    const total = this.total
    if (filled === undefined || total === undefined) return
    const average = D.quotient(total, filled)
    row.filledShares = D.format(filled)
    row.notional = D.format(total)
    row.averagePrice = average === undefined ? null : D.format(average)
    row.priceCents = D.centsOfRatio(total, filled) ?? null
    this.filled = undefined
    this.total = undefined
  }

  /** Applies one event; false when there is no row and the event cannot start one. */
  apply(rec: FoldedEvent): boolean {
    const e = rec.event
    let row = this.row
    if (row === undefined) {
      if (e.type !== "Submitted" && e.type !== "PlacementRequested") return false
      this.row = e.type === "Submitted" ? fromSubmitted(e, rec) : fromIntent(e, rec)
      this.at = rec.recordedAt
      return true
    }
    if (rec.version <= row.streamVersion) return true
    if (row.status === "PENDING") {
      // Nothing single-leg is pending on an intent's row, so there is no total to flush.
      if (e.type === "Submitted") row = fromSubmitted(e, rec) as Mutable<ExecutionRow>
      else if (e.type === "Failed" && e.orderId === undefined) row = unplaced(row, e) as Mutable<ExecutionRow>
      row.streamVersion = rec.version
      this.row = row
      this.at = rec.recordedAt
      return true
    }
    const working = row.status === "SUBMITTED"
    switch (e.type) {
      case "PlacementRequested":
      case "Submitted":
        break
      case "ReplaceRequested":
      case "CancelRequested":
        // Of the followed order only, as `evolve` takes it.
        if (working && e.orderId === row.orderId) {
          row.request = e.type === "ReplaceRequested" ? "REPLACE_REQUESTED" : "CANCEL_REQUESTED"
          row.requestedAt = e.requestedAt
        }
        break
      case "RequestLapsed":
        // Only the open request it names (same kind, same request time, followed order).
        if (
          working &&
          e.orderId === row.orderId &&
          e.requestedAt === row.requestedAt &&
          row.request === (e.request === "Replace" ? "REPLACE_REQUESTED" : "CANCEL_REQUESTED")
        )
          row.request = e.request === "Replace" ? "REPLACE_LAPSED" : "CANCEL_LAPSED"
        break
      case "LegFilled":
        if (!working) break
        if (row.legs === null && !(e.legId !== undefined && row.legId !== null && e.legId !== row.legId)) {
          // Same arithmetic as `addFill`'s single-leg branch, formatted later by `flush`.
          const filled = D.add(this.filled ?? dec(row.filledShares), e.quantity)
          this.total = D.add(this.total ?? dec(row.notional ?? "0"), D.mul(e.quantity, e.price))
          this.filled = filled
          if (D.isPositive(filled)) row.state = "PARTIALLY_FILLED"
          row.legId = row.legId ?? e.legId ?? null
        } else {
          this.flush(row)
          row = addFill(row, e) as Mutable<ExecutionRow>
        }
        break
      case "Filled":
      case "Failed": {
        // A Failed without an order id ends an intent, never a followed order.
        if (!working || e.orderId === undefined) break
        // Both overwrite every column the pending totals would fill.
        this.filled = undefined
        this.total = undefined
        // `fill` and `fail` build a fresh row, which the fold then owns (no second copy).
        row = (e.type === "Filled" ? fill(row, e) : fail(row, e, e.orderId)) as Mutable<ExecutionRow>
        break
      }
      case "Replaced":
        if (working) {
          row.orderId = e.replacementOrderId
          // The replace it sees through is done; a cancel of the old order no longer applies.
          row.request = null
          row.requestedAt = null
        }
        break
      case "FillFlagged":
        row.flagCount = row.flagCount + 1
        row.lastFlagKind = e.kind
        break
      default: {
        const never: never = e
        return never
      }
    }
    row.streamVersion = rec.version
    this.row = row
    this.at = rec.recordedAt
    return true
  }

  /** The row after every applied event (`undefined` if none was ever created). */
  finish(): ExecutionRow | undefined {
    const row = this.row
    if (row === undefined) return undefined
    this.flush(row)
    if (this.at !== undefined) {
      row.updatedAt = this.at.toISOString() as Instant
      this.at = undefined
    }
    const out: ExecutionRow = { ...row }
    return out
  }
}

/**
 * Order ids an event makes the execution followable by: the submitted order and each
 * followed replacement (a `Failed` event's unfollowed replacement is not one).
 *
 * @since 0.1.0
 * @category projection
 */
export const followedOrderIds = (rec: FoldedEvent): ReadonlyArray<OrderId> => orderIdsFollowedBy(rec.event)

/** `followedOrderIds` of a bare event (append checks them before the event has a position). */
export const orderIdsFollowedBy = (e: TradeEvent): ReadonlyArray<OrderId> =>
  e.type === "Submitted" ? [e.orderId] : e.type === "Replaced" ? [e.replacementOrderId] : noOrderIds

/** Shared by the (most) events that follow no order id: replay asks for every event. */
const noOrderIds: ReadonlyArray<OrderId> = []
