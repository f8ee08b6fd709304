/** Domain events for tests, built through the domain codecs (never cast into shape). */
import {
  type ExecutionId,
  ExecutionId as ExecutionIdCodec,
  Failed,
  Filled,
  FillFlagged,
  LegFilled,
  type OrderId,
  Replaced,
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
  o: { symbol?: string; shares?: string; direction?: "BUY" | "SELL"; minute?: number } = {}
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

export const orderIdOf = (e: TradeEvent): OrderId => e.orderId
