/**
 * The order a bot asks the tracker to place (or to replace an order with), as recorded in
 * the intent event before the request goes out.
 *
 * It holds what the client sends and what finds the order again in the account's list
 * when the answer is lost: symbol, shares, instruction and order type are compared with
 * the listed orders; session, duration, limit price and tag are kept so the intent says
 * exactly what was asked for.
 *
 * @since 0.2.0
 */
import * as t from "io-ts"
import { NonNegativeDecimalFromString } from "./Decimal.js"
import { Direction, Shares, TickerSymbol } from "./ids.js"

/** Schwab's upper-case enum words (`MARKET`, `NORMAL`, `DAY`, ...). */
export interface WireWordBrand {
  readonly WireWord: unique symbol
}
/** @since 0.2.0 @category models */
export type WireWord = t.Branded<string, WireWordBrand>
/** @since 0.2.0 @category codecs */
export const WireWord = t.brand(t.string, (s): s is WireWord => /^[A-Z][A-Z_]{0,39}$/.test(s), "WireWord")

/**
 * One single-leg order request. `price` is the limit of a LIMIT order (absent for MARKET);
 * `tag` is the tag Schwab echoes on the order, which marks it as this app's.
 *
 * @since 0.2.0
 * @category codecs
 */
export const OrderRequest = t.intersection(
  [
    t.type({
      symbol: TickerSymbol,
      shares: Shares,
      instruction: Direction,
      orderType: WireWord,
      session: WireWord,
      duration: WireWord
    }),
    t.exact(t.partial({ price: NonNegativeDecimalFromString, tag: t.string }))
  ],
  "OrderRequest"
)
/** @since 0.2.0 @category models */
export type OrderRequest = t.TypeOf<typeof OrderRequest>
