/**
 * Mapping between `ExecutionRow` and the columns of the executions table, both ways.
 * Reading checks every column's type and brand instead of casting the driver's row.
 */
import {
  AccountHash,
  Direction,
  ExecutionId,
  FlagKind,
  Instant,
  OrderId,
  TickerSymbol
} from "@fill-tracker/domain"
import type { ExecutionRow, ExecutionState, FlatStatus, LegRow, RequestState } from "../ExecutionRow.js"
import { executionStates, requestStates } from "../ExecutionRow.js"

/** Column order of the executions tables (live and scratch). */
export const columns = [
  "execution_id",
  "status",
  "state",
  "order_id",
  "original_order_id",
  "account_hash",
  "symbol",
  "shares",
  "direction",
  "filled_shares",
  "notional",
  "average_price",
  "price_cents",
  "leg_id",
  "legs",
  "flag_count",
  "last_flag_kind",
  "reason",
  "broker_status",
  "submitted_at",
  "executed_at",
  "failed_at",
  "stream_version",
  "updated_at",
  "request",
  "request_at"
] as const

export type Column = (typeof columns)[number]
export type Columns = { readonly [K in Column]: string | bigint | number | null }

/** The text of the `legs` column (SQLite; PostgreSQL stores it as jsonb). */
export const legsColumn = (legs: ReadonlyArray<LegRow>): string => JSON.stringify(legs)

export const toColumns = (r: ExecutionRow): Columns => ({
  execution_id: r.executionId,
  status: r.status,
  state: r.state,
  order_id: r.orderId,
  original_order_id: r.originalOrderId,
  account_hash: r.accountHash,
  symbol: r.symbol,
  shares: r.shares,
  direction: r.direction,
  filled_shares: r.filledShares,
  notional: r.notional,
  average_price: r.averagePrice,
  price_cents: r.priceCents,
  leg_id: r.legId,
  legs: r.legs === null ? null : legsColumn(r.legs),
  flag_count: r.flagCount,
  last_flag_kind: r.lastFlagKind,
  reason: r.reason,
  broker_status: r.brokerStatus,
  submitted_at: r.submittedAt,
  executed_at: r.executedAt,
  failed_at: r.failedAt,
  stream_version: r.streamVersion,
  updated_at: r.updatedAt,
  request: r.request,
  request_at: r.requestedAt
})

/** Thrown inside `fromColumns` and turned into a `StoreError` by the caller. */
export class BadColumn extends Error {}

type Raw = Readonly<Record<string, unknown>>

const bad = (column: string, value: unknown): never => {
  throw new BadColumn(
    `column ${column} holds ${typeof value === "string" ? "an invalid text" : typeof value}`
  )
}
const text = (raw: Raw, c: Column): string => {
  const v = raw[c]
  return typeof v === "string" ? v : bad(c, v)
}
const textOrNull = (raw: Raw, c: Column): string | null => (raw[c] === null ? null : text(raw, c))
const branded = <A>(is: (u: unknown) => u is A, raw: Raw, c: Column): A => {
  const v = raw[c]
  return is(v) ? v : bad(c, v)
}
const brandedOrNull = <A>(is: (u: unknown) => u is A, raw: Raw, c: Column): A | null =>
  raw[c] === null ? null : branded(is, raw, c)
const int = (raw: Raw, c: Column): bigint => {
  const v = raw[c]
  if (typeof v === "bigint") return v
  if (typeof v === "number" && Number.isSafeInteger(v)) return BigInt(v)
  return bad(c, v)
}
const isStatus = (u: unknown): u is FlatStatus =>
  u === "PENDING" || u === "SUBMITTED" || u === "FILLED" || u === "FAILED"
const isState = (u: unknown): u is ExecutionState => executionStates.includes(u as ExecutionState)
const isRequest = (u: unknown): u is RequestState => requestStates.includes(u as RequestState)
const isLegRow = (u: unknown): u is LegRow => {
  if (typeof u !== "object" || u === null) return false
  const l = u as Record<string, unknown>
  return ["legId", "filledQuantity", "notional", "averagePrice", "priceCents"].every(
    (k) => typeof l[k] === "string"
  )
}
const legs = (raw: Raw): ReadonlyArray<LegRow> | null => {
  const v = raw.legs
  if (v === null) return null
  // PostgreSQL hands jsonb back parsed; SQLite gives the text.
  const parsed: unknown = typeof v === "string" ? JSON.parse(v) : v
  return Array.isArray(parsed) && parsed.every(isLegRow) ? parsed : bad("legs", v)
}

export const fromColumns = (raw: Raw): ExecutionRow => ({
  executionId: branded(ExecutionId.is, raw, "execution_id"),
  status: branded(isStatus, raw, "status"),
  state: branded(isState, raw, "state"),
  orderId: brandedOrNull(OrderId.is, raw, "order_id"),
  originalOrderId: brandedOrNull(OrderId.is, raw, "original_order_id"),
  accountHash: branded(AccountHash.is, raw, "account_hash"),
  symbol: branded(TickerSymbol.is, raw, "symbol"),
  shares: text(raw, "shares"),
  direction: branded(Direction.is, raw, "direction"),
  filledShares: text(raw, "filled_shares"),
  notional: textOrNull(raw, "notional"),
  averagePrice: textOrNull(raw, "average_price"),
  priceCents: raw.price_cents === null ? null : int(raw, "price_cents"),
  legId: textOrNull(raw, "leg_id"),
  legs: legs(raw),
  flagCount: Number(int(raw, "flag_count")),
  lastFlagKind: brandedOrNull(FlagKind.is, raw, "last_flag_kind"),
  reason: textOrNull(raw, "reason"),
  brokerStatus: textOrNull(raw, "broker_status"),
  submittedAt: branded(Instant.is, raw, "submitted_at"),
  executedAt: brandedOrNull(Instant.is, raw, "executed_at"),
  failedAt: brandedOrNull(Instant.is, raw, "failed_at"),
  streamVersion: Number(int(raw, "stream_version")),
  updatedAt: branded(Instant.is, raw, "updated_at"),
  request: brandedOrNull(isRequest, raw, "request"),
  requestedAt: brandedOrNull(Instant.is, raw, "request_at")
})
