/**
 * Builders for tests: SchwabOrder snapshots, activities and events written the way the
 * decoder hands them to reconcile, with readable defaults (one 100-share AAPL buy).
 */
import * as D from "../../src/Decimal.js"
import type { LegFilled, PlacementRequested, Submitted } from "../../src/Events.js"
import type { AccountHash, ExecutionId, Instant, OrderId, Shares, TickerSymbol } from "../../src/ids.js"
import type { WireWord } from "../../src/OrderRequest.js"
import {
  type ExecutionLeg,
  KNOWN_ORDER_STATUSES,
  type KnownOrderStatus,
  type OrderActivity,
  type OrderLeg,
  type OrderStatus,
  type SchwabOrder
} from "../../src/SchwabOrder.js"

/** Exact decimal from text; throws on a typo in a test. */
export const dec = (text: string): D.Decimal => {
  const d = D.fromString(text)
  if (d === undefined) throw new Error(`bad decimal in test: ${text}`)
  return d
}

/** `at("17:15:18")` is that time on 2025-08-29; a full ISO text is taken as is. */
export const at = (time: string): Instant =>
  (time.includes("T") ? new Date(time).toISOString() : `2025-08-29T${time}.000Z`) as Instant

export const orderId = (id: string): OrderId => id as OrderId
export const ORDER_ID = orderId("1003931001")
export const EXECUTION_ID = "exec-1" as ExecutionId
export const NOW = at("20:00:00")

export const status = (value: string): OrderStatus =>
  (KNOWN_ORDER_STATUSES as ReadonlyArray<string>).includes(value)
    ? { _tag: "Known", value: value as KnownOrderStatus }
    : { _tag: "Unlisted", value }

export const submitted = (overrides: Partial<Submitted> = {}): Submitted => ({
  type: "Submitted",
  executionId: EXECUTION_ID,
  orderId: ORDER_ID,
  accountHash: "HASH123" as Submitted["accountHash"],
  symbol: "AAPL" as TickerSymbol,
  shares: dec("100") as Shares,
  direction: "BUY",
  submittedAt: at("17:00:00"),
  ...overrides
})

export interface LegSpec {
  readonly legId?: string
  readonly quantity: string
  readonly price: string
  readonly time?: string
}

/** The intent to place the default order (100 AAPL BUY at market) before it has an id. */
export const placementRequested = (overrides: Partial<PlacementRequested> = {}): PlacementRequested => ({
  type: "PlacementRequested",
  executionId: EXECUTION_ID,
  accountHash: "HASH123" as AccountHash,
  order: {
    symbol: "AAPL" as TickerSymbol,
    shares: dec("100") as Shares,
    instruction: "BUY",
    orderType: "MARKET" as WireWord,
    session: "NORMAL" as WireWord,
    duration: "DAY" as WireWord
  },
  requestedAt: at("17:00:00"),
  ...overrides
})

export const execLeg = (spec: LegSpec, index = 0): ExecutionLeg => ({
  index,
  ...(spec.legId === undefined ? {} : { legId: spec.legId }),
  quantity: dec(spec.quantity),
  price: dec(spec.price),
  ...(spec.time === undefined ? {} : { time: at(spec.time) })
})

/** A FILL activity; `activityId: null` leaves it out (the spec does not list it). */
export const fill = (activityId: string | null, ...legs: ReadonlyArray<LegSpec>): OrderActivity => ({
  activityType: "EXECUTION",
  ...(activityId === null ? {} : { activityId }),
  executionType: "FILL",
  quantity: D.sum(legs.map((l) => dec(l.quantity))),
  executionLegs: legs.map(execLeg)
})

/** A non-FILL execution activity, e.g. Schwab's `CANCELED` at price 0. */
export const execution = (
  executionType: string | undefined,
  activityId: string | null,
  ...legs: ReadonlyArray<LegSpec>
): OrderActivity => ({
  activityType: "EXECUTION",
  ...(activityId === null ? {} : { activityId }),
  ...(executionType === undefined ? {} : { executionType }),
  executionLegs: legs.map(execLeg)
})

export const leg = (overrides: Partial<OrderLeg> = {}): OrderLeg => ({
  legId: "1",
  instruction: "BUY",
  quantity: dec("100"),
  symbol: "AAPL" as TickerSymbol,
  assetType: "EQUITY",
  ...overrides
})

export const order = (overrides: Partial<SchwabOrder> = {}): SchwabOrder => ({
  orderId: ORDER_ID,
  status: status("WORKING"),
  quantity: dec("100"),
  enteredTime: at("17:00:01"),
  legs: [leg()],
  activities: [],
  replacingOrders: [],
  childOrders: [],
  ...overrides
})

/** The LegFilled reconcile should emit for a fill of the default order. */
export const legFilled = (
  fillKey: string,
  quantity: string,
  price: string,
  time: string,
  extra: Partial<LegFilled> = {}
): LegFilled => ({
  type: "LegFilled",
  executionId: EXECUTION_ID,
  orderId: ORDER_ID,
  fillKey,
  quantity: dec(quantity),
  price: dec(price),
  executedAt: at(time),
  legId: "1",
  ...(fillKey.includes(":") && !fillKey.startsWith("leg=")
    ? { activityId: fillKey.split(":")[0] ?? "" }
    : {}),
  symbol: "AAPL" as TickerSymbol,
  instruction: "BUY",
  ...extra
})
