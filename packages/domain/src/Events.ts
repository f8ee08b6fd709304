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
 * The bot sent an order. `referencePrice` is the price the bot expected (its market
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
 */
export const Failed = t.intersection(
  [
    t.type({
      type: t.literal("Failed"),
      executionId: ExecutionId,
      orderId: OrderId,
      brokerStatus: t.string,
      reason: t.string,
      filledShares: NonNegativeDecimalFromString,
      failedAt: Instant,
      legs: t.readonlyArray(LegSummary)
    }),
    optional({
      notional: DecimalFromString,
      averagePrice: DecimalFromString,
      priceCents: CentsFromString,
      replacementOrderId: OrderId
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
export const TradeEvent = t.union([Submitted, LegFilled, Filled, Failed, Replaced, FillFlagged], "TradeEvent")
/** @since 0.1.0 @category events */
export type TradeEvent = t.TypeOf<typeof TradeEvent>
/** @since 0.1.0 @category events */
export type TradeEventType = TradeEvent["type"]

/** Schema version written with every stored event; bump it with an upcaster when a payload changes. */
export const EVENT_SCHEMA_VERSION = 1
