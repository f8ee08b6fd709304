/**
 * `startSandbox`: the Schwab sandbox as a real HTTP server on 127.0.0.1.
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo, Socket } from "node:net"
import { ActivityFeed } from "./ActivityFeed.js"
import { manualClock, type SandboxClock } from "./Clock.js"
import { control } from "./Control.js"
import { type FaultEvent, FaultListeners } from "./FaultEvents.js"
import { type FaultSpec, Faults, runsHandlerFirst } from "./Faults.js"
import { renderJson } from "./JsonText.js"
import { immediateFill, type Lifecycle } from "./Lifecycle.js"
import { type IssuedTokens, OAuth } from "./OAuth.js"
import { type Account, type BookOrder, OrderBook, type OrderSpec, type Placement } from "./OrderBook.js"
import { makeRandom, type Random } from "./Random.js"
import { RequestLog, type RequestRecord } from "./RequestLog.js"
import { renderOrder } from "./renderOrder.js"
import { type Answer, handle, matchRoute, type RouteContext, serviceError, unauthorized } from "./routes.js"
import { type SandboxStreamer, Streamer, type StreamerOptions } from "./Streamer.js"
import { type OrderTruth, truthOf } from "./truth.js"

/** @since 0.1.0 @category models */
export interface SandboxOptions {
  readonly seed?: number | string
  /** Default: a manual clock at 2025-08-29T13:30:00Z. */
  readonly clock?: SandboxClock
  readonly appKey?: string
  readonly appSecret?: string
  /** Default: one account, 12345678. A missing hashValue is derived from the seed. */
  readonly accounts?: ReadonlyArray<{ readonly accountNumber: string; readonly hashValue?: string }>
  readonly accessTokenTtlSeconds?: number
  /** The lifecycle of an order placed over HTTP when `scriptNext` has none queued. */
  readonly defaultLifecycle?: (order: OrderSpec, rng: Random) => Lifecycle
  /** Default 0: any free port. */
  readonly port?: number
  /** Serve the `/__sandbox/` control API (for a sandbox in another process). Default false. */
  readonly control?: boolean
  /**
   * Whether REPLACED bodies name their replacement in `replacingOrderCollection` (default
   * true). False is what the real published REPLACED bodies look like: the replacement is
   * only an order of its own, entered at the original's `closeTime`.
   */
  readonly namedReplacements?: boolean
  /** Heartbeat and idle-close timings of the WebSocket streamer. */
  readonly streamer?: StreamerOptions
  /** Answer `GET /userPreference` as the spec's one-element array instead of the real object. Default false. */
  readonly preferencesAsArray?: boolean
}

/** A replace done outside the bot (another app, a person): what changes. @since 0.1.0 @category models */
export interface OutsideReplace {
  readonly quantity?: number | string
  readonly orderType?: string
  /** The limit price, decimal text. */
  readonly price?: string
  /** Default: the sandbox's `namedReplacements`. */
  readonly named?: boolean
}

/** What `seedOrder` needs; the rest of the order gets Schwab's usual values. @since 0.1.0 @category models */
export interface SeedOrder {
  readonly symbol: string
  readonly quantity: number | string
  readonly instruction?: string
  readonly enteredAt?: Date | number | string
  readonly orderType?: string
  /** The limit price, decimal text. */
  readonly price?: string
  /** The trigger of a STOP or STOP_LIMIT order, decimal text. */
  readonly stopPrice?: string
  readonly duration?: string
  readonly session?: string
  readonly assetType?: string
}

/** @since 0.1.0 @category models */
export interface Sandbox {
  readonly port: number
  /** `http://127.0.0.1:PORT` */
  readonly origin: string
  /** `http://127.0.0.1:PORT/trader/v1` */
  readonly baseUrl: string
  /** `http://127.0.0.1:PORT/v1/oauth/token` */
  readonly tokenUrl: string
  /** `http://127.0.0.1:PORT/v1/oauth/authorize` */
  readonly authorizeUrl: string
  readonly appKey: string
  readonly appSecret: string
  readonly accounts: ReadonlyArray<Account>
  readonly clock: SandboxClock
  /** Moves a manual clock on; throws on a real one. */
  readonly advance: (ms: number) => void
  readonly faults: Faults
  /**
   * Calls `listener` with each injected HTTP fault as a request meets it (before the
   * answer goes out); answers the function that stops listening.
   */
  readonly onFault: (listener: (event: FaultEvent) => void) => () => void
  /** The WebSocket streamer at `ws://127.0.0.1:PORT/ws`, its faults and controls. */
  readonly streamer: SandboxStreamer
  readonly issueAuthorizationCode: (redirectUri?: string) => string
  /** Tokens for a fresh authorization, without HTTP. */
  readonly authorize: () => IssuedTokens
  readonly expireAccessTokens: () => void
  readonly revokeRefreshTokens: () => void
  /** Queues lifecycles for the next orders placed (or replacements made) over HTTP, in order. */
  readonly scriptNext: (...lifecycles: ReadonlyArray<Lifecycle>) => void
  /**
   * Replaces a working order now, as a person or another app would (not through the API,
   * not a placement, not in the request log); the new order follows `lifecycle`, default
   * the next queued one. Answers the new order's id; throws when the order is not open.
   */
  readonly replaceOutside: (
    orderId: string | bigint,
    changes?: OutsideReplace,
    lifecycle?: Lifecycle
  ) => string
  /** Cancels a working order now, outside the API; throws when it is not open. */
  readonly cancelOutside: (orderId: string | bigint) => void
  /** Every order created through the API (POST or PUT), for counting placements; never reset. */
  readonly placements: () => ReadonlyArray<Placement>
  /** Creates an order without HTTP (entered now unless `enteredAt`); answers its id. */
  readonly seedOrder: (accountHash: string, order: SeedOrder, lifecycle?: Lifecycle) => string
  /** Puts arbitrary (even broken) JSON text into that account's list results. */
  readonly addRawOrder: (
    accountHash: string,
    jsonText: string,
    options?: { readonly enteredAt?: Date | number | string; readonly status?: string }
  ) => void
  /** What an honest tracker must end up recording for this order, as of now. */
  readonly truth: (orderId: string | bigint) => OrderTruth
  /** The order's JSON text as `GET .../orders/{orderId}` would answer now. */
  readonly orderJson: (orderId: string | bigint) => string
  readonly orderIds: () => ReadonlyArray<string>
  readonly requests: () => ReadonlyArray<RequestRecord>
  readonly resetRequests: () => void
  /** The most requests in any sliding window (default 60 s), optionally of some only. */
  readonly maxRequestsInWindow: (windowMs?: number, include?: (record: RequestRecord) => boolean) => number
  readonly close: () => Promise<void>
}

/** What `endlessBody` repeats: 64 KB of order-list elements. */
const ENDLESS_PIECE = Buffer.from('{"orderId":1,"status":"WORKING"},'.repeat(2048))

const toMillis = (at: Date | number | string): number =>
  typeof at === "number" ? at : typeof at === "string" ? Date.parse(at) : at.getTime()

/** @since 0.1.0 @category constructors */
export const startSandbox = async (options: SandboxOptions = {}): Promise<Sandbox> => {
  const rng = makeRandom(options.seed ?? 1)
  const clock = options.clock ?? manualClock()
  const appKey = options.appKey ?? "sandbox-app-key"
  const appSecret = options.appSecret ?? "sandbox-app-secret"
  const accounts: ReadonlyArray<Account> = (options.accounts ?? [{ accountNumber: "12345678" }]).map(
    (account) => {
      if (!/^\d+$/.test(account.accountNumber)) throw new Error("sandbox account numbers are digits")
      return {
        accountNumber: account.accountNumber,
        hashValue:
          account.hashValue ??
          createHash("sha256").update(`${rng.seed}/${account.accountNumber}`).digest("hex").toUpperCase()
      }
    }
  )
  const book = new OrderBook(accounts, rng.fork("book"), options.namedReplacements ?? true)
  const oauth = new OAuth(
    { appKey, appSecret, accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 1800 },
    clock,
    rng.fork("oauth")
  )
  const faults = new Faults(rng.fork("faults"))
  const faultListeners = new FaultListeners()
  const log = new RequestLog()
  const correlRng = rng.fork("correl")
  const errorRng = rng.fork("errors")
  const truncateRng = rng.fork("truncate")
  const defaultRng = rng.fork("default-lifecycle")
  const queue: Array<Lifecycle> = []
  const lifecycleFor = (spec: OrderSpec): Lifecycle =>
    queue.shift() ?? options.defaultLifecycle?.(spec, defaultRng) ?? immediateFill()

  const hanging = new Set<ServerResponse>()
  const sockets = new Set<Socket>()
  let origin = ""
  let streamer: Streamer | undefined
  const context = (): RouteContext => ({
    book,
    oauth,
    now: clock.now,
    rng: errorRng,
    origin,
    lifecycleFor,
    streamerInfo: (streamer as Streamer).info,
    preferencesAsArray: options.preferencesAsArray ?? false
  })

  const send = (
    response: ServerResponse,
    record: RequestRecord,
    answer: Answer,
    body = answer.body
  ): void => {
    record.status = answer.status
    const headers: Record<string, string> = { "Schwab-Client-CorrelId": correlRng.uuid(), ...answer.headers }
    if (body !== undefined) headers["Content-Type"] = "application/json"
    response.writeHead(answer.status, { ...headers, "Content-Length": String(Buffer.byteLength(body ?? "")) })
    response.end(body ?? "")
  }

  const answerWithFault = (
    response: ServerResponse,
    record: RequestRecord,
    fault: FaultSpec,
    answer: Answer | undefined
  ) => {
    record.fault = fault.kind
    const isToken = record.name === "token" || record.name === "authorize"
    switch (fault.kind) {
      case "rateLimited": {
        const retry =
          fault.retryAfterSeconds === undefined ? {} : { "Retry-After": String(fault.retryAfterSeconds) }
        return send(response, record, { ...serviceError(429, "Too many requests"), headers: retry })
      }
      case "serverError":
        return send(response, record, serviceError(500, "Internal server error"))
      case "unavailable":
        return send(response, record, serviceError(503, "Service unavailable"))
      case "unauthorized":
        return send(
          response,
          record,
          isToken
            ? { status: 401, body: renderJson({ error: "invalid_client" }) }
            : unauthorized(errorRng, "Access token expired")
        )
      case "forbidden":
        return send(response, record, serviceError(403, "Access to this account is not permitted"))
      case "hang":
        record.status = 0
        hanging.add(response)
        return
      case "malformedJson":
        return send(response, record, { status: 200 }, '{"orderId":<html><body>Bad Gateway</body></html>')
      case "truncatedJson":
      case "connectionReset": {
        const real = answer ?? { status: 200, body: "[]" }
        const text = real.body ?? ""
        const cut = text.length < 2 ? text.length : truncateRng.int(1, text.length - 1)
        if (fault.kind === "truncatedJson") return send(response, record, real, text.slice(0, cut))
        record.status = real.status
        response.writeHead(real.status, {
          "Schwab-Client-CorrelId": correlRng.uuid(),
          "Content-Type": "application/json",
          "Content-Length": String(Buffer.byteLength(text))
        })
        response.write(text.slice(0, cut))
        response.socket?.destroy()
        return
      }
      case "endlessBody":
        return sendEndless(response, record)
      case "largeErrorBody":
        return send(
          response,
          record,
          serviceError(
            400,
            `Invalid order: ${"the request was refused ".repeat(100)}`,
            Array.from({ length: 200 }, (_, i) => `error ${i}: ${"this field is not accepted ".repeat(18)}`)
          )
        )
      case "latency":
        return send(response, record, answer ?? serviceError(500, "Internal server error"))
      case "held": // answered in onRequest once released; here only to keep the switch total
        return send(response, record, answer ?? serviceError(500, "Internal server error"))
      case "noLocation":
      case "foreignHostLocation":
      case "foreignAccountLocation":
        return send(
          response,
          record,
          answer === undefined ? serviceError(500, "Internal server error") : relocated(fault.kind, answer)
        )
    }
  }

  /**
   * 200 and a JSON array that never closes, written whenever the socket can take more, so
   * the sandbox itself holds no more than one piece however long the client keeps reading.
   */
  const sendEndless = (response: ServerResponse, record: RequestRecord): void => {
    record.status = 200
    response.writeHead(200, {
      "Schwab-Client-CorrelId": correlRng.uuid(),
      "Content-Type": "application/json"
    })
    // One buffer written again and again: the sandbox makes no garbage of its own while it streams.
    const piece = ENDLESS_PIECE
    const pump = (): void => {
      while (!response.destroyed && !response.writableEnded) {
        if (!response.write(piece)) {
          response.once("drain", pump)
          return
        }
      }
    }
    response.write("[")
    pump()
  }

  /** The answer with its Location header dropped or pointed at another host or account. */
  const relocated = (
    kind: "noLocation" | "foreignHostLocation" | "foreignAccountLocation",
    answer: Answer
  ): Answer => {
    const { Location: location, ...headers } = answer.headers ?? {}
    if (location === undefined || kind === "noLocation") return { ...answer, headers }
    const url = new URL(location)
    if (kind === "foreignHostLocation") {
      url.hostname = "api.schwabapi.example"
      url.port = ""
    } else url.pathname = url.pathname.replace(/\/accounts\/[^/]+\//, "/accounts/ANOTHER-ACCOUNT-HASH/")
    return { ...answer, headers: { ...headers, Location: url.toString() } }
  }

  const onRequest = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const chunks: Array<Buffer> = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks).toString("utf8")
    const url = new URL(request.url ?? "/", origin)
    const method = request.method ?? "GET"
    const controlled = options.control === true ? control(sandbox, method, url.pathname, body) : undefined
    if (controlled !== undefined) {
      response.writeHead(controlled.status, { "Content-Type": "application/json" }).end(controlled.body ?? "")
      return
    }
    const route = matchRoute(method, url.pathname)
    const record = log.add({
      method,
      route: `${method} ${route?.template ?? url.pathname}`,
      name: route?.name ?? "unknown",
      status: 0,
      at: Date.now()
    })
    if (route === undefined)
      return send(response, record, serviceError(404, "Not found", [`${method} ${url.pathname}`]))
    const fault = faults.take(route.name)
    if (fault !== undefined)
      faultListeners.emit({ at: record.at, method, route: record.route, name: route.name, fault })
    if (fault?.kind === "latency")
      await new Promise((resolve) => setTimeout(resolve, fault.latencyMs ?? 1000))
    const run = (): Answer => {
      try {
        return handle(context(), route, { url, headers: request.headers, body })
      } catch (error) {
        return serviceError(500, "Internal server error", [String(error)])
      } finally {
        // What the request changed streams before its answer goes out, as at Schwab,
        // where OrderCreated often beats the 201.
        feed.pump()
      }
    }
    if (fault === undefined) return send(response, record, run())
    if (fault.kind === "held") {
      record.fault = fault.kind
      const acted = runsHandlerFirst(fault) ? run() : undefined
      await faults.released(fault)
      // The client may have given up meanwhile: then nobody is there to answer.
      if (response.destroyed) return
      return send(response, record, acted ?? run())
    }
    return answerWithFault(response, record, fault, runsHandlerFirst(fault) ? run() : undefined)
  }

  const server = createServer((request, response) => {
    onRequest(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500).end(String(error))
    })
  })
  server.on("connection", (socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  origin = `http://127.0.0.1:${port}`
  const feed = new ActivityFeed(book, clock, {
    customerNumber: String(100_000_000 + rng.fork("customer").int(0, 899_999_999))
  })
  streamer = new Streamer(server, origin, clock, oauth, feed, rng.fork("streamer"), options.streamer)

  const findOrder = (orderId: string | bigint): BookOrder => {
    const order = book.get(BigInt(orderId))
    if (order === undefined) throw new Error(`sandbox: no order ${orderId}`)
    return order
  }
  const accountFor = (hash: string): Account => {
    const account = book.accountByHash(hash)
    if (account === undefined) throw new Error("sandbox: no account with that hash")
    return account
  }

  const sandbox: Sandbox = {
    port,
    origin,
    baseUrl: `${origin}/trader/v1`,
    tokenUrl: `${origin}/v1/oauth/token`,
    authorizeUrl: `${origin}/v1/oauth/authorize`,
    appKey,
    appSecret,
    accounts,
    clock,
    advance: (ms) => {
      if (clock.kind !== "manual") throw new Error("sandbox: advance needs a manual clock")
      clock.advance(ms)
    },
    faults,
    onFault: (listener) => faultListeners.add(listener),
    streamer,
    issueAuthorizationCode: (redirectUri) => oauth.issueAuthorizationCode(redirectUri),
    authorize: () => oauth.authorize(),
    expireAccessTokens: () => oauth.expireAccessTokens(),
    revokeRefreshTokens: () => oauth.revokeRefreshTokens(),
    scriptNext: (...lifecycles) => {
      queue.push(...lifecycles)
    },
    replaceOutside: (orderId, changes = {}, lifecycle) => {
      const order = findOrder(orderId)
      const { price: _oldPrice, ...rest } = order.spec
      const price = changes.price ?? (changes.orderType === "MARKET" ? undefined : order.spec.price)
      const spec: OrderSpec = {
        ...rest,
        quantity: changes.quantity === undefined ? order.spec.quantity : String(changes.quantity),
        orderType: changes.orderType ?? order.spec.orderType,
        ...(price === undefined ? {} : { price })
      }
      const result = book.replace(
        order.orderId,
        clock.now(),
        spec,
        lifecycle ?? lifecycleFor(spec),
        changes.named ?? options.namedReplacements ?? true
      )
      if (typeof result === "string")
        throw new Error(`sandbox: order ${orderId} cannot be replaced (${result})`)
      feed.pump()
      return result.orderId.toString()
    },
    cancelOutside: (orderId) => {
      const result = book.cancel(findOrder(orderId).orderId, clock.now())
      if (typeof result === "string")
        throw new Error(`sandbox: order ${orderId} cannot be canceled (${result})`)
      feed.pump()
    },
    placements: () => book.placements(),
    seedOrder: (accountHash, order, lifecycle) => {
      const quantity = String(order.quantity)
      const spec: OrderSpec = {
        symbol: order.symbol,
        quantity,
        instruction: order.instruction ?? "BUY",
        orderType: order.orderType ?? (order.price === undefined ? "MARKET" : "LIMIT"),
        assetType: order.assetType ?? "EQUITY",
        session: order.session ?? "NORMAL",
        duration: order.duration ?? "DAY",
        orderStrategyType: "SINGLE",
        complexOrderStrategyType: "NONE",
        ...(order.price === undefined ? {} : { price: order.price }),
        ...(order.stopPrice === undefined ? {} : { stopPrice: order.stopPrice })
      }
      const enteredAt = order.enteredAt === undefined ? clock.now() : toMillis(order.enteredAt)
      const orderId = book
        .create(accountFor(accountHash), spec, lifecycle ?? lifecycleFor(spec), enteredAt)
        .orderId.toString()
      feed.pump()
      return orderId
    },
    addRawOrder: (accountHash, jsonText, rawOptions = {}) => {
      book.addRaw({
        account: accountFor(accountHash),
        text: jsonText,
        ...(rawOptions.enteredAt === undefined ? {} : { enteredAt: toMillis(rawOptions.enteredAt) }),
        ...(rawOptions.status === undefined ? {} : { status: rawOptions.status })
      })
    },
    truth: (orderId) => truthOf(book, findOrder(orderId), clock.now()),
    orderJson: (orderId) => renderJson(renderOrder(book, findOrder(orderId), clock.now())),
    orderIds: () => book.all().map((order) => order.orderId.toString()),
    requests: () => log.all(),
    resetRequests: () => log.reset(),
    maxRequestsInWindow: (windowMs, include) => log.maxInWindow(windowMs, include),
    close: async () => {
      feed.close()
      streamer?.close()
      for (const response of hanging) response.socket?.destroy()
      hanging.clear()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const socket of sockets) socket.destroy()
      await closed
    }
  }
  return sandbox
}
