/**
 * Whether an order in an account's list is what a request asked for: the one test that
 * finds a placement (or a replacement) again when Schwab's answer was lost. Used by the
 * intent resolution here and by the client's own lookup after a lost answer, so both
 * agree on what "the same order" means.
 *
 * @since 0.5.0
 */
import * as D from "./Decimal.js"
import type { Direction, Shares, TickerSymbol } from "./ids.js"
import { hasLimit, hasStop } from "./OrderTerms.js"
import type { SchwabOrder } from "./SchwabOrder.js"

/**
 * What a request fixes about its order. The words are optional for callers that predate
 * them (the client's market-order callers); absent, they are MARKET / DAY / NORMAL, which
 * is what such a request sent.
 *
 * @since 0.5.0
 * @category models
 */
export interface RequestedOrder {
  readonly symbol: TickerSymbol
  readonly shares: Shares
  readonly instruction: Direction
  readonly orderType?: string | undefined
  readonly price?: D.Decimal | undefined
  readonly stopPrice?: D.Decimal | undefined
  readonly duration?: string | undefined
  readonly session?: string | undefined
}

/** Both present and equal (a price the type needs, missing from either side, is no match). */
const samePrice = (asked: D.Decimal | undefined, listed: D.Decimal | undefined): boolean =>
  asked !== undefined && listed !== undefined && D.equals(asked, listed)

/**
 * Whether `listed` is `request`: one leg with the same symbol, instruction and quantity,
 * the same order type (a lost LIMIT answer never matches a MARKET order), the same limit
 * when the type has one and the same trigger when it has one (a LIMIT at 10.00 is not one
 * at 10.01), and, when the listing shows them, the same duration and session. A price the
 * type has no use for is not compared (a stray field on a MARKET body is no other order),
 * and a listing that leaves duration or session out is not held against the request: real
 * bodies always carry both, and passing over an order that exists would end its intent as
 * "not placed" while it trades.
 *
 * @since 0.5.0
 * @category decisions
 */
export const matchesRequest = (request: RequestedOrder, listed: SchwabOrder): boolean => {
  const [leg, ...more] = listed.legs
  if (leg === undefined || more.length > 0) return false
  const quantity = listed.quantity ?? leg.quantity
  const orderType = request.orderType ?? "MARKET"
  return (
    leg.symbol === request.symbol &&
    leg.instruction === request.instruction &&
    quantity !== undefined &&
    D.equals(quantity, request.shares) &&
    listed.orderType === orderType &&
    (!hasLimit(orderType) || samePrice(request.price, listed.price)) &&
    (!hasStop(orderType) || samePrice(request.stopPrice, listed.stopPrice)) &&
    (listed.duration === undefined || listed.duration === (request.duration ?? "DAY")) &&
    (listed.session === undefined || listed.session === (request.session ?? "NORMAL"))
  )
}
