/**
 * A hand-written decoder for stored events, tried before the io-ts codecs.
 *
 * Replay decodes every event ever recorded, and io-ts spends most of its time in
 * union/intersection bookkeeping, not in the checks. This applies the same checks (the
 * brands' own predicates, the same decimal parser, the same optional fields) without that
 * machinery. It answers `undefined` for anything it does not accept; the caller then runs
 * the io-ts codec, which either decodes (a shape this path does not know) or names the
 * bad field. A property test holds the two paths equal on every event the encoder writes.
 */
import * as D from "../Decimal.js"
import type {
  Failed,
  Filled,
  FillFlagged,
  LegFilled,
  LegSummary,
  Replaced,
  Submitted,
  TradeEvent
} from "../Events.js"
import { AccountHash, ExecutionId, Instant, OrderId, TickerSymbol } from "../ids.js"

type Json = Record<string, unknown>

/** Thrown only inside this module, to leave the fast path at the first mismatch. */
const MISS = Symbol("miss")
const miss = (): never => {
  throw MISS
}

const str = (o: Json, k: string): string => {
  const v = o[k]
  return typeof v === "string" ? v : miss()
}
const optStr = (o: Json, k: string): string | undefined => {
  const v = o[k]
  return v === undefined ? undefined : typeof v === "string" ? v : miss()
}
const branded = <A extends string>(is: (u: unknown) => u is A, o: Json, k: string): A => {
  const v = o[k]
  return is(v) ? v : miss()
}
const dec = (o: Json, k: string): D.Decimal => {
  const v = o[k]
  return (typeof v === "string" ? D.fromString(v) : undefined) ?? miss()
}
const nonNeg = (o: Json, k: string): D.Decimal => {
  const d = dec(o, k)
  return D.isNegative(d) ? miss() : d
}
const optDec = (o: Json, k: string): D.Decimal | undefined => (o[k] === undefined ? undefined : dec(o, k))
const optNonNeg = (o: Json, k: string): D.Decimal | undefined =>
  o[k] === undefined ? undefined : nonNeg(o, k)
const cents = (o: Json, k: string): bigint => {
  const v = o[k]
  return typeof v === "string" && /^-?\d{1,20}$/.test(v) ? BigInt(v) : miss()
}
const optCents = (o: Json, k: string): bigint | undefined => (o[k] === undefined ? undefined : cents(o, k))

/** Copies the defined optional values only, as io-ts's exact partials do. */
const defined = <A extends Record<string, unknown>>(fields: A): Partial<A> => {
  const out: Record<string, unknown> = {}
  for (const k in fields) if (fields[k] !== undefined) out[k] = fields[k]
  return out as Partial<A>
}

const legSummary = (u: unknown): LegSummary => {
  if (typeof u !== "object" || u === null || Array.isArray(u)) return miss()
  const o = u as Json
  return {
    legId: str(o, "legId"),
    filledQuantity: nonNeg(o, "filledQuantity"),
    notional: dec(o, "notional"),
    averagePrice: dec(o, "averagePrice"),
    priceCents: cents(o, "priceCents"),
    ...defined({
      symbol: o.symbol === undefined ? undefined : branded(TickerSymbol.is, o, "symbol"),
      instruction: optStr(o, "instruction")
    })
  } as LegSummary
}
const legs = (o: Json): ReadonlyArray<LegSummary> => (Array.isArray(o.legs) ? o.legs.map(legSummary) : miss())

const common = (o: Json) => ({
  executionId: branded(ExecutionId.is, o, "executionId"),
  orderId: branded(OrderId.is, o, "orderId")
})

const decoders: { readonly [K in TradeEvent["type"]]: (o: Json) => TradeEvent } = {
  Submitted: (o): Submitted => {
    const shares = dec(o, "shares")
    if (!D.isPositive(shares) || !D.isInteger(shares)) miss()
    return {
      type: "Submitted",
      ...common(o),
      accountHash: branded(AccountHash.is, o, "accountHash"),
      symbol: branded(TickerSymbol.is, o, "symbol"),
      shares: shares as Submitted["shares"],
      direction: o.direction === "BUY" || o.direction === "SELL" ? o.direction : miss(),
      submittedAt: branded(Instant.is, o, "submittedAt"),
      ...defined({ referencePrice: optNonNeg(o, "referencePrice") })
    } as Submitted
  },
  LegFilled: (o): LegFilled =>
    ({
      type: "LegFilled",
      ...common(o),
      fillKey: str(o, "fillKey"),
      quantity: nonNeg(o, "quantity"),
      price: dec(o, "price"),
      executedAt: branded(Instant.is, o, "executedAt"),
      ...defined({
        legId: optStr(o, "legId"),
        activityId: optStr(o, "activityId"),
        symbol: o.symbol === undefined ? undefined : branded(TickerSymbol.is, o, "symbol"),
        instruction: optStr(o, "instruction")
      })
    }) as LegFilled,
  Filled: (o): Filled => ({
    type: "Filled",
    ...common(o),
    filledShares: nonNeg(o, "filledShares"),
    notional: dec(o, "notional"),
    averagePrice: dec(o, "averagePrice"),
    priceCents: cents(o, "priceCents"),
    closedAt: branded(Instant.is, o, "closedAt"),
    legs: legs(o)
  }),
  Failed: (o): Failed =>
    ({
      type: "Failed",
      ...common(o),
      brokerStatus: str(o, "brokerStatus"),
      reason: str(o, "reason"),
      filledShares: nonNeg(o, "filledShares"),
      failedAt: branded(Instant.is, o, "failedAt"),
      legs: legs(o),
      ...defined({
        notional: optDec(o, "notional"),
        averagePrice: optDec(o, "averagePrice"),
        priceCents: optCents(o, "priceCents"),
        replacementOrderId:
          o.replacementOrderId === undefined ? undefined : branded(OrderId.is, o, "replacementOrderId")
      })
    }) as Failed,
  Replaced: (o): Replaced => ({
    type: "Replaced",
    ...common(o),
    replacementOrderId: branded(OrderId.is, o, "replacementOrderId"),
    replacedAt: branded(Instant.is, o, "replacedAt")
  }),
  FillFlagged: (o): FillFlagged =>
    ({
      type: "FillFlagged",
      ...common(o),
      kind:
        o.kind === "PriceOutOfBand" || o.kind === "NonPositivePrice" || o.kind === "Overfill"
          ? o.kind
          : miss(),
      detail: str(o, "detail"),
      flaggedAt: branded(Instant.is, o, "flaggedAt"),
      ...defined({
        fillKey: optStr(o, "fillKey"),
        price: optDec(o, "price"),
        referencePrice: optDec(o, "referencePrice")
      })
    }) as FillFlagged
}

/** The event, or `undefined` when the io-ts codec must decide. */
export const fastDecodeEvent = (type: string, json: unknown): TradeEvent | undefined => {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined
  const o = json as Json
  if (o.type !== type) return undefined
  const decode = decoders[type as TradeEvent["type"]]
  if (decode === undefined) return undefined
  try {
    return decode(o)
  } catch (e) {
    if (e === MISS) return undefined
    throw e
  }
}
