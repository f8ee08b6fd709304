/**
 * Schwab OAuth: the authorize URL, the code exchange, refreshes, and the access token every
 * request uses. Tokens are encrypted before they reach the TokenStore.
 *
 * Access tokens live 30 minutes and are refreshed `refreshMargin` before they expire; all
 * callers that find the token stale at once share ONE refresh (a semaphore plus a re-check).
 * The refresh token lives 7 days from the person's authorization and refreshing does not
 * extend it; any 400/401 to the refresh grant is ReauthorizationRequired, never a retry.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import { parseAuthorizationCode } from "./internal/authorizationCode.js"
import { withRetry } from "./internal/backoff.js"
import { context, type Endpoint, exchange, statusError } from "./internal/exchange.js"
import * as Tok from "./internal/tokens.js"
import { SchwabConfig } from "./SchwabConfig.js"
import {
  DecodeError,
  isTransient,
  ReauthorizationRequired,
  type SchwabError,
  TokenDecryptionError
} from "./SchwabError.js"
import * as TokenCipher from "./TokenCipher.js"
import { TokenStore } from "./TokenStore.js"

/** When the current tokens stop working. @since 0.1.0 @category models */
export interface TokenStatus {
  readonly authorizedAt: Date
  readonly accessTokenExpiresAt: Date
  readonly refreshTokenExpiresAt: Date
}

/** @since 0.1.0 @category models */
export interface SchwabAuth {
  /** The URL a person opens to authorize the app (client_id, redirect_uri, response_type=code). */
  readonly authorizeUrl: () => string
  /** Exchanges the code (bare, URL-encoded, or inside the pasted redirect URL) for tokens and stores them. */
  readonly exchangeCode: (codeOrRedirectUrl: string) => Effect.Effect<TokenStatus, SchwabError>
  /** Refreshes the access token now. */
  readonly refresh: () => Effect.Effect<TokenStatus, SchwabError>
  /** A usable access token, refreshed first when it expires within the margin. */
  readonly accessToken: () => Effect.Effect<Redacted.Redacted<string>, SchwabError>
  /** After Schwab refused `rejected` with 401: a fresh token (one refresh shared by all who saw the same one). */
  readonly refreshAfterRejection: (
    rejected: Redacted.Redacted<string>
  ) => Effect.Effect<Redacted.Redacted<string>, SchwabError>
  /** Expiry instants for health; none before the first authorization. */
  readonly tokenStatus: () => Effect.Effect<Option.Option<TokenStatus>, TokenDecryptionError>
}

/** @since 0.1.0 @category tags */
export const SchwabAuth = Context.GenericTag<SchwabAuth>("@fill-tracker/schwab-client/SchwabAuth")

const TOKEN_ENDPOINT: Endpoint = { method: "POST", route: "/v1/oauth/token" }
const WARN_BEFORE_MILLIS = 24 * 60 * 60 * 1000

const statusOf = (t: Tok.Tokens): TokenStatus => ({
  authorizedAt: new Date(t.authorizedAt),
  accessTokenExpiresAt: new Date(t.accessExpiresAt),
  refreshTokenExpiresAt: new Date(t.refreshExpiresAt)
})

/** Builds the service. @since 0.1.0 @category constructors */
export const make: Effect.Effect<SchwabAuth, never, SchwabConfig | TokenStore | HttpClient.HttpClient> =
  Effect.gen(function* () {
    const config = yield* SchwabConfig
    const store = yield* TokenStore
    const http = yield* HttpClient.HttpClient
    // None until the store has been read once; then the tokens, or none when never authorized.
    const cache = yield* Ref.make<Option.Option<Option.Option<Tok.Tokens>>>(Option.none())
    const refreshLock = yield* Effect.makeSemaphore(1)

    const current: Effect.Effect<Option.Option<Tok.Tokens>, TokenDecryptionError> = Effect.flatMap(
      Ref.get(cache),
      Option.match({
        onSome: Effect.succeed,
        onNone: () =>
          store.load().pipe(
            Effect.flatMap(
              Option.match({
                onNone: () => Effect.succeedNone,
                onSome: (blob) =>
                  TokenCipher.decrypt(config.tokenKey, blob).pipe(
                    Effect.flatMap((text) =>
                      Either.match(Tok.deserialise(text), {
                        onLeft: () => Effect.fail(new TokenDecryptionError({ reason: "Malformed" })),
                        onRight: (t) => Effect.succeed(Option.some(t))
                      })
                    )
                  )
              })
            ),
            Effect.tap((tokens) => Ref.set(cache, Option.some(tokens)))
          )
      })
    )

    const warnIfEnding = (t: Tok.Tokens, now: number): Effect.Effect<void> =>
      t.refreshExpiresAt - now < WARN_BEFORE_MILLIS
        ? Effect.logWarning(
            "Schwab refresh token expires within a day; a person must authorize again soon"
          ).pipe(Effect.annotateLogs({ refreshTokenExpiresAt: new Date(t.refreshExpiresAt).toISOString() }))
        : Effect.void

    const persist = (t: Tok.Tokens): Effect.Effect<TokenStatus, TokenDecryptionError> =>
      TokenCipher.encrypt(config.tokenKey, Tok.serialise(t)).pipe(
        Effect.flatMap(store.save),
        Effect.zipRight(Ref.set(cache, Option.some(Option.some(t)))),
        Effect.as(statusOf(t))
      )

    /** POSTs one grant to the token endpoint; `onRejected` turns a 400/401 into the right error. */
    const grant = (
      form: Record<string, string>,
      onRejected: (detail: string, correlId: string | undefined) => ReauthorizationRequired
    ): Effect.Effect<Tok.TokenResponse, SchwabError> => {
      const request = HttpClientRequest.post(config.tokenUrl).pipe(
        HttpClientRequest.basicAuth(config.appKey, Redacted.value(config.appSecret)),
        HttpClientRequest.acceptJson,
        HttpClientRequest.bodyUrlParams(form)
      )
      const attempt = Effect.gen(function* () {
        const reply = yield* exchange(http, config, TOKEN_ENDPOINT, request)
        if (reply.status === 400 || reply.status === 401) {
          const code = Tok.oauthErrorCode(reply.body)
          return yield* Effect.fail(
            onRejected(
              `Schwab answered ${reply.status}${code === undefined ? "" : ` ${code}`}`,
              reply.correlId
            )
          )
        }
        const failed = statusError(TOKEN_ENDPOINT, reply, yield* Clock.currentTimeMillis)
        if (Option.isSome(failed)) return yield* Effect.fail(failed.value)
        return yield* Either.match(Tok.decodeTokenResponse(reply.body), {
          onLeft: ({ path }) =>
            Effect.fail(
              new DecodeError({
                ...context(TOKEN_ENDPOINT, reply.correlId),
                path,
                detail: "not a token response"
              })
            ),
          onRight: Effect.succeed
        })
      })
      // Re-sending a grant is harmless (no order is involved), so every transient failure is retried.
      return withRetry(
        config.retry,
        (e: SchwabError) => isTransient(e),
        () => attempt,
        TOKEN_ENDPOINT
      )
    }

    const doRefresh = (t: Tok.Tokens): Effect.Effect<TokenStatus, SchwabError> =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        if (now >= t.refreshExpiresAt)
          return yield* new ReauthorizationRequired({
            reason: "RefreshTokenExpired",
            detail: `the refresh token expired at ${new Date(t.refreshExpiresAt).toISOString()}`
          })
        const answer = yield* grant(
          { grant_type: "refresh_token", refresh_token: Redacted.value(t.refreshToken) },
          (detail, correlId) =>
            new ReauthorizationRequired({
              reason: "RefreshRejected",
              detail: `Schwab refused the refresh token (${detail})`,
              correlId
            })
        )
        const after = yield* Clock.currentTimeMillis
        const next: Tok.Tokens = {
          accessToken: Redacted.make(answer.access_token),
          refreshToken:
            answer.refresh_token === undefined ? t.refreshToken : Redacted.make(answer.refresh_token),
          authorizedAt: t.authorizedAt,
          accessExpiresAt: after + (answer.expires_in ?? Tok.DEFAULT_ACCESS_SECONDS) * 1000,
          // Counted from the authorization: a refresh does not make the refresh token live longer.
          refreshExpiresAt: t.refreshExpiresAt
        }
        yield* Effect.logInfo("Schwab access token refreshed").pipe(
          Effect.annotateLogs({ accessTokenExpiresAt: new Date(next.accessExpiresAt).toISOString() })
        )
        yield* warnIfEnding(next, after)
        return yield* persist(next)
      })

    const required = Effect.flatMap(
      current,
      Option.match({
        onNone: () =>
          Effect.fail(
            new ReauthorizationRequired({ reason: "NoTokens", detail: "no Schwab tokens are stored yet" })
          ),
        onSome: Effect.succeed
      })
    )

    const fresh = (t: Tok.Tokens, now: number): boolean =>
      now + Duration.toMillis(config.refreshMargin) < t.accessExpiresAt

    /** Refreshes under the lock unless, once inside, `stillStale` says another fiber already did. */
    const refreshShared = (stillStale: (t: Tok.Tokens, now: number) => boolean) =>
      refreshLock.withPermits(1)(
        Effect.gen(function* () {
          const t = yield* required
          const now = yield* Clock.currentTimeMillis
          if (!stillStale(t, now)) return t.accessToken
          yield* doRefresh(t)
          return (yield* required).accessToken
        })
      )

    const accessToken = () =>
      Effect.gen(function* () {
        const t = yield* required
        if (fresh(t, yield* Clock.currentTimeMillis)) return t.accessToken
        return yield* refreshShared((latest, now) => !fresh(latest, now))
      })

    const refreshAfterRejection = (rejected: Redacted.Redacted<string>) =>
      refreshShared((latest) => Redacted.value(latest.accessToken) === Redacted.value(rejected))

    const exchangeCode = (codeOrRedirectUrl: string) =>
      Effect.gen(function* () {
        const code = parseAuthorizationCode(codeOrRedirectUrl)
        if (Either.isLeft(code))
          return yield* new ReauthorizationRequired({ reason: "CodeRejected", detail: code.left })
        const answer = yield* grant(
          { grant_type: "authorization_code", code: code.right, redirect_uri: config.redirectUri },
          (detail, correlId) =>
            new ReauthorizationRequired({
              reason: "CodeRejected",
              detail: `Schwab refused the authorization code; it lives about 30 seconds and works once (${detail})`,
              correlId
            })
        )
        if (answer.refresh_token === undefined)
          return yield* new DecodeError({
            ...context(TOKEN_ENDPOINT),
            path: "refresh_token",
            detail: "the code exchange returned no refresh token"
          })
        const now = yield* Clock.currentTimeMillis
        const status = yield* persist({
          accessToken: Redacted.make(answer.access_token),
          refreshToken: Redacted.make(answer.refresh_token),
          authorizedAt: now,
          accessExpiresAt: now + (answer.expires_in ?? Tok.DEFAULT_ACCESS_SECONDS) * 1000,
          refreshExpiresAt: now + (answer.refresh_token_expires_in ?? Tok.DEFAULT_REFRESH_SECONDS) * 1000
        })
        yield* Effect.logInfo("Schwab authorization stored").pipe(
          Effect.annotateLogs({ refreshTokenExpiresAt: status.refreshTokenExpiresAt.toISOString() })
        )
        return status
      })

    const authorizeUrl = () =>
      `${config.authorizeUrl}?client_id=${encodeURIComponent(config.appKey)}&redirect_uri=${encodeURIComponent(config.redirectUri)}&response_type=code`

    const tokenStatus = () =>
      Effect.gen(function* () {
        const t = yield* current
        if (Option.isSome(t)) yield* warnIfEnding(t.value, yield* Clock.currentTimeMillis)
        return Option.map(t, statusOf)
      })

    return {
      authorizeUrl,
      exchangeCode,
      refresh: () => refreshLock.withPermits(1)(Effect.flatMap(required, doRefresh)),
      accessToken,
      refreshAfterRejection,
      tokenStatus
    } satisfies SchwabAuth
  })

/** SchwabAuth from config, a TokenStore and an HttpClient. @since 0.1.0 @category layers */
export const layer: Layer.Layer<SchwabAuth, never, SchwabConfig | TokenStore | HttpClient.HttpClient> =
  Layer.effect(SchwabAuth, make)
