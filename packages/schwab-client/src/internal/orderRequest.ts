/**
 * What the client writes to Schwab and reads from its headers: the order body, the new
 * order id in `Location`, and the one time format `listOrders` accepts.
 */
import {
  Decimal,
  type Direction,
  OrderDuration,
  OrderId,
  OrderSession,
  OrderType,
  priceProblem,
  type Shares,
  type TickerSymbol,
  termsProblems
} from "@fill-tracker/domain"
import * as Either from "effect/Either"

/**
 * The bot's order: a whole-share single-leg equity order. The terms are optional for the
 * callers that predate them; absent, they are MARKET / DAY / NORMAL.
 */
export interface OrderEntry {
  readonly symbol: TickerSymbol
  readonly shares: Shares
  readonly direction: Direction
  readonly orderType?: OrderType | undefined
  /** The limit (LIMIT, STOP_LIMIT). */
  readonly price?: Decimal.Decimal | undefined
  /** The trigger (STOP, STOP_LIMIT). */
  readonly stopPrice?: Decimal.Decimal | undefined
  readonly duration?: OrderDuration | undefined
  readonly session?: OrderSession | undefined
}

/** Whole shares as JSON number text; a count beyond 2^53 is not an order anyone means to send. */
export const wholeSharesText = (shares: Decimal.Decimal): Either.Either<string, string> =>
  shares.scale !== 0 || shares.units <= 0n
    ? Either.left("shares must be a positive whole number")
    : shares.units > BigInt(Number.MAX_SAFE_INTEGER)
      ? Either.left("shares is implausibly large")
      : Either.right(shares.units.toString())

/**
 * Every problem with the order's terms, each naming its field (`price: ...`), or none. A
 * caller outside TypeScript can pass any word, so the words are checked here too.
 */
const termsOf = (order: OrderEntry): ReadonlyArray<string> => {
  const problems: Array<string> = []
  const word = (field: string, codec: { is: (u: unknown) => boolean; keys: object }, value: unknown) => {
    if (!codec.is(value))
      problems.push(
        `${field} must be one of ${Object.keys(codec.keys).join(", ")}, not ${JSON.stringify(value)}`
      )
  }
  const orderType = order.orderType ?? "MARKET"
  const session = order.session ?? "NORMAL"
  word("orderType", OrderType, orderType)
  word("duration", OrderDuration, order.duration ?? "DAY")
  word("session", OrderSession, session)
  for (const [field, price] of [
    ["price", order.price],
    ["stopPrice", order.stopPrice]
  ] as const) {
    const problem = price === undefined ? undefined : priceProblem(price)
    if (problem !== undefined) problems.push(`${field} ${problem}`)
  }
  if (problems.length > 0 || !OrderType.is(orderType) || !OrderSession.is(session)) return problems
  const terms = { orderType, session, price: order.price, stopPrice: order.stopPrice }
  for (const [field, problem] of termsProblems(terms)) problems.push(`${field} ${problem}`)
  return problems
}

/**
 * The JSON body of a SINGLE equity order with these terms. Built as text so the quantity
 * and the prices are written from their exact digits, never via a float.
 */
export const orderBody = (order: OrderEntry): Either.Either<string, string> => {
  const problems = termsOf(order)
  if (problems.length > 0) return Either.left(problems.join("; "))
  const price = (field: string, d: Decimal.Decimal | undefined) =>
    d === undefined ? "" : `,${JSON.stringify(field)}:${Decimal.format(d)}`
  return Either.map(
    wholeSharesText(order.shares),
    (quantity) =>
      `{"orderType":${JSON.stringify(order.orderType ?? "MARKET")},"session":${JSON.stringify(order.session ?? "NORMAL")},"duration":${JSON.stringify(order.duration ?? "DAY")}${price("price", order.price)}${price("stopPrice", order.stopPrice)},"orderStrategyType":"SINGLE","orderLegCollection":[{"instruction":${JSON.stringify(order.direction)},"quantity":${quantity},"instrument":{"symbol":${JSON.stringify(order.symbol)},"assetType":"EQUITY"}}]}`
  )
}

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
