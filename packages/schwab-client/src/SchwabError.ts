/**
 * Every way a call to Schwab can end other than success, one tagged class per outcome.
 *
 * Each error names the HTTP method and the route TEMPLATE (never the concrete URL, which
 * carries the account hash and ids) and keeps Schwab's `Schwab-Client-CorrelId` when the
 * response had one, so a support ticket can quote it. No message ever holds a token, the
 * app secret or an account number.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"

/** Where a failure happened: method, route template and Schwab's correlation id. @since 0.1.0 @category models */
export interface RequestContext {
  readonly method: string
  /** e.g. `GET /accounts/{accountHash}/orders/{orderId}`'s `/accounts/{accountHash}/orders/{orderId}`. */
  readonly route: string
  readonly correlId?: string | undefined
}

const where = (c: RequestContext): string =>
  `${c.method} ${c.route}${c.correlId === undefined ? "" : ` (Schwab-Client-CorrelId ${c.correlId})`}`

/** HTTP 401 that survived one token refresh. @since 0.1.0 @category errors */
export class Unauthorized extends Data.TaggedError("Unauthorized")<RequestContext> {
  override get message(): string {
    return `Schwab answered 401 Unauthorized to ${where(this)} even after a token refresh`
  }
}

/** HTTP 403: the app or the person may not do this (never retried). @since 0.1.0 @category errors */
export class Forbidden extends Data.TaggedError("Forbidden")<
  RequestContext & { readonly schwabMessage?: string | undefined }
> {
  override get message(): string {
    return `Schwab answered 403 Forbidden to ${where(this)}${this.schwabMessage === undefined ? "" : `: ${this.schwabMessage}`}`
  }
}

/** HTTP 404: the order (or resource) does not exist for this account. @since 0.1.0 @category errors */
export class OrderNotFound extends Data.TaggedError("OrderNotFound")<
  RequestContext & { readonly orderId?: string | undefined }
> {
  override get message(): string {
    return `Schwab has no ${this.orderId === undefined ? "such resource" : `order ${this.orderId}`} (404 to ${where(this)})`
  }
}

/** HTTP 400 (or another unexpected 4xx) with Schwab's own explanation. @since 0.1.0 @category errors */
export class BadRequest extends Data.TaggedError("BadRequest")<
  RequestContext & {
    readonly status: number
    readonly schwabMessage?: string | undefined
    readonly schwabErrors: ReadonlyArray<string>
  }
> {
  override get message(): string {
    const detail = [this.schwabMessage, ...this.schwabErrors]
      .filter((s) => s !== undefined && s !== "")
      .join("; ")
    return `Schwab rejected ${where(this)} with ${this.status}${detail === "" ? "" : `: ${detail}`}`
  }
}

/** HTTP 429, with the `Retry-After` Schwab gave (if any). @since 0.1.0 @category errors */
export class RateLimited extends Data.TaggedError("RateLimited")<
  RequestContext & { readonly retryAfter?: Duration.Duration | undefined }
> {
  override get message(): string {
    return `Schwab rate-limited ${where(this)}`
  }
}

/** HTTP 5xx. @since 0.1.0 @category errors */
export class ServerError extends Data.TaggedError("ServerError")<
  RequestContext & { readonly status: number }
> {
  override get message(): string {
    return `Schwab answered ${this.status} to ${where(this)}`
  }
}

/**
 * The connection failed. `sent` is false when the request provably never left (connection
 * refused, DNS failure): only then is a POST safe to send again.
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends Data.TaggedError("TransportError")<
  RequestContext & { readonly sent: boolean; readonly description: string; readonly cause?: unknown }
> {
  override get message(): string {
    return `Transport failure on ${where(this)}: ${this.description}`
  }
}

/** No complete answer within the request timeout. @since 0.1.0 @category errors */
export class RequestTimeout extends Data.TaggedError("RequestTimeout")<
  RequestContext & { readonly timeout: Duration.Duration }
> {
  override get message(): string {
    return `No answer to ${where(this)} within the request timeout`
  }
}

/**
 * The answer's body was longer than `limit` bytes (`maxResponseBytes`, SCHWAB_MAX_RESPONSE_BYTES),
 * declared so or as it streamed in: reading stopped there and the connection was closed,
 * so a body that never ends cannot fill the memory. Never retried (the same request would
 * meet the same answer).
 *
 * @since 0.1.0
 * @category errors
 */
export class ResponseTooLarge extends Data.TaggedError("ResponseTooLarge")<
  RequestContext & { readonly limit: number }
> {
  override get message(): string {
    return `The answer to ${where(this)} was larger than the ${this.limit}-byte limit (SCHWAB_MAX_RESPONSE_BYTES); reading stopped there`
  }
}

/** A body or header that does not have the shape the spec promises; `path` names the field. @since 0.1.0 @category errors */
export class DecodeError extends Data.TaggedError("DecodeError")<
  RequestContext & { readonly path: string; readonly detail: string }
> {
  override get message(): string {
    return `Could not decode the answer to ${where(this)} at ${this.path}: ${this.detail}`
  }
}

/** How a person gets a fresh authorization; every ReauthorizationRequired message says it. @since 0.1.0 @category models */
export const REAUTHORIZE_HINT =
  "Run `fill-tracker auth url`, open the printed URL and log in, then run `fill-tracker auth login --code <redirect URL>` with the URL the browser was sent to."

/**
 * The refresh token is missing, expired (7 days after authorization) or revoked: only a
 * person can fix this. Never retried.
 *
 * @since 0.1.0
 * @category errors
 */
export class ReauthorizationRequired extends Data.TaggedError("ReauthorizationRequired")<{
  readonly reason: "NoTokens" | "RefreshTokenExpired" | "RefreshRejected" | "CodeRejected"
  readonly detail: string
  readonly correlId?: string | undefined
}> {
  override get message(): string {
    return `Schwab authorization needed (${this.detail}). ${REAUTHORIZE_HINT}`
  }
}

/** The stored token blob could not be decrypted (wrong key, tampered or unknown version). @since 0.1.0 @category errors */
export class TokenDecryptionError extends Data.TaggedError("TokenDecryptionError")<{
  readonly reason: "UnknownVersion" | "Malformed" | "Tampered" | "BadKey"
  readonly cause?: unknown
}> {
  override get message(): string {
    return `The stored Schwab tokens could not be decrypted (${this.reason}). ${REAUTHORIZE_HINT}`
  }
}

/** A request the client refuses to send (window over 60 days, `from` after `to`, bad quantity). @since 0.1.0 @category errors */
export class InvalidRequest extends Data.TaggedError("InvalidRequest")<
  RequestContext & { readonly detail: string }
> {
  override get message(): string {
    return `Refusing to send ${this.method} ${this.route}: ${this.detail}`
  }
}

/** No account behind this account number among those the app may see (the number itself is never kept). @since 0.1.0 @category errors */
export class UnknownAccount extends Data.TaggedError("UnknownAccount")<Record<never, never>> {
  override get message(): string {
    return "The account number is not among the accounts this Schwab authorization can see"
  }
}

/**
 * A place (or replace) may have reached Schwab but its answer was lost or named no usable
 * order (no `Location`, or one for another host or account), and the order could not be
 * found afterwards either. The order may or may not exist: check the account before
 * placing it again.
 *
 * @since 0.1.0
 * @category errors
 */
export class OrderPlacementUnknown extends Data.TaggedError("OrderPlacementUnknown")<
  RequestContext & {
    readonly attemptStartedAt: Date
    readonly candidates: number
    readonly cause: SchwabError
  }
> {
  override get message(): string {
    return `The order sent by ${where(this)} at ${this.attemptStartedAt.toISOString()} may or may not have been placed (${this.cause._tag}): ${this.candidates === 0 ? "it was not found in the order list afterwards" : `${this.candidates} matching orders were found and none can be told apart`}`
  }
}

/**
 * The order-entry budget (places, replaces and cancels in a rolling window, a day by
 * default) is spent: nothing was sent. `retryAfterMs` is when the oldest entry in the
 * window leaves it.
 *
 * @since 0.2.0
 * @category errors
 */
export class OrderEntryBudgetExhausted extends Data.TaggedError("OrderEntryBudgetExhausted")<
  Pick<RequestContext, "method" | "route"> & {
    readonly limit: number
    readonly windowMs: number
    readonly retryAfterMs: number
  }
> {
  override get message(): string {
    return `Refusing to send ${this.method} ${this.route}: the order-entry budget of ${this.limit} per ${this.windowMs / 3_600_000} h is spent (nothing was sent; a slot frees in ${Math.ceil(this.retryAfterMs / 1000)} s)`
  }
}

/** Every failure of the Schwab client. @since 0.1.0 @category errors */
export type SchwabError =
  | Unauthorized
  | Forbidden
  | OrderNotFound
  | BadRequest
  | RateLimited
  | ServerError
  | TransportError
  | RequestTimeout
  | ResponseTooLarge
  | DecodeError
  | ReauthorizationRequired
  | TokenDecryptionError
  | InvalidRequest
  | UnknownAccount
  | OrderPlacementUnknown
  | OrderEntryBudgetExhausted

/** The failures that a later identical attempt may not repeat. @since 0.1.0 @category predicates */
export const isTransient = (
  e: SchwabError
): e is RateLimited | ServerError | TransportError | RequestTimeout =>
  e._tag === "RateLimited" ||
  e._tag === "ServerError" ||
  e._tag === "TransportError" ||
  e._tag === "RequestTimeout"
