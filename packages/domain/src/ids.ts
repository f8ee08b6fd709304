/**
 * Branded identifiers and small value types shared by every package.
 *
 * @since 0.1.0
 */
import * as t from "io-ts"
import * as D from "./Decimal.js"

/** Schwab order id: int64 on the wire, kept as its decimal digits (ids above 2^53 lose digits as numbers). */
export interface OrderIdBrand {
  readonly OrderId: unique symbol
}
/** @since 0.1.0 @category models */
export type OrderId = t.Branded<string, OrderIdBrand>
/** @since 0.1.0 @category codecs */
export const OrderId = t.brand(
  t.string,
  // Only a 19-digit id can pass int64's maximum, so shorter ones skip the BigInt.
  (s): s is OrderId => /^[0-9]{1,19}$/.test(s) && (s.length < 19 || BigInt(s) <= 9223372036854775807n),
  "OrderId"
)

/** An order id a submission may name: int64 and positive (Schwab numbers orders from 1). */
export interface PositiveOrderIdBrand {
  readonly PositiveOrderId: unique symbol
}
/** @since 0.1.0 @category models */
export type PositiveOrderId = t.Branded<OrderId, PositiveOrderIdBrand>
/**
 * Refuses `0` (and `000`): a stored order id must name an order. Stored events and broker
 * bodies keep the wider `OrderId`, so nothing already recorded stops decoding.
 *
 * @since 0.1.0
 * @category codecs
 */
export const PositiveOrderId = t.brand(
  OrderId,
  (s): s is PositiveOrderId => /[1-9]/.test(s),
  "PositiveOrderId"
)

/** Schwab's hash of an account number: the only account reference that appears in URLs and events. */
export interface AccountHashBrand {
  readonly AccountHash: unique symbol
}
/** @since 0.1.0 @category models */
export type AccountHash = t.Branded<string, AccountHashBrand>
/** @since 0.1.0 @category codecs */
export const AccountHash = t.brand(
  t.string,
  (s): s is AccountHash => /^[A-Za-z0-9_-]{1,128}$/.test(s),
  "AccountHash"
)

/** Ticker symbol as Schwab writes it (`AAPL`, `BRK.B`, `SPY   250919C00500000` for options). */
export interface TickerSymbolBrand {
  readonly TickerSymbol: unique symbol
}
/** @since 0.1.0 @category models */
export type TickerSymbol = t.Branded<string, TickerSymbolBrand>
/** @since 0.1.0 @category codecs */
export const TickerSymbol = t.brand(
  t.string,
  (s): s is TickerSymbol => s.length > 0 && s.length <= 64 && s.trim() === s && !/[\n\r\t]/.test(s),
  "TickerSymbol"
)

/**
 * A symbol in Schwab's alphabet, as a submission may name it: an equity, ETF or index
 * (`AAPL`, `BRK.B`, `BRK/B`, `$SPX`, `/ES`: capitals, digits, `.`, `/`, `-`, at most 15
 * characters with an optional leading `$` or `/`), or an option in Schwab's OCC form, the
 * root padded with spaces to six characters, then `yymmdd`, `C`/`P` and the strike in
 * thousandths (`SPY   250919C00500000`). Nothing else: no lower case, no control, bidi or
 * zero-width characters, no spaces outside an option's padding.
 */
export interface OrderSymbolBrand {
  readonly OrderSymbol: unique symbol
}
/** @since 0.1.0 @category models */
export type OrderSymbol = t.Branded<TickerSymbol, OrderSymbolBrand>

const EQUITY_SYMBOL = /^[$/]?[A-Z0-9][A-Z0-9./-]{0,14}$/
// 21 characters in all, so the root and its padding are exactly six.
const OPTION_SYMBOL = /^(?=.{21}$)[A-Z0-9.]{1,6} *\d{6}[CP]\d{8}$/

/** @since 0.1.0 @category codecs */
export const OrderSymbol = t.brand(
  TickerSymbol,
  (s): s is OrderSymbol => EQUITY_SYMBOL.test(s) || OPTION_SYMBOL.test(s),
  "OrderSymbol"
)

/** The bot's own id for one execution (one event stream), chosen before the order is sent. */
export interface ExecutionIdBrand {
  readonly ExecutionId: unique symbol
}
/** @since 0.1.0 @category models */
export type ExecutionId = t.Branded<string, ExecutionIdBrand>
/** @since 0.1.0 @category codecs */
export const ExecutionId = t.brand(
  t.string,
  (s): s is ExecutionId => /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(s),
  "ExecutionId"
)

/** A positive whole number of shares, as the bot orders them. */
export interface SharesBrand {
  readonly Shares: unique symbol
}
/** @since 0.1.0 @category models */
export type Shares = t.Branded<D.Decimal, SharesBrand>
/** @since 0.1.0 @category codecs */
export const Shares = t.brand(
  D.DecimalFromString,
  (d): d is Shares => D.isPositive(d) && D.isInteger(d),
  "Shares"
)

/**
/**
 * The most shares (or contracts) one submission may name: ten million, above any single
 * order a bot sends and far below the slips it stops (`1e100`, 10^30 from a unit mix-up).
 *
 * @since 0.1.0
 * @category models
 */
export const MAX_ORDER_SHARES = 10_000_000n

/** Shares a submission may name: whole, from 1 to `MAX_ORDER_SHARES`. */
export interface OrderSharesBrand {
  readonly OrderShares: unique symbol
}
/** @since 0.1.0 @category models */
export type OrderShares = t.Branded<Shares, OrderSharesBrand>
/** @since 0.1.0 @category codecs */
export const OrderShares = t.brand(
  Shares,
  (d): d is OrderShares => D.compare(d, D.fromBigInt(MAX_ORDER_SHARES)) <= 0,
  "OrderShares"
)

/**
 * The equity instructions the spec lists: opening and closing a long position (BUY, SELL)
 * and a short one (SELL_SHORT, BUY_TO_COVER). Kept as sent, never folded into BUY/SELL,
 * so a bot's books can tell a short sale from a sale.
 *
 * @since 0.1.0
 * @category models
 */
export type Direction = "BUY" | "SELL" | "SELL_SHORT" | "BUY_TO_COVER"
/** @since 0.1.0 @category codecs */
export const Direction = t.keyof({ BUY: null, SELL: null, SELL_SHORT: null, BUY_TO_COVER: null }, "Direction")

/**
 * An instant as ISO-8601 UTC text with milliseconds (`2025-08-29T17:15:18.000Z`): the
 * only time format inside events, whatever form the broker sent.
 */
export interface InstantBrand {
  readonly Instant: unique symbol
}
/** @since 0.1.0 @category models */
export type Instant = t.Branded<string, InstantBrand>

const INSTANT_TEXT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
/** Two digits at `i` of text the pattern already checked. */
const two = (s: string, i: number): number => (s.charCodeAt(i) - 48) * 10 + (s.charCodeAt(i + 1) - 48)

/**
 * `YYYY-MM-DDTHH:mm:ss.sssZ` whose fields `Date.parse` accepts: month 1-12, day 1-31 (it
 * does not check the month's length), hour 0-23 or 24:00:00.000, minute and second 0-59.
 * Checked by the digits instead of `Date.parse` because replay checks every event's times
 * (a test holds the two equal on every string of this shape).
 */
const isInstantText = (s: string): boolean => {
  if (!INSTANT_TEXT.test(s)) return false
  const month = two(s, 5)
  const day = two(s, 8)
  const hour = two(s, 11)
  const minute = two(s, 14)
  const second = two(s, 17)
  if (month < 1 || month > 12 || day < 1 || day > 31 || minute > 59 || second > 59) return false
  return hour < 24 || (hour === 24 && minute === 0 && second === 0 && s.slice(20, 23) === "000")
}

/** @since 0.1.0 @category codecs */
export const Instant = t.brand(t.string, (s): s is Instant => isInstantText(s), "Instant")

/** @since 0.1.0 @category constructors */
export const instantFromDate = (d: Date): Instant => d.toISOString() as Instant

/**
 * How far a submission's `submittedAt` may lie from now, either way: a day. A year-1 or
 * year-2999 time is a bug in the caller, and would put the order outside every list window.
 *
 * @since 0.1.0
 * @category models
 */
export const SUBMITTED_AT_WINDOW_MS = 86_400_000

/** Whether `at` is within `SUBMITTED_AT_WINDOW_MS` of `now`. @since 0.1.0 @category guards */
export const isNearNow = (at: Date, now: Date): boolean =>
  Math.abs(at.getTime() - now.getTime()) <= SUBMITTED_AT_WINDOW_MS
