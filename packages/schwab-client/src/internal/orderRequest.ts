/**
 * What the client writes to Schwab and reads from its headers: the market-order body, the
 * new order id in `Location`, and the one time format `listOrders` accepts.
 */
import { type Decimal, type Direction, OrderId, type Shares, type TickerSymbol } from "@fill-tracker/domain"
import * as Either from "effect/Either"

/** The bot's order: a whole-share market equity order, DAY, regular session. */
export interface MarketOrder {
  readonly symbol: TickerSymbol
  readonly shares: Shares
  readonly direction: Direction
}

/** Whole shares as JSON number text; a count beyond 2^53 is not an order anyone means to send. */
export const wholeSharesText = (shares: Decimal.Decimal): Either.Either<string, string> =>
  shares.scale !== 0 || shares.units <= 0n
    ? Either.left("shares must be a positive whole number")
    : shares.units > BigInt(Number.MAX_SAFE_INTEGER)
      ? Either.left("shares is implausibly large")
      : Either.right(shares.units.toString())

/** The JSON body of a MARKET / DAY / NORMAL / SINGLE equity order. */
export const marketOrderBody = (order: MarketOrder): Either.Either<string, string> =>
  Either.map(
    wholeSharesText(order.shares),
    (quantity) =>
      // Built as text so the quantity is written from its exact digits, never via a float.
      `{"orderType":"MARKET","session":"NORMAL","duration":"DAY","orderStrategyType":"SINGLE","orderLegCollection":[{"instruction":${JSON.stringify(order.direction)},"quantity":${quantity},"instrument":{"symbol":${JSON.stringify(order.symbol)},"assetType":"EQUITY"}}]}`
  )

/**
 * The order id in a `Location` header (`{baseUrl}/accounts/{hash}/orders/1004055538`), read
 * only when the header names this API's own host and base path and the account the request
 * was for. A Location naming another host or account is not proof of where our order went:
 * the caller treats it like a lost answer and looks the order up instead.
 */
export const orderIdFromLocation = (
  location: string | undefined,
  baseUrl: string,
  accountHash: string
): Either.Either<OrderId, string> => {
  if (location === undefined || location.trim() === "")
    return Either.left("the answer has no Location header")
  let url: URL
  let base: URL
  try {
    base = new URL(baseUrl)
    url = new URL(location.trim(), base)
  } catch {
    return Either.left("the Location header is not a URL")
  }
  if (url.origin !== base.origin) return Either.left("the Location header names another host")
  const basePath = base.pathname.replace(/\/+$/, "")
  const segments = url.pathname.replace(/\/+$/, "").slice(basePath.length).split("/")
  if (!url.pathname.startsWith(`${basePath}/`) || segments.length !== 5 || segments[1] !== "accounts")
    return Either.left("the Location header is not an order of this API")
  let hash: string
  try {
    hash = decodeURIComponent(segments[2] ?? "")
  } catch {
    return Either.left("the Location header is not an order of this API")
  }
  if (hash !== accountHash) return Either.left("the Location header names another account")
  const last = segments[4] ?? ""
  return segments[3] === "orders" && OrderId.is(last)
    ? Either.right(last)
    : Either.left("the Location header does not end in an order id")
}

/** `yyyy-MM-dd'T'HH:mm:ss.SSSZ` in UTC (`2025-08-29T00:00:00.000Z`): the only precision Schwab accepts. */
export const schwabTime = (d: Date): string => d.toISOString()

export const MAX_WINDOW_MILLIS = 60 * 24 * 60 * 60 * 1000

/** Checks a list window before it is sent: real dates, `from` ≤ `to`, at most 60 days, a sane maxResults. */
export const checkListQuery = (q: {
  readonly from: Date
  readonly to: Date
  readonly maxResults?: number | undefined
}): Either.Either<void, string> => {
  const from = q.from.getTime()
  const to = q.to.getTime()
  if (Number.isNaN(from) || Number.isNaN(to)) return Either.left("from and to must be valid dates")
  if (q.from.getUTCFullYear() < 1000 || q.to.getUTCFullYear() > 9999)
    return Either.left("from and to must be four-digit years")
  if (from > to) return Either.left("from is after to")
  if (to - from > MAX_WINDOW_MILLIS) return Either.left("the window is longer than 60 days, Schwab's limit")
  if (q.maxResults !== undefined && (!Number.isSafeInteger(q.maxResults) || q.maxResults < 1))
    return Either.left("maxResults must be a positive whole number")
  return Either.void
}
