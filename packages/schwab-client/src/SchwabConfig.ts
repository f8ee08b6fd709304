/**
 * Everything the Schwab client needs to know: app credentials, endpoints, timeouts, the
 * client-side rate limit, the retry policy and the key that encrypts stored tokens.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

/** How transient failures are retried. @since 0.1.0 @category models */
export interface RetryPolicy {
  /** Attempts in total, the first one included (1 = never retry). */
  readonly maxAttempts: number
  /** First backoff; each later one doubles, with ±50 % jitter. */
  readonly baseDelay: Duration.Duration
  readonly maxDelay: Duration.Duration
  /** A `Retry-After` longer than this is cut to it, so one answer cannot park the client for hours. */
  readonly maxRetryAfter: Duration.Duration
}

/** How `placeOrder` looks for an order whose answer was lost. @since 0.1.0 @category models */
export interface PlacementRecovery {
  /** How many times the order list is read before giving up. */
  readonly lookups: number
  /** Pause before each lookup: Schwab may list a fresh order a moment late. */
  readonly delay: Duration.Duration
  /** Allowed difference between our clock and Schwab's when comparing entered times. */
  readonly clockSkew: Duration.Duration
}

/** The resolved configuration. @since 0.1.0 @category models */
export interface SchwabConfig {
  readonly appKey: string
  readonly appSecret: Redacted.Redacted<string>
  readonly redirectUri: string
  readonly baseUrl: string
  readonly tokenUrl: string
  readonly authorizeUrl: string
  readonly requestTimeout: Duration.Duration
  /** The longest answer body read, in bytes; a longer one is a ResponseTooLarge. */
  readonly maxResponseBytes: number
  readonly rateLimitPerMinute: number
  /** Places, replaces and cancels allowed in a rolling day (see OrderEntryBudget). */
  readonly orderEntryPerDay: number
  readonly retry: RetryPolicy
  readonly placementRecovery: PlacementRecovery
  /** Refresh the access token this long before it expires. */
  readonly refreshMargin: Duration.Duration
  /** AES-256-GCM key for the token blob: exactly 32 bytes. */
  readonly tokenKey: Redacted.Redacted<Uint8Array>
}

/** What a caller provides; everything but credentials and key has a default. @since 0.1.0 @category models */
export interface SchwabConfigInput {
  readonly appKey: string
  readonly appSecret: Redacted.Redacted<string>
  readonly redirectUri: string
  /** 32 bytes as base64 or hex. */
  readonly tokenKey: Redacted.Redacted<string>
  readonly baseUrl?: string
  readonly tokenUrl?: string
  readonly authorizeUrl?: string
  readonly requestTimeout?: Duration.DurationInput
  readonly maxResponseBytes?: number
  readonly rateLimitPerMinute?: number
  readonly orderEntryPerDay?: number
  readonly retry?: {
    readonly maxAttempts?: number
    readonly baseDelay?: Duration.DurationInput
    readonly maxDelay?: Duration.DurationInput
    readonly maxRetryAfter?: Duration.DurationInput
  }
  readonly placementRecovery?: {
    readonly lookups?: number
    readonly delay?: Duration.DurationInput
    readonly clockSkew?: Duration.DurationInput
  }
  readonly refreshMargin?: Duration.DurationInput
}

/** @since 0.1.0 @category tags */
export const SchwabConfig = Context.GenericTag<SchwabConfig>("@fill-tracker/schwab-client/SchwabConfig")

/** Production endpoints and limits. @since 0.1.0 @category constants */
export const defaults = {
  baseUrl: "https://api.schwabapi.com/trader/v1",
  tokenUrl: "https://api.schwabapi.com/v1/oauth/token",
  authorizeUrl: "https://api.schwabapi.com/v1/oauth/authorize",
  requestTimeout: Duration.seconds(10),
  // A list of 3,000 orders with fills is a few MB; 32 MiB leaves room and still bounds memory.
  maxResponseBytes: 32 * 1024 * 1024,
  rateLimitPerMinute: 120,
  orderEntryPerDay: 1_000,
  retry: {
    maxAttempts: 4,
    baseDelay: Duration.millis(500),
    maxDelay: Duration.seconds(30),
    maxRetryAfter: Duration.seconds(120)
  } satisfies RetryPolicy,
  placementRecovery: {
    lookups: 3,
    delay: Duration.seconds(1),
    clockSkew: Duration.seconds(5)
  } satisfies PlacementRecovery,
  refreshMargin: Duration.seconds(60)
} as const

/**
 * Reads a 32-byte key written as 64 hex digits or as base64 (44 characters with padding).
 * Anything else is refused: a short key would silently weaken the encryption.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parseTokenKey = (text: string): Either.Either<Uint8Array, string> => {
  const s = text.trim()
  const url = s.includes("-") || s.includes("_")
  const bytes = /^[0-9a-fA-F]{64}$/.test(s)
    ? Buffer.from(s, "hex")
    : /^[A-Za-z0-9+/_-]+={0,2}$/.test(s)
      ? Buffer.from(s, url ? "base64url" : "base64")
      : undefined
  // Node's base64 decoder skips what it cannot read: only text that is the key's own
  // encoding (padding aside) is a key, so a typo is refused here, not at the first decryption.
  const canonical =
    bytes !== undefined &&
    (/^[0-9a-fA-F]{64}$/.test(s) ||
      bytes.toString(url ? "base64url" : "base64").replace(/=+$/, "") === s.replace(/=+$/, ""))
  if (bytes === undefined || !canonical)
    return Either.left("the token key must be 32 bytes written as 64 hex digits or base64")
  if (bytes.length !== 32) return Either.left(`the token key must be 32 bytes, got ${bytes.length}`)
  return Either.right(new Uint8Array(bytes))
}

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(["127.0.0.1", "localhost", "[::1]"])

/**
 * Why `text` may not be a Schwab endpoint, or undefined when it may: an https URL, or http
 * to this machine only (the app secret and tokens travel in it). Never quotes the URL.
 *
 * @since 0.1.0
 * @category constructors
 */
export const endpointProblem = (text: string): string | undefined => {
  let u: URL
  try {
    u = new URL(text)
  } catch {
    return "is not a URL"
  }
  if (u.protocol === "https:") return undefined
  if (u.protocol === "http:" && LOOPBACK_HOSTS.has(u.hostname)) return undefined
  return "must be an https URL (http only to 127.0.0.1, localhost or ::1)"
}

const trimSlash = (url: string): string => url.replace(/\/+$/, "")

/** Fills defaults and checks the key. @since 0.1.0 @category constructors */
export const make = (input: SchwabConfigInput): Effect.Effect<SchwabConfig, ConfigError.ConfigError> =>
  Effect.gen(function* () {
    const key = parseTokenKey(Redacted.value(input.tokenKey))
    if (Either.isLeft(key)) return yield* Effect.fail(ConfigError.InvalidData(["SCHWAB_TOKEN_KEY"], key.left))
    const entries = input.orderEntryPerDay ?? defaults.orderEntryPerDay
    if (!Number.isInteger(entries) || entries < 1)
      return yield* Effect.fail(
        ConfigError.InvalidData(["SCHWAB_ORDER_ENTRY_PER_DAY"], "must be a whole number of at least 1")
      )
    for (const [name, value] of [
      ["SCHWAB_BASE_URL", input.baseUrl ?? defaults.baseUrl],
      ["SCHWAB_TOKEN_URL", input.tokenUrl ?? defaults.tokenUrl],
      ["SCHWAB_AUTHORIZE_URL", input.authorizeUrl ?? defaults.authorizeUrl]
    ] as const) {
      const problem = endpointProblem(value)
      if (problem !== undefined) return yield* Effect.fail(ConfigError.InvalidData([name], problem))
    }
    const rate = input.rateLimitPerMinute ?? defaults.rateLimitPerMinute
    if (!Number.isInteger(rate) || rate < 1)
      return yield* Effect.fail(
        ConfigError.InvalidData(["SCHWAB_RATE_LIMIT_PER_MINUTE"], "must be a whole number of at least 1")
      )
    const maxResponseBytes = input.maxResponseBytes ?? defaults.maxResponseBytes
    if (!Number.isSafeInteger(maxResponseBytes) || maxResponseBytes < 1024)
      return yield* Effect.fail(
        ConfigError.InvalidData(
          ["SCHWAB_MAX_RESPONSE_BYTES"],
          "must be a whole number of bytes, at least 1024"
        )
      )
    const r = input.retry ?? {}
    const retry: RetryPolicy = {
      maxAttempts: r.maxAttempts ?? defaults.retry.maxAttempts,
      baseDelay: Duration.decode(r.baseDelay ?? defaults.retry.baseDelay),
      maxDelay: Duration.decode(r.maxDelay ?? defaults.retry.maxDelay),
      maxRetryAfter: Duration.decode(r.maxRetryAfter ?? defaults.retry.maxRetryAfter)
    }
    const p = input.placementRecovery ?? {}
    const placementRecovery: PlacementRecovery = {
      lookups: p.lookups ?? defaults.placementRecovery.lookups,
      delay: Duration.decode(p.delay ?? defaults.placementRecovery.delay),
      clockSkew: Duration.decode(p.clockSkew ?? defaults.placementRecovery.clockSkew)
    }
    if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1)
      return yield* Effect.fail(ConfigError.InvalidData(["retry", "maxAttempts"], "must be at least 1"))
    return {
      appKey: input.appKey,
      appSecret: input.appSecret,
      redirectUri: input.redirectUri,
      baseUrl: trimSlash(input.baseUrl ?? defaults.baseUrl),
      tokenUrl: input.tokenUrl ?? defaults.tokenUrl,
      authorizeUrl: input.authorizeUrl ?? defaults.authorizeUrl,
      requestTimeout: Duration.decode(input.requestTimeout ?? defaults.requestTimeout),
      maxResponseBytes,
      rateLimitPerMinute: rate,
      orderEntryPerDay: entries,
      retry,
      placementRecovery,
      refreshMargin: Duration.decode(input.refreshMargin ?? defaults.refreshMargin),
      tokenKey: Redacted.make(key.right)
    }
  })

/**
 * The configuration as Effect `Config`, from SCHWAB_APP_KEY, SCHWAB_APP_SECRET,
 * SCHWAB_REDIRECT_URI, SCHWAB_TOKEN_KEY and the optional SCHWAB_BASE_URL, SCHWAB_TOKEN_URL,
 * SCHWAB_AUTHORIZE_URL, SCHWAB_RATE_LIMIT_PER_MINUTE, SCHWAB_REQUEST_TIMEOUT (e.g. `10 seconds`) and
 * SCHWAB_MAX_RESPONSE_BYTES (default 32 MiB).
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<SchwabConfigInput> = Config.all({
  appKey: Config.string("SCHWAB_APP_KEY"),
  appSecret: Config.redacted("SCHWAB_APP_SECRET"),
  redirectUri: Config.string("SCHWAB_REDIRECT_URI"),
  tokenKey: Config.redacted("SCHWAB_TOKEN_KEY"),
  baseUrl: Config.withDefault(Config.string("SCHWAB_BASE_URL"), defaults.baseUrl),
  tokenUrl: Config.withDefault(Config.string("SCHWAB_TOKEN_URL"), defaults.tokenUrl),
  authorizeUrl: Config.withDefault(Config.string("SCHWAB_AUTHORIZE_URL"), defaults.authorizeUrl),
  rateLimitPerMinute: Config.withDefault(
    Config.integer("SCHWAB_RATE_LIMIT_PER_MINUTE"),
    defaults.rateLimitPerMinute
  ),
  requestTimeout: Config.withDefault(Config.duration("SCHWAB_REQUEST_TIMEOUT"), defaults.requestTimeout),
  orderEntryPerDay: Config.withDefault(
    Config.integer("SCHWAB_ORDER_ENTRY_PER_DAY"),
    defaults.orderEntryPerDay
  ),
  maxResponseBytes: Config.withDefault(Config.integer("SCHWAB_MAX_RESPONSE_BYTES"), defaults.maxResponseBytes)
})

/** The configuration from given values. @since 0.1.0 @category layers */
export const layer = (input: SchwabConfigInput): Layer.Layer<SchwabConfig, ConfigError.ConfigError> =>
  Layer.effect(SchwabConfig, make(input))

/** The configuration from the environment (see `config`). @since 0.1.0 @category layers */
export const layerConfig: Layer.Layer<SchwabConfig, ConfigError.ConfigError> = Layer.effect(
  SchwabConfig,
  Effect.flatMap(config, make)
)
