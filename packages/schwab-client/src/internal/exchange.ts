/**
 * One HTTP exchange with Schwab: send, read the whole body within the timeout, log method,
 * route template, status and duration, and turn transport failures into typed errors.
 * Status codes are judged by `statusError`; retries live in the caller.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { observe } from "../RequestObserver.js"
import {
  BadRequest,
  Forbidden,
  OrderNotFound,
  RateLimited,
  type RequestContext,
  RequestTimeout,
  ResponseTooLarge,
  ServerError,
  TransportError,
  Unauthorized
} from "../SchwabError.js"
import { parseRetryAfter } from "./backoff.js"
import { boundedText } from "./boundedBody.js"
import { schwabErrorBody } from "./wire.js"

export type Method = "GET" | "POST" | "PUT" | "DELETE"

/** A route as logs and errors name it: the template, never the concrete URL. */
export interface Endpoint {
  readonly method: Method
  readonly route: string
}

export interface Reply {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  readonly correlId: string | undefined
}

export const context = (endpoint: Endpoint, correlId?: string): RequestContext => ({
  method: endpoint.method,
  route: endpoint.route,
  correlId
})

// Failures that happen before a single byte of the request left this machine: only these
// make it safe to send a POST again.
const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
  "ERR_INVALID_URL"
])

const errorCodes = (cause: unknown): ReadonlyArray<string> => {
  const codes: Array<string> = []
  let current: unknown = cause
  for (let depth = 0; depth < 8 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string") codes.push(code)
    current = (current as { cause?: unknown }).cause
  }
  return codes
}

const transportError = (endpoint: Endpoint, e: HttpClientError.HttpClientError): TransportError => {
  // Keep the low-level cause only: the RequestError itself holds the request, headers included.
  const cause = e.cause
  const codes = errorCodes(cause)
  const sent = e._tag === "ResponseError" || !codes.some((c) => NOT_SENT_CODES.has(c))
  const description = codes[0] ?? (cause instanceof Error ? cause.message : e.reason)
  return new TransportError({ ...context(endpoint), sent, description, cause })
}

/** How long an exchange may take and how much of an answer it reads. */
export interface Limits {
  readonly requestTimeout: Duration.Duration
  readonly maxResponseBytes: number
}

/** Sends `request` and reads the full answer, or fails with TransportError / RequestTimeout / ResponseTooLarge. */
export const exchange = (
  http: HttpClient.HttpClient,
  limits: Limits,
  endpoint: Endpoint,
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<Reply, TransportError | RequestTimeout | ResponseTooLarge> =>
  Effect.gen(function* () {
    const started = yield* Clock.currentTimeMillis
    const result = yield* http.execute(request).pipe(
      Effect.flatMap((response) =>
        Effect.map(boundedText(response, limits.maxResponseBytes), (body) => ({
          status: response.status,
          headers: response.headers as Readonly<Record<string, string>>,
          body,
          correlId: response.headers["schwab-client-correlid"]
        }))
      ),
      Effect.mapError((e) =>
        e._tag === "OverLimit"
          ? new ResponseTooLarge({ ...context(endpoint), limit: limits.maxResponseBytes })
          : transportError(endpoint, e)
      ),
      Effect.timeoutFail({
        duration: limits.requestTimeout,
        onTimeout: () => new RequestTimeout({ ...context(endpoint), timeout: limits.requestTimeout })
      }),
      Effect.either
    )
    const durationMs = (yield* Clock.currentTimeMillis) - started
    yield* observe((o) =>
      o.exchanged({
        method: endpoint.method,
        route: endpoint.route,
        status: result._tag === "Right" ? result.right.status : undefined,
        error: result._tag === "Left" ? result.left._tag : undefined,
        durationMs
      })
    )
    const log =
      result._tag === "Right" ? Effect.logDebug("schwab request") : Effect.logWarning("schwab request failed")
    yield* log.pipe(
      Effect.annotateLogs({
        method: endpoint.method,
        route: endpoint.route,
        durationMs,
        ...(result._tag === "Right"
          ? {
              status: result.right.status,
              ...(result.right.correlId === undefined ? {} : { correlId: result.right.correlId })
            }
          : { error: result.left._tag })
      })
    )
    return yield* result
  })

/**
 * The typed error a non-2xx answer stands for, or none for 2xx. `orderId` names the order
 * a 404 is about; `now` dates a `Retry-After` given as an HTTP date.
 */
export const statusError = (
  endpoint: Endpoint,
  reply: Reply,
  nowMillis: number,
  orderId?: string
): Option.Option<Unauthorized | Forbidden | OrderNotFound | BadRequest | RateLimited | ServerError> => {
  const ctx = context(endpoint, reply.correlId)
  const s = reply.status
  if (s >= 200 && s < 300) return Option.none()
  if (s === 401) return Option.some(new Unauthorized(ctx))
  if (s === 403)
    return Option.some(new Forbidden({ ...ctx, schwabMessage: schwabErrorBody(reply.body).message }))
  if (s === 404) return Option.some(new OrderNotFound({ ...ctx, orderId }))
  if (s === 429)
    return Option.some(
      new RateLimited({
        ...ctx,
        retryAfter: Option.getOrUndefined(parseRetryAfter(reply.headers["retry-after"], nowMillis))
      })
    )
  if (s >= 500) return Option.some(new ServerError({ ...ctx, status: s }))
  const body = schwabErrorBody(reply.body)
  return Option.some(
    new BadRequest({ ...ctx, status: s, schwabMessage: body.message, schwabErrors: body.errors })
  )
}
