/**
 * The tokens as we keep them (inside the encrypted blob) and as Schwab's token endpoint
 * sends them.
 */
import { parsePlainJson } from "@fill-tracker/domain"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"

/** Access token lifetime when Schwab does not say (`expires_in`). */
export const DEFAULT_ACCESS_SECONDS = 30 * 60
/** Refresh token lifetime from the person's authorization; refreshing never extends it. */
export const DEFAULT_REFRESH_SECONDS = 7 * 24 * 60 * 60

export interface Tokens {
  readonly accessToken: Redacted.Redacted<string>
  readonly refreshToken: Redacted.Redacted<string>
  readonly authorizedAt: number
  readonly accessExpiresAt: number
  readonly refreshExpiresAt: number
}

const Stored = Schema.Struct({
  v: Schema.Literal(1),
  accessToken: Schema.String,
  refreshToken: Schema.String,
  authorizedAt: Schema.Number,
  accessExpiresAt: Schema.Number,
  refreshExpiresAt: Schema.Number
})

export const serialise = (t: Tokens): Redacted.Redacted<string> =>
  Redacted.make(
    JSON.stringify({
      v: 1,
      accessToken: Redacted.value(t.accessToken),
      refreshToken: Redacted.value(t.refreshToken),
      authorizedAt: t.authorizedAt,
      accessExpiresAt: t.accessExpiresAt,
      refreshExpiresAt: t.refreshExpiresAt
    })
  )

/** Reads decrypted blob text; a blob that decrypts but does not parse is as unusable as a tampered one. */
export const deserialise = (text: Redacted.Redacted<string>): Either.Either<Tokens, string> => {
  let json: unknown
  try {
    json = JSON.parse(Redacted.value(text))
  } catch {
    return Either.left("not JSON")
  }
  return Schema.decodeUnknownEither(Stored)(json).pipe(
    Either.mapLeft(() => "not a token record"),
    Either.map((s) => ({
      accessToken: Redacted.make(s.accessToken),
      refreshToken: Redacted.make(s.refreshToken),
      authorizedAt: s.authorizedAt,
      accessExpiresAt: s.accessExpiresAt,
      refreshExpiresAt: s.refreshExpiresAt
    }))
  )
}

const PositiveSeconds = Schema.Union(Schema.Number, Schema.NumberFromString).pipe(Schema.positive())

/** Schwab's token endpoint answer (RFC 6749 §5.1); unknown fields (`id_token`, `scope`) are ignored. */
export const TokenResponse = Schema.Struct({
  access_token: Schema.NonEmptyString,
  refresh_token: Schema.optional(Schema.NonEmptyString),
  expires_in: Schema.optional(PositiveSeconds),
  refresh_token_expires_in: Schema.optional(PositiveSeconds)
})
export type TokenResponse = typeof TokenResponse.Type

/**
 * Decodes the token answer; a failure names the field, never its value (it could be a token).
 * `__proto__`/`constructor`/`prototype` keys are dropped as in the order bodies: the schema
 * reads only its own fields today, but the answer is outside input and nothing that copies
 * it later should meet such a key.
 */
export const decodeTokenResponse = (text: string): Either.Either<TokenResponse, { path: string }> => {
  const parsed = parsePlainJson(text)
  if (parsed._tag === "Left") return Either.left({ path: "<root>" })
  return Schema.decodeUnknownEither(TokenResponse)(parsed.right).pipe(
    Either.mapLeft((e) => {
      const first = ParseResult.ArrayFormatter.formatErrorSync(e)[0]
      return { path: first === undefined || first.path.length === 0 ? "<root>" : first.path.join(".") }
    })
  )
}

/** The OAuth `error` code of a token endpoint answer, when it is a plain code (safe to show). */
export const oauthErrorCode = (text: string): string | undefined => {
  const parsed = parsePlainJson(text)
  if (parsed._tag === "Left" || typeof parsed.right !== "object" || parsed.right === null) return undefined
  const code = Object.hasOwn(parsed.right, "error") ? (parsed.right as { error?: unknown }).error : undefined
  return typeof code === "string" && /^[a-z_]{1,64}$/.test(code) ? code : undefined
}
