/**
 * fast-check arbitraries for the domain: exact decimals, events, and single-leg order
 * snapshots whose activities mix FILL executions (with and without activityId) and
 * non-FILL ones.
 */
import fc from "fast-check"
import * as D from "../../src/Decimal.js"
import type {
  CancelRequested,
  Failed,
  Filled,
  FillFlagged,
  LegFilled,
  LegSummary,
  PlacementRequested,
  Replaced,
  ReplaceRequested,
  RequestLapsed,
  Submitted,
  TradeEvent
} from "../../src/Events.js"
import type { AccountHash, Direction, Instant, OrderId, Shares, TickerSymbol } from "../../src/ids.js"
import type { OrderRequest, WireWord } from "../../src/OrderRequest.js"
import type { OrderActivity, SchwabOrder } from "../../src/SchwabOrder.js"
import { EXECUTION_ID, ORDER_ID, order, status, submitted } from "./build.js"

/** Runs per property: `FC_NUM_RUNS` when set, else a moderate default. */
export const numRuns = (fallback = 100): number => {
  const n = Number.parseInt(process.env.FC_NUM_RUNS ?? "", 10)
  return Number.isSafeInteger(n) && n > 0 ? n : fallback
}

export const decimal: fc.Arbitrary<D.Decimal> = fc
  .record({
    units: fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
    scale: fc.integer({ min: 0, max: 9 })
  })
  .map(({ units, scale }) => D.make(units, scale))

export const nonNegativeDecimal: fc.Arbitrary<D.Decimal> = decimal.map((d) =>
  D.isNegative(d) ? D.sub(D.zero, d) : d
)

/** A price with up to four decimals, 0.0001 to 5000. */
export const price: fc.Arbitrary<D.Decimal> = fc
  .integer({ min: 1, max: 50_000_000 })
  .map((n) => D.make(BigInt(n), 4))

/** Whole shares, 1 to 500. */
export const quantity: fc.Arbitrary<D.Decimal> = fc
  .integer({ min: 1, max: 500 })
  .map((n) => D.fromBigInt(BigInt(n)))

/** Whole seconds in one trading day, so equal times happen and tie-breaks are exercised. */
export const instant: fc.Arbitrary<Instant> = fc
  .integer({ min: 0, max: 600 })
  .map((s) => new Date(Date.UTC(2025, 7, 29, 17, 0, s)).toISOString() as Instant)

const digits = fc.bigInt({ min: 1n, max: 9_223_372_036_854_775_807n }).map((n) => n.toString())
export const orderIdArb: fc.Arbitrary<OrderId> = digits.map((s) => s as OrderId)
const text = fc.string({ maxLength: 20 })
const cents = fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n })
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined })
/** Drops keys whose value is undefined (exactOptionalPropertyTypes: absent, never undefined). */
const compact = <T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>
  }

const legSummary: fc.Arbitrary<LegSummary> = fc
  .record({
    legId: fc.constantFrom("1", "2", "unassigned"),
    filledQuantity: nonNegativeDecimal,
    notional: decimal,
    averagePrice: decimal,
    priceCents: cents,
    symbol: opt(fc.constantFrom("AAPL", "SPY   250919C00500000").map((s) => s as TickerSymbol)),
    instruction: opt(fc.constantFrom("BUY", "SELL_TO_OPEN"))
  })
  .map(compact)

const base = { executionId: fc.constant(EXECUTION_ID), orderId: orderIdArb }
const accountHashArb = fc.constantFrom("HASH123", "a-b_C9").map((s) => s as AccountHash)
const symbolArb = fc.constantFrom("AAPL", "BRK.B").map((s) => s as TickerSymbol)
export const directionArb: fc.Arbitrary<Direction> = fc.constantFrom(
  "BUY" as const,
  "SELL" as const,
  "SELL_SHORT" as const,
  "BUY_TO_COVER" as const
)
const word = (...words: ReadonlyArray<string>) => fc.constantFrom(...words).map((w) => w as WireWord)

export const orderRequestArb: fc.Arbitrary<OrderRequest> = fc
  .record({
    symbol: symbolArb,
    shares: quantity.map((q) => q as Shares),
    instruction: directionArb,
    orderType: word("MARKET", "LIMIT", "STOP", "STOP_LIMIT"),
    session: word("NORMAL", "AM", "PM", "SEAMLESS"),
    duration: word("DAY", "GOOD_TILL_CANCEL", "FILL_OR_KILL", "IMMEDIATE_OR_CANCEL"),
    price: opt(price),
    stopPrice: opt(price),
    tag: opt(fc.constantFrom("fill-tracker", ""))
  })
  .map(compact)

export const placementRequestedArb: fc.Arbitrary<PlacementRequested> = fc
  .record({
    executionId: fc.constant(EXECUTION_ID),
    accountHash: accountHashArb,
    order: orderRequestArb,
    requestedAt: instant,
    referencePrice: opt(nonNegativeDecimal)
  })
  .map((r) => compact({ type: "PlacementRequested" as const, ...r }))

const replaceRequestedArb: fc.Arbitrary<ReplaceRequested> = fc
  .record({ ...base, order: orderRequestArb, requestedAt: instant })
  .map((r) => ({ type: "ReplaceRequested" as const, ...r }))

const cancelRequestedArb: fc.Arbitrary<CancelRequested> = fc
  .record({ ...base, requestedAt: instant })
  .map((r) => ({ type: "CancelRequested" as const, ...r }))

const requestLapsedArb: fc.Arbitrary<RequestLapsed> = fc
  .record({
    ...base,
    request: fc.constantFrom("Replace" as const, "Cancel" as const),
    requestedAt: instant,
    reason: text,
    lapsedAt: instant
  })
  .map((r) => ({ type: "RequestLapsed" as const, ...r }))

export const submittedArb: fc.Arbitrary<Submitted> = fc
  .record({
    ...base,
    accountHash: accountHashArb,
    symbol: symbolArb,
    shares: quantity.map((q) => q as Shares),
    direction: directionArb,
    submittedAt: instant,
    referencePrice: opt(nonNegativeDecimal)
  })
  .map((r) => compact({ type: "Submitted" as const, ...r }))

export const legFilledArb: fc.Arbitrary<LegFilled> = fc
  .record({
    ...base,
    fillKey: text,
    quantity: nonNegativeDecimal,
    price: decimal,
    executedAt: instant,
    legId: opt(fc.constantFrom("1", "2")),
    activityId: opt(digits),
    symbol: opt(fc.constant("AAPL" as TickerSymbol)),
    instruction: opt(fc.constant("BUY"))
  })
  .map((r) => compact({ type: "LegFilled" as const, ...r }))

const filledArb: fc.Arbitrary<Filled> = fc
  .record({
    ...base,
    filledShares: nonNegativeDecimal,
    notional: decimal,
    averagePrice: decimal,
    priceCents: cents,
    closedAt: instant,
    legs: fc.array(legSummary, { maxLength: 3 })
  })
  .map((r) => ({ type: "Filled" as const, ...r }))

/** Of a followed order (with order id and broker status), or ending an intent (neither). */
const failedArb: fc.Arbitrary<Failed> = fc
  .record({
    orderId: opt(orderIdArb),
    executionId: fc.constant(EXECUTION_ID),
    brokerStatus: opt(fc.constantFrom("CANCELED", "REJECTED", "EXPIRED", "REPLACED")),
    reason: text,
    filledShares: nonNegativeDecimal,
    failedAt: instant,
    legs: fc.array(legSummary, { maxLength: 3 }),
    notional: opt(decimal),
    averagePrice: opt(decimal),
    priceCents: opt(cents),
    replacementOrderId: opt(orderIdArb),
    candidateOrderIds: opt(fc.array(orderIdArb, { minLength: 2, maxLength: 3 }))
  })
  .map((r) => compact({ type: "Failed" as const, ...r }))

const replacedArb: fc.Arbitrary<Replaced> = fc
  .record({ ...base, replacementOrderId: orderIdArb, replacedAt: instant })
  .map((r) => ({ type: "Replaced" as const, ...r }))

const flaggedArb: fc.Arbitrary<FillFlagged> = fc
  .record({
    ...base,
    kind: fc.constantFrom("PriceOutOfBand" as const, "NonPositivePrice" as const, "Overfill" as const),
    detail: text,
    flaggedAt: instant,
    fillKey: opt(text),
    price: opt(decimal),
    referencePrice: opt(decimal)
  })
  .map((r) => compact({ type: "FillFlagged" as const, ...r }))

export const tradeEvent: fc.Arbitrary<TradeEvent> = fc.oneof(
  submittedArb,
  legFilledArb,
  filledArb,
  failedArb,
  replacedArb,
  flaggedArb,
  placementRequestedArb,
  replaceRequestedArb,
  cancelRequestedArb,
  requestLapsedArb
)

/** One FILL execution leg spec; activity ids are assigned later so they stay unique. */
const fillSpec = fc.record({
  // small enough that a snapshot's fills fall short of, meet or exceed 100 shares
  quantity: fc.integer({ min: 1, max: 40 }).map((n) => D.fromBigInt(BigInt(n))),
  price,
  time: instant,
  withId: fc.boolean(),
  legs: fc.integer({ min: 1, max: 2 })
})
export type FillSpec = typeof fillSpec extends fc.Arbitrary<infer T> ? T : never

/** FILL activities for the default single-leg order (legId 1); ids unique by position. */
export const fillActivities = (minLength = 1, maxLength = 6): fc.Arbitrary<ReadonlyArray<OrderActivity>> =>
  fc.array(fillSpec, { minLength, maxLength }).map((specs) =>
    specs.map((s, i) => ({
      activityType: "EXECUTION",
      ...(s.withId ? { activityId: String(500_000 + i) } : {}),
      executionType: "FILL",
      executionLegs: Array.from({ length: s.legs }, (_, index) => ({
        index,
        legId: "1",
        quantity: s.quantity,
        price: s.price,
        time: s.time
      }))
    }))
  )

/** Activities that are never fills: Schwab's CANCELED at price 0, no type, an unknown type. */
export const nonFillActivity: fc.Arbitrary<OrderActivity> = fc
  .record({
    executionType: fc.constantFrom<string | undefined>("CANCELED", undefined, "CORRECTION", "fill"),
    activityId: opt(digits),
    quantity,
    price: fc.oneof(fc.constant(D.zero), price),
    time: instant
  })
  .map((r) => ({
    activityType: "EXECUTION",
    ...(r.activityId === undefined ? {} : { activityId: `9${r.activityId}` }),
    ...(r.executionType === undefined ? {} : { executionType: r.executionType }),
    executionLegs: [{ index: 0, legId: "1", quantity: r.quantity, price: r.price, time: r.time }]
  }))

export const anyStatus = fc.constantFrom(
  "WORKING",
  "QUEUED",
  "PENDING_CANCEL",
  "FILLED",
  "CANCELED",
  "REJECTED",
  "EXPIRED",
  "REPLACED",
  "UNKNOWN",
  "SOMETHING_NEW"
)

/** A snapshot of the default order (ORDER_ID) with these activities and this status. */
export const snapshotOf = (
  activities: ReadonlyArray<OrderActivity>,
  statusValue: string,
  extra: Partial<SchwabOrder> = {}
): SchwabOrder =>
  order({
    orderId: ORDER_ID,
    status: status(statusValue),
    closeTime: new Date(Date.UTC(2025, 7, 29, 18)).toISOString() as Instant,
    activities,
    replacingOrders: statusValue === "REPLACED" ? [order({ orderId: "2002" as OrderId })] : [],
    ...extra
  })

/** A Submitted for the default order, with or without a reference price. */
export const submittedForOrder: fc.Arbitrary<Submitted> = opt(price).map((referencePrice) =>
  submitted(referencePrice === undefined ? {} : { referencePrice })
)
