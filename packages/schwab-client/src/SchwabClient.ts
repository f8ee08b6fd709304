/**
 * The Trader API calls fill-tracker makes: account hashes, one order, an order list, and
 * placing / cancelling / replacing an order.
 *
 * Every request goes through one rate limiter (in-process, or a `SharedLimiter` from the
 * context when several processes share the app key's budget), carries a fresh access token, has a
 * timeout, and is retried by the policy in `SchwabConfig.retry`: transport failures,
 * timeouts, 5xx and 429 (after `Retry-After`) with backoff; a 401 refreshes the token once
 * and retries once; 400/403/404 never. Requests that create orders are never retried once
 * they may have reached Schwab: a duplicate order is worse than a failure.
 *
 * @since 0.1.0
 */

import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type {
  AccountHash,
  Decimal,
  DecodedOrderList,
  Direction,
  OrderDuration,
  OrderId,
  OrderSession,
  OrderType,
  SchwabOrder,
  Shares,
  TickerSymbol
} from "@fill-tracker/domain"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import { withRetry } from "./internal/backoff.js"
import { context, type Endpoint, exchange, type Reply, statusError } from "./internal/exchange.js"
import {
  checkListQuery,
  type OrderEntry,
  orderBody as orderBodyText,
  orderIdFromLocation,
  schwabTime
} from "./internal/orderRequest.js"
import { placementCandidates } from "./internal/placementMatch.js"
import * as Wire from "./internal/wire.js"
import * as OrderEntryBudget from "./OrderEntryBudget.js"
import * as RateLimiter from "./RateLimiter.js"
import { SchwabAuth } from "./SchwabAuth.js"
import { SchwabConfig } from "./SchwabConfig.js"
import {
  DecodeError,
  InvalidRequest,
  isTransient,
  OrderEntryBudgetExhausted,
  OrderPlacementUnknown,
  type SchwabError,
  UnknownAccount
} from "./SchwabError.js"

/** An account the authorization can see; the plain number stays Redacted. @since 0.1.0 @category models */
export interface AccountNumber {
  readonly accountNumber: Redacted.Redacted<string>
  readonly hashValue: AccountHash
}

/**
 * `GET /orders` for every account at once: each order with its account's hash (mapped
 * from the order's plain `accountNumber` through the cached `accountNumbers`; undefined
 * when it names none or an account this authorization does not list). `elements` counts
 * the list's elements, skipped ones included, to tell an answer cut at `maxResults`.
 *
 * @since 0.1.0
 * @category models
 */
export interface AllAccountsOrderList {
  readonly orders: ReadonlyArray<{
    readonly order: SchwabOrder
    readonly accountHash: AccountHash | undefined
  }>
  readonly skipped: DecodedOrderList["skipped"]
  readonly elements: number
}

/** @since 0.1.0 @category models */
export interface ListOrdersQuery {
  /** Earliest entered time; required by Schwab. */
  readonly from: Date
  /** Latest entered time; required, and at most 60 days after `from`. */
  readonly to: Date
  /** One of Schwab's order statuses (`WORKING`, `FILLED`, ...). */
  readonly status?: string | undefined
  /** Schwab's default is 3000. */
  readonly maxResults?: number | undefined
}

/**
 * The bot's order: a single-leg whole-share equity order. `orderType` (MARKET, LIMIT, STOP,
 * STOP_LIMIT), `duration` and `session` default to MARKET, DAY and NORMAL; `price` is the
 * limit (LIMIT, STOP_LIMIT) and `stopPrice` the trigger (STOP, STOP_LIMIT), exact decimals.
 * Terms that are not an order (a LIMIT without price, a MARKET with one, a price off the
 * tick, a non-limit order outside the regular session) are an `InvalidRequest` naming the
 * field, and nothing is sent. No `tag` is sent: the spec's `OrderRequest` has none, and
 * Schwab stamps it on the order from the app key.
 *
 * @since 0.1.0
 * @category models
 */
export interface PlaceOrderRequest {
  readonly symbol: TickerSymbol
  readonly shares: Shares
  readonly direction: Direction
  readonly orderType?: OrderType | undefined
  readonly price?: Decimal.Decimal | undefined
  readonly stopPrice?: Decimal.Decimal | undefined
  readonly duration?: OrderDuration | undefined
  readonly session?: OrderSession | undefined
}

/**
 * Where and as whom to open the streamer (`GET /userPreference`, `streamerInfo[0]`). The
 * customer and correlation ids identify the user: Redacted like an account number.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamerInfo {
  readonly socketUrl: string
  readonly customerId: Redacted.Redacted<string>
  readonly correlId: Redacted.Redacted<string>
  readonly channel: string
  readonly functionId: string
}

/** @since 0.1.0 @category models */
export interface SchwabClient {
  /** The accounts this authorization can see (fetched once, then cached). */
  readonly accountNumbers: () => Effect.Effect<ReadonlyArray<AccountNumber>, SchwabError>
  /** The hash Schwab uses in URLs for a plain account number (from the cache; refetched once on a miss). */
  readonly accountHash: (
    accountNumber: string | Redacted.Redacted<string>
  ) => Effect.Effect<AccountHash, SchwabError>
  /** Streamer connection info from `GET /userPreference`; fetch it again before every new connection. */
  readonly streamerInfo: () => Effect.Effect<StreamerInfo, SchwabError>
  /** One order. 404 is OrderNotFound. */
  readonly getOrder: (accountHash: AccountHash, orderId: OrderId) => Effect.Effect<SchwabOrder, SchwabError>
  /** Orders entered in [from, to]; elements that do not decode are reported in `skipped`. */
  readonly listOrders: (
    accountHash: AccountHash,
    query: ListOrdersQuery
  ) => Effect.Effect<DecodedOrderList, SchwabError>
  /** Orders of every account entered in [from, to] (`GET /orders`), each with its account's hash. */
  readonly listAllOrders: (query: ListOrdersQuery) => Effect.Effect<AllAccountsOrderList, SchwabError>
  /** Places an order (market unless its terms say otherwise) and returns its id; never sends it twice (see the module doc). */
  readonly placeOrder: (
    accountHash: AccountHash,
    order: PlaceOrderRequest
  ) => Effect.Effect<OrderId, SchwabError>
  /** Cancels an order (Schwab answers 200 with no body). Not retried once sent. */
  readonly cancelOrder: (accountHash: AccountHash, orderId: OrderId) => Effect.Effect<void, SchwabError>
  /** Replaces an order with a new one (market unless its terms say otherwise); returns the new order id. Not retried once sent. */
  readonly replaceOrder: (
    accountHash: AccountHash,
    orderId: OrderId,
    order: PlaceOrderRequest
  ) => Effect.Effect<OrderId, SchwabError>
}

/** @since 0.1.0 @category tags */
export const SchwabClient = Context.GenericTag<SchwabClient>("@fill-tracker/schwab-client/SchwabClient")

const ACCOUNT_NUMBERS: Endpoint = { method: "GET", route: "/accounts/accountNumbers" }
const USER_PREFERENCE: Endpoint = { method: "GET", route: "/userPreference" }
const GET_ORDER: Endpoint = { method: "GET", route: "/accounts/{accountHash}/orders/{orderId}" }
const LIST_ORDERS: Endpoint = { method: "GET", route: "/accounts/{accountHash}/orders" }
const LIST_ALL_ORDERS: Endpoint = { method: "GET", route: "/orders" }
const PLACE_ORDER: Endpoint = { method: "POST", route: "/accounts/{accountHash}/orders" }
const CANCEL_ORDER: Endpoint = { method: "DELETE", route: "/accounts/{accountHash}/orders/{orderId}" }
const REPLACE_ORDER: Endpoint = { method: "PUT", route: "/accounts/{accountHash}/orders/{orderId}" }

/**
 * `idempotent`: every transient failure may be retried. `once`: the request may create an
 * order, so only failures that prove Schwab never acted on it are retried (429, and a
 * connection that never carried the request).
 */
type Safety = "idempotent" | "once"

const retryable =
  (safety: Safety) =>
  (e: SchwabError): boolean =>
    safety === "idempotent"
      ? isTransient(e)
      : e._tag === "RateLimited" || (e._tag === "TransportError" && !e.sent)

/**
 * Failures of the order request itself after which the order may or may not exist. The same
 * failure on the token endpoint (a refresh before sending) means the order never left.
 */
const ambiguous = (endpoint: Endpoint, e: SchwabError): boolean =>
  (e._tag === "RequestTimeout" ||
    e._tag === "ServerError" ||
    // An answer too long to read is still an answer: the order may have been placed.
    e._tag === "ResponseTooLarge" ||
    (e._tag === "TransportError" && e.sent)) &&
  e.method === endpoint.method &&
  e.route === endpoint.route

/** Builds the service. @since 0.1.0 @category constructors */
export const make: Effect.Effect<SchwabClient, never, SchwabConfig | SchwabAuth | HttpClient.HttpClient> =
  Effect.gen(function* () {
    const config = yield* SchwabConfig
    const auth = yield* SchwabAuth
    const http = yield* HttpClient.HttpClient
    const shared = yield* Effect.serviceOption(RateLimiter.SharedLimiter)
    const limiter = Option.isSome(shared) ? shared.value : yield* RateLimiter.make(config.rateLimitPerMinute)
    const sharedBudget = yield* Effect.serviceOption(OrderEntryBudget.SharedOrderEntryBudget)
    const budget = Option.isSome(sharedBudget)
      ? sharedBudget.value
      : yield* OrderEntryBudget.make(config.orderEntryPerDay)
    /** One order entry spent before a place, replace or cancel is sent; refused when none is left. */
    const spendEntry = (endpoint: Endpoint) =>
      Effect.flatMap(budget.take, (r) =>
        r.granted
          ? Effect.void
          : Effect.fail(
              new OrderEntryBudgetExhausted({
                method: endpoint.method,
                route: endpoint.route,
                limit: config.orderEntryPerDay,
                windowMs: OrderEntryBudget.DAY_MS,
                retryAfterMs: r.retryAfterMs
              })
            )
      )
    const accountsCache = yield* Ref.make(Option.none<ReadonlyArray<AccountNumber>>())
    const accountsLock = yield* Effect.makeSemaphore(1)
    // Ids this client placed: a lost answer must never be matched to one of them.
    const placed = yield* Ref.make(new Set<string>())

    const path = (...segments: ReadonlyArray<string>) =>
      `${config.baseUrl}/${segments.map(encodeURIComponent).join("/")}`

    /** Sends a request through the limiter with a fresh token; a 401 refreshes once and resends once. */
    const call = (
      endpoint: Endpoint,
      request: HttpClientRequest.HttpClientRequest,
      safety: Safety,
      orderId?: string
    ): Effect.Effect<Reply, SchwabError> => {
      const send = (token: Redacted.Redacted<string>) =>
        Effect.gen(function* () {
          yield* limiter.take
          const reply = yield* exchange(
            http,
            config,
            endpoint,
            HttpClientRequest.bearerToken(request, Redacted.value(token))
          )
          const failed = statusError(endpoint, reply, yield* Clock.currentTimeMillis, orderId)
          return Option.isSome(failed) ? yield* Effect.fail(failed.value) : reply
        })
      const attempt = Effect.flatMap(auth.accessToken(), (token) =>
        Effect.catchTag(send(token), "Unauthorized", () =>
          Effect.flatMap(auth.refreshAfterRejection(token), send)
        )
      )
      return withRetry(config.retry, retryable(safety), () => attempt, endpoint)
    }

    const accountNumbers = () =>
      Effect.flatMap(Ref.get(accountsCache), (cached) =>
        Option.isSome(cached)
          ? Effect.succeed(cached.value)
          : accountsLock.withPermits(1)(fetchAccounts(false))
      )

    const fetchAccounts = (force: boolean): Effect.Effect<ReadonlyArray<AccountNumber>, SchwabError> =>
      Effect.gen(function* () {
        const cached = yield* Ref.get(accountsCache)
        if (!force && Option.isSome(cached)) return cached.value
        const reply = yield* call(
          ACCOUNT_NUMBERS,
          HttpClientRequest.get(path("accounts", "accountNumbers")),
          "idempotent"
        )
        const list = yield* Wire.accountNumbers(context(ACCOUNT_NUMBERS, reply.correlId), reply.body)
        const accounts = list.map((a) => ({
          accountNumber: Redacted.make(a.accountNumber),
          hashValue: a.hashValue
        }))
        yield* Ref.set(accountsCache, Option.some(accounts))
        return accounts
      })

    const accountHash = (accountNumber: string | Redacted.Redacted<string>) => {
      const wanted = Redacted.isRedacted(accountNumber) ? Redacted.value(accountNumber) : accountNumber
      const find = (accounts: ReadonlyArray<AccountNumber>) =>
        Option.fromNullable(accounts.find((a) => Redacted.value(a.accountNumber) === wanted)?.hashValue)
      return Effect.gen(function* () {
        const hit = find(yield* accountNumbers())
        if (Option.isSome(hit)) return hit.value
        // An account linked since the cache was filled: look once more before giving up.
        const again = find(yield* accountsLock.withPermits(1)(fetchAccounts(true)))
        return Option.isSome(again) ? again.value : yield* new UnknownAccount()
      })
    }

    const streamerInfo = () =>
      Effect.gen(function* () {
        const reply = yield* call(
          USER_PREFERENCE,
          HttpClientRequest.get(path("userPreference")),
          "idempotent"
        )
        const info = yield* Wire.streamerInfo(context(USER_PREFERENCE, reply.correlId), reply.body)
        return {
          socketUrl: info.socketUrl,
          customerId: Redacted.make(info.customerId),
          correlId: Redacted.make(info.correlId),
          channel: info.channel,
          functionId: info.functionId
        } satisfies StreamerInfo
      })

    const getOrder = (hash: AccountHash, orderId: OrderId) =>
      Effect.flatMap(
        call(
          GET_ORDER,
          HttpClientRequest.get(path("accounts", hash, "orders", orderId)),
          "idempotent",
          orderId
        ),
        (reply) => Wire.order(context(GET_ORDER, reply.correlId), reply.body)
      )

    const listOrders = (hash: AccountHash, query: ListOrdersQuery) =>
      Effect.gen(function* () {
        const checked = checkListQuery(query)
        if (Either.isLeft(checked))
          return yield* new InvalidRequest({ ...context(LIST_ORDERS), detail: checked.left })
        const request = HttpClientRequest.get(path("accounts", hash, "orders")).pipe(
          HttpClientRequest.setUrlParams({
            fromEnteredTime: schwabTime(query.from),
            toEnteredTime: schwabTime(query.to),
            ...(query.status === undefined ? {} : { status: query.status }),
            ...(query.maxResults === undefined ? {} : { maxResults: String(query.maxResults) })
          })
        )
        const reply = yield* call(LIST_ORDERS, request, "idempotent")
        const list = yield* Wire.orderList(context(LIST_ORDERS, reply.correlId), reply.body)
        if (list.skipped.length > 0)
          yield* Effect.logWarning("Schwab order list had elements that did not decode").pipe(
            Effect.annotateLogs({
              route: LIST_ORDERS.route,
              skipped: list.skipped.map(
                (s) => `${s.index}${s.orderId === undefined ? "" : ` (${s.orderId})`}: ${s.path}`
              )
            })
          )
        return list
      })

    const listAllOrders = (query: ListOrdersQuery) =>
      Effect.gen(function* () {
        const checked = checkListQuery(query)
        if (Either.isLeft(checked))
          return yield* new InvalidRequest({ ...context(LIST_ALL_ORDERS), detail: checked.left })
        const request = HttpClientRequest.get(path("orders")).pipe(
          HttpClientRequest.setUrlParams({
            fromEnteredTime: schwabTime(query.from),
            toEnteredTime: schwabTime(query.to),
            ...(query.status === undefined ? {} : { status: query.status }),
            ...(query.maxResults === undefined ? {} : { maxResults: String(query.maxResults) })
          })
        )
        const reply = yield* call(LIST_ALL_ORDERS, request, "idempotent")
        const list = yield* Wire.orderList(context(LIST_ALL_ORDERS, reply.correlId), reply.body)
        if (list.skipped.length > 0)
          yield* Effect.logWarning("Schwab order list had elements that did not decode").pipe(
            Effect.annotateLogs({
              route: LIST_ALL_ORDERS.route,
              skipped: list.skipped.map(
                (s) => `${s.index}${s.orderId === undefined ? "" : ` (${s.orderId})`}: ${s.path}`
              )
            })
          )
        // Numbers compared without leading zeros: an order's number is a JSON number.
        const digits = (n: string) => n.replace(/^0+(?=\d)/, "")
        const hashes = new Map<string, AccountHash | undefined>(
          (yield* accountNumbers()).map((a) => [digits(Redacted.value(a.accountNumber)), a.hashValue])
        )
        const hashOf = (n: string | undefined) =>
          Effect.gen(function* () {
            if (n === undefined) return undefined
            const key = digits(n)
            if (hashes.has(key)) return hashes.get(key)
            // An account linked since the cache was filled: accountHash looks once more.
            const found = yield* accountHash(n).pipe(
              Effect.map((h): AccountHash | undefined => h),
              Effect.catchTag("UnknownAccount", () => Effect.succeed(undefined))
            )
            hashes.set(key, found)
            return found
          })
        const orders: Array<AllAccountsOrderList["orders"][number]> = []
        for (const [i, order] of list.orders.entries())
          orders.push({ order, accountHash: yield* hashOf(list.accountNumbers[i]) })
        return {
          orders,
          skipped: list.skipped,
          elements: list.orders.length + list.skipped.length
        } satisfies AllAccountsOrderList
      })

    /**
     * The new order's id from a 2xx answer's Location. When the header is missing or names
     * another host or account the order exists but we cannot tell which it is: that is a lost
     * answer (looked up in the list), never a DecodeError a bot would answer by sending again.
     */
    const newOrderId = (
      endpoint: Endpoint,
      hash: AccountHash,
      order: OrderEntry,
      startedAt: number,
      reply: Reply,
      replacing?: OrderId
    ) =>
      Either.match(orderIdFromLocation(reply.headers.location, config.baseUrl, hash), {
        onLeft: (detail) =>
          recoverPlacement(
            endpoint,
            hash,
            order,
            startedAt,
            new DecodeError({ ...context(endpoint, reply.correlId), path: "Location", detail }),
            replacing
          ),
        onRight: (id) => Effect.succeed(id)
      })

    const orderBody = (endpoint: Endpoint, order: OrderEntry) =>
      Either.match(orderBodyText(order), {
        onLeft: (detail) => Effect.fail(new InvalidRequest({ ...context(endpoint), detail })),
        onRight: (body) => Effect.succeed(body)
      })

    /** Looks for the order a lost answer may have created; fails OrderPlacementUnknown when it cannot tell. */
    const recoverPlacement = (
      endpoint: Endpoint,
      hash: AccountHash,
      order: OrderEntry,
      startedAt: number,
      cause: SchwabError,
      replacing?: OrderId
    ) =>
      Effect.gen(function* () {
        const { clockSkew, delay, lookups } = config.placementRecovery
        const skew = Duration.toMillis(clockSkew)
        let candidates = 0
        for (let i = 0; i < lookups; i++) {
          yield* Effect.sleep(delay)
          const now = yield* Clock.currentTimeMillis
          const listed = yield* Effect.either(
            listOrders(hash, { from: new Date(startedAt - skew), to: new Date(now + skew) })
          )
          if (Either.isLeft(listed)) continue
          const known = yield* Ref.get(placed)
          const found = placementCandidates(
            listed.right.orders,
            order,
            startedAt - skew,
            replacing === undefined ? known : new Set(known).add(replacing)
          )
          candidates = found.length
          if (found.length === 1 && found[0] !== undefined) {
            yield* Effect.logWarning(
              "Schwab's answer did not say which order it made (lost or no usable Location); the order was found in the order list"
            ).pipe(Effect.annotateLogs({ route: endpoint.route, orderId: found[0], cause: cause._tag }))
            return found[0]
          }
          if (found.length > 1) break
        }
        return yield* new OrderPlacementUnknown({
          ...context(endpoint, "correlId" in cause ? cause.correlId : undefined),
          attemptStartedAt: new Date(startedAt),
          candidates,
          cause
        })
      })

    const remember = (id: OrderId) => Ref.update(placed, (s) => new Set(s).add(id))

    const placeOrder = (hash: AccountHash, order: PlaceOrderRequest) =>
      Effect.gen(function* () {
        const body = yield* orderBody(PLACE_ORDER, order)
        yield* spendEntry(PLACE_ORDER)
        const startedAt = yield* Clock.currentTimeMillis
        const request = HttpClientRequest.post(path("accounts", hash, "orders")).pipe(
          HttpClientRequest.bodyText(body, "application/json")
        )
        const sent = yield* Effect.either(call(PLACE_ORDER, request, "once"))
        const id = Either.isRight(sent)
          ? yield* newOrderId(PLACE_ORDER, hash, order, startedAt, sent.right)
          : ambiguous(PLACE_ORDER, sent.left)
            ? yield* recoverPlacement(PLACE_ORDER, hash, order, startedAt, sent.left)
            : yield* Effect.fail(sent.left)
        yield* remember(id)
        return id
      })

    // Sent once, like a placement: a cancel whose answer was lost is not sent again (the
    // order's own status says whether it was carried out), and a resend would spend the
    // day's order entries and meet "not open" for a cancel that did go through.
    const cancelOrder = (hash: AccountHash, orderId: OrderId) =>
      Effect.zipRight(
        spendEntry(CANCEL_ORDER),
        Effect.asVoid(
          call(
            CANCEL_ORDER,
            HttpClientRequest.del(path("accounts", hash, "orders", orderId)),
            "once",
            orderId
          )
        )
      )

    const replaceOrder = (hash: AccountHash, orderId: OrderId, order: PlaceOrderRequest) =>
      Effect.gen(function* () {
        const body = yield* orderBody(REPLACE_ORDER, order)
        yield* spendEntry(REPLACE_ORDER)
        const request = HttpClientRequest.put(path("accounts", hash, "orders", orderId)).pipe(
          HttpClientRequest.bodyText(body, "application/json")
        )
        const startedAt = yield* Clock.currentTimeMillis
        // A replace's lost answer is as uncertain as a placement's: the replacement is looked
        // up (entered after we sent, same order), never sent again.
        const sent = yield* Effect.either(call(REPLACE_ORDER, request, "once", orderId))
        const id = Either.isRight(sent)
          ? yield* newOrderId(REPLACE_ORDER, hash, order, startedAt, sent.right, orderId)
          : ambiguous(REPLACE_ORDER, sent.left)
            ? yield* recoverPlacement(REPLACE_ORDER, hash, order, startedAt, sent.left, orderId)
            : yield* Effect.fail(sent.left)
        yield* remember(id)
        return id
      })

    return {
      accountNumbers,
      accountHash,
      streamerInfo,
      getOrder,
      listOrders,
      listAllOrders,
      placeOrder,
      cancelOrder,
      replaceOrder
    } satisfies SchwabClient
  })

/** SchwabClient from config, SchwabAuth and an HttpClient. @since 0.1.0 @category layers */
export const layer: Layer.Layer<SchwabClient, never, SchwabConfig | SchwabAuth | HttpClient.HttpClient> =
  Layer.effect(SchwabClient, make)
