/**
 * The terms of an equity order the tracker places: order type, limit and stop prices,
 * duration and session, and the rules that refuse a combination Schwab would not take (or
 * would take to mean something else) before anything is recorded.
 *
 * Where each rule comes from:
 * - The words are the spec's (`shared/schwab/`, schemas `orderTypeRequest`, `duration`,
 *   `session`): the four order types an equity bot places (the others are options, spreads,
 *   trailing or on-close orders the tracker does not place), every duration but `UNKNOWN`
 *   (the spec keeps `UNKNOWN` out of `orderTypeRequest` as "not allowed as an input"; the
 *   same holds for a duration), every session.
 * - Which type carries which price: `price` is the limit (LIMIT, STOP_LIMIT), `stopPrice`
 *   the trigger (STOP, STOP_LIMIT). The spec types both as optional numbers; a price on a
 *   type that has no use for it is refused rather than sent, since a MARKET order "with a
 *   price" is a bot bug, not an order.
 * - Ticks: the spec states none. The increments are SEC Regulation NMS Rule 612 (the
 *   sub-penny rule) that every US equity venue applies: a price of $1.00 or more in whole
 *   cents, below $1.00 in hundredths of a cent. A finer price would be refused by Schwab.
 * - Extended hours (AM, PM, SEAMLESS) take limit orders only: Schwab's rule for its
 *   extended-hours sessions (not in the spec), since there is no market to fill at.
 *
 * Prices are exact decimals from text: never a float, never scientific notation.
 *
 * @since 0.5.0
 */
import * as t from "io-ts"
import * as D from "./Decimal.js"

/** The order types the tracker places. @since 0.5.0 @category codecs */
export const OrderType = t.keyof({ MARKET: null, LIMIT: null, STOP: null, STOP_LIMIT: null }, "OrderType")
/** @since 0.5.0 @category models */
export type OrderType = t.TypeOf<typeof OrderType>

/** The spec's durations a request may name (all but `UNKNOWN`). @since 0.5.0 @category codecs */
export const OrderDuration = t.keyof(
  {
    DAY: null,
    GOOD_TILL_CANCEL: null,
    FILL_OR_KILL: null,
    IMMEDIATE_OR_CANCEL: null,
    END_OF_WEEK: null,
    END_OF_MONTH: null,
    NEXT_END_OF_MONTH: null
  },
  "OrderDuration"
)
/** @since 0.5.0 @category models */
export type OrderDuration = t.TypeOf<typeof OrderDuration>

/** The spec's sessions. @since 0.5.0 @category codecs */
export const OrderSession = t.keyof({ NORMAL: null, AM: null, PM: null, SEAMLESS: null }, "OrderSession")
/** @since 0.5.0 @category models */
export type OrderSession = t.TypeOf<typeof OrderSession>

/** Whether an order type carries a limit (`price`). @since 0.5.0 @category guards */
export const hasLimit = (orderType: string): boolean => orderType === "LIMIT" || orderType === "STOP_LIMIT"

/** Whether an order type carries a trigger (`stopPrice`). @since 0.5.0 @category guards */
export const hasStop = (orderType: string): boolean => orderType === "STOP" || orderType === "STOP_LIMIT"

/**
 * The highest price the tracker sends: ten million dollars, above any US equity's quote and
 * far below a unit slip (cents given as dollars, `1e9`).
 *
 * @since 0.5.0
 * @category constants
 */
export const MAX_ORDER_PRICE = D.fromBigInt(10_000_000n)

const ONE = D.fromBigInt(1n)
const PLAIN_PRICE = /^\d{1,8}(\.\d{1,12})?$/

/**
 * Why `d` cannot be an order's price, or undefined when it can: more than zero, at most
 * {@link MAX_ORDER_PRICE}, on Rule 612's tick (whole cents from $1.00, hundredths of a
 * cent below).
 *
 * @since 0.5.0
 * @category validation
 */
export const priceProblem = (d: D.Decimal): string | undefined => {
  if (!D.isPositive(d)) return "must be more than 0"
  if (D.compare(d, MAX_ORDER_PRICE) > 0) return `must be at most ${D.format(MAX_ORDER_PRICE)}`
  if (D.compare(d, ONE) >= 0 && d.scale > 2) return "must be in whole cents at $1.00 or more (SEC Rule 612)"
  if (d.scale > 4) return "must be in hundredths of a cent below $1.00 (SEC Rule 612)"
  return undefined
}

/**
 * A price as the bot gives it, or why it cannot be one: plain decimal text (`150.25`,
 * `0.5123`; no sign, exponent or spaces) that passes {@link priceProblem}.
 *
 * @since 0.5.0
 * @category constructors
 */
export const parseOrderPrice = (text: string): D.Decimal | string => {
  const d = PLAIN_PRICE.test(text) ? D.fromString(text) : undefined
  if (d === undefined) return "is not a plain decimal price (digits, an optional point and decimals)"
  return priceProblem(d) ?? d
}

/** What {@link termsProblems} checks. @since 0.5.0 @category models */
export interface OrderTermsInput {
  readonly orderType: OrderType
  readonly session: OrderSession
  readonly price?: D.Decimal | undefined
  readonly stopPrice?: D.Decimal | undefined
}

/**
 * The combinations of `terms` that are not an order, each as `[field, problem]`: a limit
 * or stop missing from the type that needs it, present on a type that has none, or a
 * non-limit order outside the regular session. Empty: the terms are an order.
 *
 * @since 0.5.0
 * @category validation
 */
export const termsProblems = (terms: OrderTermsInput): ReadonlyArray<readonly [string, string]> => {
  const out: Array<readonly [string, string]> = []
  const { orderType } = terms
  if (hasLimit(orderType) && terms.price === undefined)
    out.push(["price", `is required for a ${orderType} order (its limit)`])
  if (!hasLimit(orderType) && terms.price !== undefined)
    out.push(["price", `is not allowed on a ${orderType} order (only LIMIT and STOP_LIMIT have a limit)`])
  if (hasStop(orderType) && terms.stopPrice === undefined)
    out.push(["stopPrice", `is required for a ${orderType} order (its trigger)`])
  if (!hasStop(orderType) && terms.stopPrice !== undefined)
    out.push([
      "stopPrice",
      `is not allowed on a ${orderType} order (only STOP and STOP_LIMIT have a trigger)`
    ])
  if (terms.session !== "NORMAL" && orderType !== "LIMIT")
    out.push(["session", `${terms.session} (extended hours) takes LIMIT orders only, not ${orderType}`])
  return out
}
