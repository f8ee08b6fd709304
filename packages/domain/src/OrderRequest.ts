/**
 * The order a bot asks the tracker to place (or to replace an order with), as recorded in
 * the intent event before the request goes out.
 *
 * It holds what the client sends and what finds the order again in the account's list
 * when the answer is lost (see `requestMatch.ts`): symbol, shares, instruction, order type,
 * limit and stop prices, duration and session are compared with the listed orders.
 *
 * The words stay as loose as Schwab's (`WireWord`) in the stored event, so every intent
 * ever recorded decodes; what a new placement may say is checked where it is made
 * (`OrderTerms.ts`). Events recorded before `stopPrice` existed have none, which is what
 * they meant: they were MARKET orders.
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
 * One single-leg order request. `price` is the limit (LIMIT, STOP_LIMIT), `stopPrice` the
 * trigger (STOP, STOP_LIMIT), both absent on a MARKET order. `tag` is kept for intents
 * that carry one; the tracker sends none (the spec's `OrderRequest` has no `tag`: Schwab
 * stamps it on the order itself, from the app key).
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
    t.exact(
      t.partial({
        price: NonNegativeDecimalFromString,
        stopPrice: NonNegativeDecimalFromString,
        tag: t.string
      })
    )
  ],
  "OrderRequest"
)
/** @since 0.2.0 @category models */
export type OrderRequest = t.TypeOf<typeof OrderRequest>
