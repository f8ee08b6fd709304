/**
 * The typed events of one execution's stream, and their versioned storage codec.
 *
 * One stream per execution (the bot's ExecutionId). Every other view — TradeState, the
 * executions table, P&L inputs — is a fold of these events, so their shape is the
 * contract between the domain, the store and the bot.
 *
 * @since 0.1.0
 */
import * as t from "io-ts"
import { DecimalFromString, NonNegativeDecimalFromString } from "./Decimal.js"
import { AccountHash, Direction, ExecutionId, Instant, OrderId, Shares, TickerSymbol } from "./ids.js"
import { OrderRequest } from "./OrderRequest.js"

const CentsFromString = new t.Type<bigint, string, unknown>(
  "CentsFromString",
  (u): u is bigint => typeof u === "bigint",
  (u, c) =>
    typeof u === "string" && /^-?\d{1,20}$/.test(u)
      ? t.success(BigInt(u))
      : t.failure(u, c, "expected cents as digits"),
  (b) => b.toString()
)

const optional = <P extends t.Props>(props: P) => t.exact(t.partial(props))

/**
 * The tracker is about to place an order for the bot: recorded BEFORE the request, so a
 * crash or a lost answer after it leaves something to resolve. The order is found again
 * in the account's list by `accountHash`, the order's symbol, shares, instruction and
 * order type, entered at or after `requestedAt`; it is never sent a second time.
 */
export const PlacementRequested = t.intersection(
  [
    t.type({
      type: t.literal("PlacementRequested"),
      executionId: ExecutionId,
      accountHash: AccountHash,
      order: OrderRequest,
      requestedAt: Instant
    }),
    optional({ referencePrice: NonNegativeDecimalFromString })
  ],
  "PlacementRequested"
)
/** @since 0.2.0 @category events */
export type PlacementRequested = t.TypeOf<typeof PlacementRequested>

/**
 * The bot sent an order (or the tracker placed it: then the id came from Schwab's
 * `Location`, or was recovered from the account's list, which the event's metadata says).
 * `referencePrice` is the price the bot expected (its market
 * view at submit time), used only to flag fills far from it.
 */
export const Submitted = t.intersection(
  [
    t.type({
      type: t.literal("Submitted"),
      executionId: ExecutionId,
      orderId: OrderId,
      accountHash: AccountHash,
      symbol: TickerSymbol,
      shares: Shares,
      direction: Direction,
      submittedAt: Instant
    }),
    optional({ referencePrice: NonNegativeDecimalFromString })
  ],
  "Submitted"
)
/** @since 0.1.0 @category events */
export type Submitted = t.TypeOf<typeof Submitted>

/**
 * One execution (one `executionLegs[]` element of a FILL activity). `fillKey` is stable
 * across polls: `activityId:index` when Schwab sends an activityId, else derived from
 * the leg's own contents. `legId` names the order leg it fills (repeats across fills).
 */
export const LegFilled = t.intersection(
  [
    t.type({
      type: t.literal("LegFilled"),
      executionId: ExecutionId,
      orderId: OrderId,
      fillKey: t.string,
      quantity: NonNegativeDecimalFromString,
      price: DecimalFromString,
      executedAt: Instant
    }),
    optional({
      legId: t.string,
      activityId: t.string,
      symbol: TickerSymbol,
      instruction: t.string
    })
  ],
  "LegFilled"
)
/** @since 0.1.0 @category events */
export type LegFilled = t.TypeOf<typeof LegFilled>

/** Per order leg totals, for multi-leg orders (a spread fills per leg, never summed across legs). */
export const LegSummary = t.intersection(
  [
    t.type({
      legId: t.string,
      filledQuantity: NonNegativeDecimalFromString,
      notional: DecimalFromString,
      averagePrice: DecimalFromString,
      priceCents: CentsFromString
    }),
    optional({ symbol: TickerSymbol, instruction: t.string })
  ],
  "LegSummary"
)
/** @since 0.1.0 @category models */
export type LegSummary = t.TypeOf<typeof LegSummary>

/**
 * The broker says FILLED and the fills add up. `notional / filledShares` is the exact
 * average; `averagePrice` is that quotient (exact when it terminates, else 12 digits
 * half-up) and `priceCents` is it rounded half-up to cents once.
 */
export const Filled = t.type(
  {
    type: t.literal("Filled"),
    executionId: ExecutionId,
    orderId: OrderId,
    filledShares: NonNegativeDecimalFromString,
    notional: DecimalFromString,
    averagePrice: DecimalFromString,
    priceCents: CentsFromString,
    closedAt: Instant,
    legs: t.readonlyArray(LegSummary)
  },
  "Filled"
)
/** @since 0.1.0 @category events */
export type Filled = t.TypeOf<typeof Filled>

/**
 * The order ended without filling completely: canceled, rejected, expired, or replaced
 * by an order that is not followed. Shares that did execute are kept with their price.
 *
 * Without `orderId` (and `brokerStatus`) it ends a `PlacementRequested` that found no
 * single order: none after the bounded window (not placed), or several (`candidateOrderIds`
 * names every one). This is `Failed` rather than an event of its own on purpose: a bot's
 * P&L handler already closes an execution on `Failed` with its `filledShares` (0 here),
 * and the read model already treats it as the terminal FAILED row, so an unplaced order
 * can never look open to either. `candidateOrderIds` is also set when a replacement could
 * not be told apart from other orders.
 */
export const Failed = t.intersection(
  [
    t.type({
      type: t.literal("Failed"),
      executionId: ExecutionId,
      reason: t.string,
      filledShares: NonNegativeDecimalFromString,
      failedAt: Instant,
      legs: t.readonlyArray(LegSummary)
    }),
    optional({
      orderId: OrderId,
      brokerStatus: t.string,
      notional: DecimalFromString,
      averagePrice: DecimalFromString,
      priceCents: CentsFromString,
      replacementOrderId: OrderId,
      candidateOrderIds: t.readonlyArray(OrderId)
    })
  ],
  "Failed"
)
/** @since 0.1.0 @category events */
export type Failed = t.TypeOf<typeof Failed>

/** The order was replaced; the execution now follows `replacementOrderId`. */
export const Replaced = t.type(
  {
    type: t.literal("Replaced"),
    executionId: ExecutionId,
    orderId: OrderId,
    replacementOrderId: OrderId,
    replacedAt: Instant
  },
  "Replaced"
)
/** @since 0.1.0 @category events */
export type Replaced = t.TypeOf<typeof Replaced>

/**
 * The tracker is about to replace `orderId` (the followed order) with `order`: recorded
 * before the request. The answer's `Location` gives `Replaced` at once; when it is lost,
 * the replacement is found like any unnamed one, from the REPLACED original.
 */
export const ReplaceRequested = t.type(
  {
    type: t.literal("ReplaceRequested"),
    executionId: ExecutionId,
    orderId: OrderId,
    order: OrderRequest,
    requestedAt: Instant
  },
  "ReplaceRequested"
)
/** @since 0.2.0 @category events */
export type ReplaceRequested = t.TypeOf<typeof ReplaceRequested>

/**
 * The tracker is about to cancel `orderId`: recorded before the request. The outcome is
 * what Schwab later reports for the order (CANCELED with what executed kept, or a fill).
 */
export const CancelRequested = t.type(
  {
    type: t.literal("CancelRequested"),
    executionId: ExecutionId,
    orderId: OrderId,
    requestedAt: Instant
  },
  "CancelRequested"
)
/** @since 0.2.0 @category events */
export type CancelRequested = t.TypeOf<typeof CancelRequested>

/** Which kind of order-entry request a `RequestLapsed` closes. @since 0.4.0 @category models */
export const RequestKind = t.keyof({ Replace: null, Cancel: null }, "RequestKind")
/** @since 0.4.0 @category models */
export type RequestKind = t.TypeOf<typeof RequestKind>

/**
 * A `ReplaceRequested` or `CancelRequested` whose answer was lost ended without Schwab
 * carrying it out: the followed order was still working, naming no replacement, a bounded
 * time after the request. Recorded instead of sending the request again; it closes the
 * open request (`request` and `requestedAt` name it), so a new replace or cancel may be
 * asked for. `lapsedAt` is the decision's time (Schwab reports no time for a request it
 * did not act on).
 */
export const RequestLapsed = t.type(
  {
    type: t.literal("RequestLapsed"),
    executionId: ExecutionId,
    orderId: OrderId,
    request: RequestKind,
    requestedAt: Instant,
    reason: t.string,
    lapsedAt: Instant
  },
  "RequestLapsed"
)
/** @since 0.4.0 @category events */
export type RequestLapsed = t.TypeOf<typeof RequestLapsed>

/** Why a fill was flagged. The fill itself is always recorded unchanged. */
export const FlagKind = t.keyof({ PriceOutOfBand: null, NonPositivePrice: null, Overfill: null }, "FlagKind")
/** @since 0.1.0 @category models */
export type FlagKind = t.TypeOf<typeof FlagKind>

/** A recorded fill looks wrong (far from the reference price, price <= 0, more shares than ordered). */
export const FillFlagged = t.intersection(
  [
    t.type({
      type: t.literal("FillFlagged"),
      executionId: ExecutionId,
      orderId: OrderId,
      kind: FlagKind,
      detail: t.string,
      flaggedAt: Instant
    }),
    optional({ fillKey: t.string, price: DecimalFromString, referencePrice: DecimalFromString })
  ],
  "FillFlagged"
)
/** @since 0.1.0 @category events */
export type FillFlagged = t.TypeOf<typeof FillFlagged>

/** @since 0.1.0 @category codecs */
export const TradeEvent = t.union(
  [
    PlacementRequested,
    Submitted,
    LegFilled,
    Filled,
    Failed,
    Replaced,
    FillFlagged,
    ReplaceRequested,
    CancelRequested,
    RequestLapsed
  ],
  "TradeEvent"
)
/** @since 0.1.0 @category events */
export type TradeEvent = t.TypeOf<typeof TradeEvent>
/** @since 0.1.0 @category events */
export type TradeEventType = TradeEvent["type"]

/**
 * Schema version written with every stored event; bump it with an upcaster when a payload
 * changes. Still 1 after the placement events: every change since is additive (new event
 * types, fields that became optional, more Direction values), so every stored version-1
 * payload decodes unchanged.
 */
export const EVENT_SCHEMA_VERSION = 1
