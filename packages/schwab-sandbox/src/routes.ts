/**
 * The routes Schwab serves, as pure handlers from a parsed request to an answer.
 * Faults, logging and the socket are the server's business.
 *
 * @since 0.1.0
 */
import type { IncomingHttpHeaders } from "node:http"
import type { RouteName } from "./Faults.js"
import { type JsonValue, renderJson } from "./JsonText.js"
import type { Lifecycle } from "./Lifecycle.js"
import { parseListQuery } from "./ListQuery.js"
import type { OAuth } from "./OAuth.js"
import type { Account, BookOrder, OrderBook, OrderSpec } from "./OrderBook.js"
import { validateOrderRequest } from "./OrderRequest.js"
import type { Random } from "./Random.js"
import { renderOrder } from "./renderOrder.js"
import type { StreamerInfo } from "./Streamer.js"

/** @since 0.1.0 @category models */
export interface Answer {
  readonly status: number
  readonly headers?: Readonly<Record<string, string>>
  /** JSON text, or nothing for Schwab's empty 200/201 bodies. */
  readonly body?: string
}

/** @since 0.1.0 @category models */
export interface RouteMatch {
  readonly name: RouteName
  readonly method: string
  /** Relative to `/trader/v1` for the Trader API, to `/v1` for OAuth. */
  readonly template: string
  readonly params: Readonly<Record<string, string>>
  readonly trader: boolean
}

/** @since 0.1.0 @category models */
export interface RouteContext {
  readonly book: OrderBook
  readonly oauth: OAuth
  readonly now: () => number
  readonly rng: Random
  /** `http://127.0.0.1:PORT`, for `Location` headers. */
  readonly origin: string
  readonly lifecycleFor: (spec: OrderSpec) => Lifecycle
  /** `streamerInfo[0]` for `GET /userPreference`. */
  readonly streamerInfo: StreamerInfo
  /** Answer `/userPreference` as the spec's array instead of the real single object. */
  readonly preferencesAsArray: boolean
}

/** @since 0.1.0 @category models */
export interface ParsedRequest {
  readonly url: URL
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

const TRADER = "/trader/v1"
const HASH = "([^/]+)"
const ID = "([^/]+)"

const TABLE: ReadonlyArray<{
  readonly method: string
  readonly pattern: RegExp
  readonly name: RouteName
  readonly template: string
  readonly keys: ReadonlyArray<string>
  readonly trader: boolean
}> = [
  {
    method: "GET",
    pattern: /^\/v1\/oauth\/authorize$/,
    name: "authorize",
    template: "/oauth/authorize",
    keys: [],
    trader: false
  },
  {
    method: "POST",
    pattern: /^\/v1\/oauth\/token$/,
    name: "token",
    template: "/oauth/token",
    keys: [],
    trader: false
  },
  {
    method: "GET",
    pattern: new RegExp(`^${TRADER}/accounts/accountNumbers$`),
    name: "accountNumbers",
    template: "/accounts/accountNumbers",
    keys: [],
    trader: true
  },
  {
    method: "GET",
    pattern: new RegExp(`^${TRADER}/accounts/${HASH}/orders$`),
    name: "listOrders",
    template: "/accounts/{hash}/orders",
    keys: ["hash"],
    trader: true
  },
  {
    method: "POST",
    pattern: new RegExp(`^${TRADER}/accounts/${HASH}/orders$`),
    name: "placeOrder",
    template: "/accounts/{hash}/orders",
    keys: ["hash"],
    trader: true
  },
  ...(
    [
      ["GET", "getOrder"],
      ["PUT", "replaceOrder"],
      ["DELETE", "cancelOrder"]
    ] as const
  ).map(([method, name]) => ({
    method,
    pattern: new RegExp(`^${TRADER}/accounts/${HASH}/orders/${ID}$`),
    name,
    template: "/accounts/{hash}/orders/{orderId}",
    keys: ["hash", "orderId"],
    trader: true
  })),
  {
    method: "GET",
    pattern: new RegExp(`^${TRADER}/userPreference$`),
    name: "userPreference",
    template: "/userPreference",
    keys: [],
    trader: true
  },
  {
    method: "GET",
    pattern: new RegExp(`^${TRADER}/orders$`),
    name: "listOrders",
    template: "/orders",
    keys: [],
    trader: true
  }
]

/** @since 0.1.0 @category routing */
export const matchRoute = (method: string, pathname: string): RouteMatch | undefined => {
  for (const route of TABLE) {
    if (route.method !== method) continue
    const match = route.pattern.exec(pathname)
    if (match === null) continue
    const params: Record<string, string> = {}
    route.keys.forEach((key, i) => {
      params[key] = decodeURIComponent(match[i + 1] ?? "")
    })
    return { name: route.name, method, template: route.template, params, trader: route.trader }
  }
  return undefined
}

const json = (status: number, body: JsonValue, headers: Record<string, string> = {}): Answer => ({
  status,
  headers,
  body: renderJson(body)
})

/** Schwab's first error shape. @since 0.1.0 @category answers */
export const serviceError = (
  status: number,
  message: string,
  errors: ReadonlyArray<string> = [message]
): Answer => json(status, { message, errors })

/** Schwab's second error shape, the one its gateway uses for 401s. @since 0.1.0 @category answers */
export const unauthorized = (rng: Random, detail: string): Answer =>
  json(401, { errors: [{ id: rng.uuid(), status: "401", title: "Unauthorized", detail }] })

/** @since 0.1.0 @category routing */
export const handle = (ctx: RouteContext, route: RouteMatch, request: ParsedRequest): Answer => {
  if (route.trader) {
    const access = ctx.oauth.checkAccess(request.headers.authorization)
    if (access !== "ok") {
      return unauthorized(
        ctx.rng,
        access === "missing"
          ? "Missing bearer token"
          : access === "expired"
            ? "Access token expired"
            : "Invalid access token"
      )
    }
  }
  switch (route.name) {
    case "authorize":
      return authorize(ctx, request.url)
    case "token": {
      const answer = ctx.oauth.token(request.headers.authorization, request.body)
      return json(answer.status, answer.body)
    }
    case "accountNumbers":
      return json(
        200,
        ctx.book.accounts.map((account) => ({
          accountNumber: account.accountNumber,
          hashValue: account.hashValue
        }))
      )
    case "listOrders":
      return listOrders(ctx, route, request.url)
    case "userPreference":
      return json(200, preferences(ctx))
    case "placeOrder":
      return withAccount(ctx, route, (account) => placeOrder(ctx, account, request.body))
    case "getOrder":
      return withOrder(ctx, route, (order) => json(200, renderOrder(ctx.book, order, ctx.now())))
    case "cancelOrder":
      return withOrder(ctx, route, (order) => {
        const result = ctx.book.cancel(order.orderId, ctx.now())
        return typeof result === "string" ? refusal(result, order) : { status: 200 }
      })
    case "replaceOrder":
      return withOrder(ctx, route, (order) => {
        const validated = validateOrderRequest(request.body)
        if (!validated.ok) return serviceError(400, "Invalid order", validated.errors)
        const result = ctx.book.replace(
          order.orderId,
          ctx.now(),
          validated.spec,
          ctx.lifecycleFor(validated.spec)
        )
        if (typeof result === "string") return refusal(result, order)
        ctx.book.placed(result, ctx.now(), order.orderId)
        return created(ctx, result)
      })
  }
}

/**
 * The real answer is one object (streamer.md §1) though the spec says an array;
 * `streamerInfo` has one element however many accounts there are.
 */
const preferences = (ctx: RouteContext): JsonValue => {
  const body: JsonValue = {
    accounts: ctx.book.accounts.map((account, i) => ({
      accountNumber: account.accountNumber,
      primaryAccount: i === 0,
      type: "BROKERAGE",
      nickName: "Individual",
      displayAcctId: `...${account.accountNumber.slice(-3)}`,
      autoPositionEffect: false,
      accountColor: "Green"
    })),
    streamerInfo: [{ ...ctx.streamerInfo }],
    offers: [{ level2Permissions: true, mktDataPermission: "NP" }]
  }
  return ctx.preferencesAsArray ? [body] : body
}

const authorize = (ctx: RouteContext, url: URL): Answer => {
  const redirectUri = url.searchParams.get("redirect_uri")
  if (url.searchParams.get("client_id") === null || redirectUri === null) {
    return json(400, {
      error: "invalid_request",
      error_description: "client_id and redirect_uri are required"
    })
  }
  if (url.searchParams.get("response_type") !== "code") {
    return json(400, { error: "unsupported_response_type" })
  }
  let target: URL
  try {
    target = new URL(redirectUri)
  } catch {
    return json(400, { error: "invalid_request", error_description: "redirect_uri is not a URL" })
  }
  target.searchParams.set("code", ctx.oauth.issueAuthorizationCode(redirectUri))
  target.searchParams.set("session", ctx.rng.uuid())
  return { status: 302, headers: { Location: target.toString() } }
}

const withAccount = (ctx: RouteContext, route: RouteMatch, then: (account: Account) => Answer): Answer => {
  const account = ctx.book.accountByHash(route.params.hash ?? "")
  return account === undefined
    ? serviceError(400, "Invalid account number", ["Invalid account number"])
    : then(account)
}

const withOrder = (ctx: RouteContext, route: RouteMatch, then: (order: BookOrder) => Answer): Answer =>
  withAccount(ctx, route, (account) => {
    const idText = route.params.orderId ?? ""
    if (!/^\d{1,19}$/.test(idText))
      return serviceError(400, "orderId must be an integer", [`orderId: ${idText}`])
    const order = ctx.book.get(BigInt(idText))
    if (order === undefined || order.account !== account || ctx.now() < order.enteredAt) {
      return serviceError(404, "Order not found", [`Order ${idText} not found`])
    }
    return then(order)
  })

const refusal = (why: "notFound" | "notOpen", order: BookOrder): Answer =>
  why === "notFound"
    ? serviceError(404, "Order not found", [`Order ${order.orderId} not found`])
    : serviceError(400, "Order is not open", [
        `Order ${order.orderId} cannot be changed: it is no longer working`
      ])

const created = (ctx: RouteContext, order: BookOrder): Answer => ({
  status: 201,
  headers: {
    Location: `${ctx.origin}${TRADER}/accounts/${encodeURIComponent(order.account.hashValue)}/orders/${order.orderId}`
  }
})

const placeOrder = (ctx: RouteContext, account: Account, body: string): Answer => {
  const validated = validateOrderRequest(body)
  if (!validated.ok) return serviceError(400, "Invalid order", validated.errors)
  const order = ctx.book.create(account, validated.spec, ctx.lifecycleFor(validated.spec), ctx.now())
  ctx.book.placed(order, ctx.now())
  return created(ctx, order)
}

const listOrders = (ctx: RouteContext, route: RouteMatch, url: URL): Answer => {
  let account: Account | undefined
  if (route.params.hash !== undefined) {
    account = ctx.book.accountByHash(route.params.hash)
    if (account === undefined) return serviceError(400, "Invalid account number", ["Invalid account number"])
  }
  const parsed = parseListQuery(url.searchParams)
  if (!parsed.ok) return serviceError(400, "Invalid request parameters", parsed.errors)
  const { query } = parsed
  const now = ctx.now()
  const inScope = (candidate: Account) => account === undefined || candidate === account
  const entries: Array<{ at: number; id: bigint; text: string }> = []
  for (const order of ctx.book.all()) {
    if (!inScope(order.account) || order.enteredAt > now) continue
    if (order.enteredAt < query.from || order.enteredAt > query.to) continue
    if (query.status !== undefined && ctx.book.stateAt(order, now).status !== query.status) continue
    entries.push({
      at: order.enteredAt,
      id: order.orderId,
      text: renderJson(renderOrder(ctx.book, order, now))
    })
  }
  for (const raw of ctx.book.rawEntries()) {
    if (!inScope(raw.account)) continue
    if (raw.enteredAt !== undefined && (raw.enteredAt < query.from || raw.enteredAt > query.to)) continue
    if (query.status !== undefined && raw.status !== query.status) continue
    entries.push({ at: raw.enteredAt ?? now, id: 0n, text: raw.text })
  }
  // Schwab lists newest first.
  entries.sort((a, b) => b.at - a.at || (b.id > a.id ? 1 : b.id < a.id ? -1 : 0))
  return {
    status: 200,
    headers: {},
    body: `[${entries
      .slice(0, query.maxResults)
      .map((entry) => entry.text)
      .join(",")}]`
  }
}
