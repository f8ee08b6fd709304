/** Domain events for tests, built through the domain codecs (never cast into shape). */
import {
  CancelRequested,
  type Direction,
  type ExecutionId,
  ExecutionId as ExecutionIdCodec,
  Failed,
  Filled,
  FillFlagged,
  LegFilled,
  PlacementRequested,
  Replaced,
  ReplaceRequested,
  RequestLapsed,
  Submitted,
  type TradeEvent
} from "@fill-tracker/domain"
import type * as t from "io-ts"

const decode = <A>(codec: t.Decoder<unknown, A>, value: unknown): A => {
  const r = codec.decode(value)
  if (r._tag === "Left") throw new Error(`test fixture does not decode: ${JSON.stringify(value)}`)
  return r.right
}

export const executionId = (s: string): ExecutionId => decode(ExecutionIdCodec, s)

export const at = (minute: number): string =>
  new Date(Date.UTC(2025, 7, 29, 14, 0, 0) + minute * 60_000).toISOString()

export const submitted = (
  id: string,
  orderId: string,
  o: { symbol?: string; shares?: string; direction?: Direction; minute?: number } = {}
): TradeEvent =>
  decode(Submitted, {
    type: "Submitted",
    executionId: id,
    orderId,
    accountHash: "HASH0123456789",
    symbol: o.symbol ?? "AAPL",
    shares: o.shares ?? "10",
    direction: o.direction ?? "BUY",
    submittedAt: at(o.minute ?? 0)
  })

export const legFilled = (
  id: string,
  orderId: string,
  fillKey: string,
  quantity: string,
  price: string,
  o: { legId?: string; minute?: number } = {}
): TradeEvent =>
  decode(LegFilled, {
    type: "LegFilled",
    executionId: id,
    orderId,
    fillKey,
    quantity,
    price,
    executedAt: at(o.minute ?? 1),
    ...(o.legId === undefined ? {} : { legId: o.legId })
  })

export const filled = (
  id: string,
  orderId: string,
  o: {
    filledShares?: string
    notional?: string
    averagePrice?: string
    priceCents?: string
    minute?: number
    legs?: ReadonlyArray<Record<string, string>>
  } = {}
): TradeEvent =>
  decode(Filled, {
    type: "Filled",
    executionId: id,
    orderId,
    filledShares: o.filledShares ?? "10",
    notional: o.notional ?? "1502.5",
    averagePrice: o.averagePrice ?? "150.25",
    priceCents: o.priceCents ?? "15025",
    closedAt: at(o.minute ?? 2),
    legs: o.legs ?? []
  })

export const failed = (
  id: string,
  orderId: string,
  brokerStatus: string,
  o: {
    filledShares?: string
    replacementOrderId?: string
    minute?: number
    totals?: { notional: string; averagePrice: string; priceCents: string }
    legs?: ReadonlyArray<Record<string, string>>
  } = {}
): TradeEvent =>
  decode(Failed, {
    type: "Failed",
    executionId: id,
    orderId,
    brokerStatus,
    reason: `order ${brokerStatus.toLowerCase()}`,
    filledShares: o.filledShares ?? "0",
    failedAt: at(o.minute ?? 3),
    legs: o.legs ?? [],
    ...o.totals,
    ...(o.replacementOrderId === undefined ? {} : { replacementOrderId: o.replacementOrderId })
  })

export const replaced = (id: string, orderId: string, replacementOrderId: string): TradeEvent =>
  decode(Replaced, { type: "Replaced", executionId: id, orderId, replacementOrderId, replacedAt: at(2) })

export const flagged = (id: string, orderId: string): TradeEvent =>
  decode(FillFlagged, {
    type: "FillFlagged",
    executionId: id,
    orderId,
    kind: "PriceOutOfBand",
    detail: "far from the reference price",
    flaggedAt: at(2)
  })

const orderRequest = (o: { symbol?: string; shares?: string; direction?: Direction }) => ({
  symbol: o.symbol ?? "AAPL",
  shares: o.shares ?? "10",
  instruction: o.direction ?? "BUY",
  orderType: "MARKET",
  session: "NORMAL",
  duration: "DAY",
  tag: "fill-tracker"
})

/** The tracker's intent to place, before the order has an id. */
export const placementRequested = (
  id: string,
  o: { symbol?: string; shares?: string; direction?: Direction; minute?: number } = {}
): TradeEvent =>
  decode(PlacementRequested, {
    type: "PlacementRequested",
    executionId: id,
    accountHash: "HASH0123456789",
    order: orderRequest(o),
    requestedAt: at(o.minute ?? 0)
  })

/** An intent that found no order (no candidates) or several (`candidates`). */
export const unplaced = (id: string, candidates: ReadonlyArray<string> = []): TradeEvent =>
  decode(Failed, {
    type: "Failed",
    executionId: id,
    reason:
      candidates.length === 0
        ? "not placed: no matching order was entered in the window"
        : `several orders match: ${candidates.join(", ")}`,
    filledShares: "0",
    failedAt: at(3),
    legs: [],
    ...(candidates.length === 0 ? {} : { candidateOrderIds: candidates })
  })

export const replaceRequested = (id: string, orderId: string): TradeEvent =>
  decode(ReplaceRequested, {
    type: "ReplaceRequested",
    executionId: id,
    orderId,
    order: orderRequest({}),
    requestedAt: at(1)
  })

export const cancelRequested = (id: string, orderId: string, minute = 1): TradeEvent =>
  decode(CancelRequested, { type: "CancelRequested", executionId: id, orderId, requestedAt: at(minute) })

/** The lapse of the request of `kind` made at minute `requested`. */
export const requestLapsed = (
  id: string,
  orderId: string,
  kind: "Replace" | "Cancel",
  requested = 1
): TradeEvent =>
  decode(RequestLapsed, {
    type: "RequestLapsed",
    executionId: id,
    orderId,
    request: kind,
    requestedAt: at(requested),
    reason: "not carried out",
    lapsedAt: at(requested + 3)
  })
