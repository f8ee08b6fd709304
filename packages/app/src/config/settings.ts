/**
 * Every setting fill-tracker reads, once: its environment variable, its CLI flag, its
 * default and how to parse it. The CLI options, the env lookup, `--help` and the README's
 * configuration table all come from this list, so they cannot drift apart.
 */
import { SchwabConfig, StreamerConfig } from "@fill-tracker/schwab-client"
import * as Either from "effect/Either"
import { parseDurationMs } from "./Duration.js"

export type Parsed<A> =
  | { readonly ok: true; readonly value: A }
  | { readonly ok: false; readonly problem: string }

const ok = <A>(value: A): Parsed<A> => ({ ok: true, value })
const bad = (problem: string): Parsed<never> => ({ ok: false, problem })

export interface Setting<A> {
  readonly env: string
  readonly flag: string
  readonly description: string
  /** Text form of the default, as a person would type it; `undefined` when there is none. */
  readonly default?: string
  /** Secrets are wrapped in `Redacted` and never printed, even in problems. */
  readonly secret?: boolean
  /** What the value is, as `--help` names it (`--request-timeout duration`); every setting has one. */
  readonly value?: string
  /** The only values accepted, when there is a fixed set: `--help` lists them and the flag parser enforces them. */
  readonly choices?: ReadonlyArray<string>
  readonly parse: (text: string) => Parsed<A>
}

const duration =
  (min: number, max: number) =>
  (text: string): Parsed<number> => {
    const ms = parseDurationMs(text)
    if (ms === undefined) return bad(`"${text}" is not a duration (e.g. 15s, 1500ms, 2m)`)
    if (ms < min || ms > max) return bad(`${text} is outside ${min}ms..${max}ms`)
    return ok(ms)
  }

const durationList =
  (min: number, max: number) =>
  (text: string): Parsed<ReadonlyArray<number>> => {
    const out: Array<number> = []
    for (const part of text
      .split(",")
      .map((p) => p.trim())
      .filter((p) => p !== "")) {
      const one = duration(min, max)(part)
      if (!one.ok) return one
      out.push(one.value)
    }
    return ok(out)
  }

/** Order entries allowed per rolling day unless configured. */
export const DEFAULT_ORDER_ENTRY_PER_DAY = 1_000

const integer =
  (min: number, max: number) =>
  (text: string): Parsed<number> => {
    if (!/^\d{1,9}$/.test(text.trim())) return bad(`"${text}" is not a whole number`)
    const n = Number(text.trim())
    return n < min || n > max ? bad(`${n} is outside ${min}..${max}`) : ok(n)
  }

const url = (text: string): Parsed<string> => {
  try {
    const u = new URL(text)
    return u.protocol === "http:" || u.protocol === "https:"
      ? ok(text.replace(/\/+$/, ""))
      : bad(`"${text}" is not an http(s) URL`)
  } catch {
    return bad(`"${text}" is not a URL`)
  }
}

const nonEmpty = (text: string): Parsed<string> =>
  text.trim() === "" ? bad("must not be empty") : ok(text.trim())

const oneOf =
  <A extends string>(...values: ReadonlyArray<A>) =>
  (text: string): Parsed<A> =>
    (values as ReadonlyArray<string>).includes(text.toLowerCase())
      ? ok(text.toLowerCase() as A)
      : bad(`"${text}" is not one of ${values.join(", ")}`)

// A decimal fraction like 0.05, checked as text so no float is involved.
const band = (text: string): Parsed<string> =>
  /^0(\.\d{1,6})?$|^1(\.0{1,6})?$/.test(text.trim())
    ? ok(text.trim())
    : bad(`"${text}" is not a fraction between 0 and 1 (e.g. 0.05)`)

// The client's own reader: strict hex or base64, so junk characters fail here, at config time.
const tokenKey = (text: string): Parsed<string> =>
  Either.isRight(SchwabConfig.parseTokenKey(text))
    ? ok(text.trim())
    : bad("must be 32 bytes, as 64 hex digits or base64 (e.g. `openssl rand -base64 32`)")

/** A Schwab endpoint: https, or http to this machine only; the URL is never quoted back. */
const endpointUrl = (text: string): Parsed<string> => {
  const problem = SchwabConfig.endpointProblem(text)
  return problem === undefined ? url(text) : bad(problem)
}

const accountList = (text: string): Parsed<ReadonlyArray<string>> => {
  const items = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
  return items.every((s) => /^[A-Za-z0-9_-]{1,128}$/.test(s))
    ? ok(items)
    : bad("must be a comma-separated list of account hashes or account numbers")
}

export const settings = {
  database: {
    env: "FILL_TRACKER_DATABASE",
    flag: "database",
    description:
      "SQLite database file (created when missing by run, submit and auth login; the commands that only read refuse a missing one), or a postgres:// URL for PostgreSQL",
    default: "./fill-tracker.db",
    value: "file|url",
    parse: nonEmpty
  } satisfies Setting<string>,
  pollingInterval: {
    env: "ORDER_POLLING_INTERVAL",
    flag: "order-polling-interval",
    description: "Time between poll cycles",
    default: "15s",
    value: "duration",
    parse: duration(100, 24 * 3_600_000)
  } satisfies Setting<number>,
  pollingMaxJitter: {
    env: "ORDER_POLLING_MAX_JITTER",
    flag: "order-polling-max-jitter",
    description: "Random extra delay added to each interval, up to this much",
    default: "5s",
    value: "duration",
    parse: duration(0, 3_600_000)
  } satisfies Setting<number>,
  pollConcurrency: {
    env: "POLL_CONCURRENCY",
    flag: "poll-concurrency",
    description: "Orders reconciled at once within a cycle",
    default: "8",
    value: "integer",
    parse: integer(1, 256)
  } satisfies Setting<number>,
  pollerId: {
    env: "POLLER_ID",
    flag: "poller-id",
    description:
      "Name of this poller among several on one database (leases and event metadata); default hostname-pid",
    value: "name",
    parse: nonEmpty
  } satisfies Setting<string>,
  pollerShards: {
    env: "POLLER_SHARDS",
    flag: "poller-shards",
    description:
      "Account shards the pollers on one database split between them (every poller must use the same number)",
    default: "16",
    value: "integer",
    parse: integer(1, 4096)
  } satisfies Setting<number>,
  appKey: {
    env: "SCHWAB_APP_KEY",
    flag: "schwab-app-key",
    description: "Schwab app key (client id)",
    secret: true,
    value: "key",
    parse: nonEmpty
  } satisfies Setting<string>,
  appSecret: {
    env: "SCHWAB_APP_SECRET",
    flag: "schwab-app-secret",
    description: "Schwab app secret (prefer the environment: flags show up in `ps`)",
    secret: true,
    value: "secret",
    parse: nonEmpty
  } satisfies Setting<string>,
  redirectUri: {
    env: "SCHWAB_REDIRECT_URI",
    flag: "schwab-redirect-uri",
    description: "Callback URL registered with the Schwab app",
    default: "https://127.0.0.1",
    value: "url",
    parse: url
  } satisfies Setting<string>,
  baseUrl: {
    env: "SCHWAB_BASE_URL",
    flag: "schwab-base-url",
    description: "Trader API base URL",
    default: "https://api.schwabapi.com/trader/v1",
    value: "url",
    parse: endpointUrl
  } satisfies Setting<string>,
  tokenUrl: {
    env: "SCHWAB_TOKEN_URL",
    flag: "schwab-token-url",
    description: "OAuth token endpoint",
    default: "https://api.schwabapi.com/v1/oauth/token",
    value: "url",
    parse: endpointUrl
  } satisfies Setting<string>,
  authorizeUrl: {
    env: "SCHWAB_AUTHORIZE_URL",
    flag: "schwab-authorize-url",
    description: "OAuth authorize endpoint",
    default: "https://api.schwabapi.com/v1/oauth/authorize",
    value: "url",
    parse: endpointUrl
  } satisfies Setting<string>,
  accounts: {
    env: "SCHWAB_ACCOUNTS",
    flag: "accounts",
    description: "Only poll these accounts (hashes or numbers, comma-separated); empty means all",
    default: "",
    value: "accounts",
    parse: (text: string) => (text.trim() === "" ? ok([] as ReadonlyArray<string>) : accountList(text))
  } satisfies Setting<ReadonlyArray<string>>,
  tokenKey: {
    env: "FILL_TRACKER_TOKEN_KEY",
    flag: "token-key",
    description: "AES-256 key that encrypts the stored Schwab tokens (32 bytes, hex or base64)",
    secret: true,
    value: "key",
    parse: tokenKey
  } satisfies Setting<string>,
  rateLimit: {
    env: "SCHWAB_RATE_LIMIT_PER_MINUTE",
    flag: "rate-limit-per-minute",
    description: "Client-side cap on Schwab requests per minute",
    default: "120",
    value: "integer",
    parse: integer(1, 10_000)
  } satisfies Setting<number>,
  requestTimeout: {
    env: "SCHWAB_REQUEST_TIMEOUT",
    flag: "request-timeout",
    description: "Timeout of one Schwab request",
    default: "10s",
    value: "duration",
    parse: duration(50, 300_000)
  } satisfies Setting<number>,
  priceBand: {
    env: "PRICE_SANITY_BAND",
    flag: "price-sanity-band",
    description: "Flag fills whose price is further than this fraction from the bot's reference price",
    default: "0.05",
    value: "fraction",
    parse: band
  } satisfies Setting<string>,
  healthPort: {
    env: "HEALTH_PORT",
    flag: "health-port",
    description: "Port of /health and /metrics on 127.0.0.1 (0 picks a free port)",
    default: "9464",
    value: "port",
    parse: integer(0, 65_535)
  } satisfies Setting<number>,
  logLevel: {
    env: "LOG_LEVEL",
    flag: "log-level",
    description: "debug, info, warning or error",
    default: "info",
    value: "level",
    choices: ["debug", "info", "warning", "error"],
    parse: oneOf("debug", "info", "warning", "error")
  } satisfies Setting<"debug" | "info" | "warning" | "error">,
  logFormat: {
    env: "LOG_FORMAT",
    flag: "log-format",
    description: "json (one object per line) or pretty",
    default: "pretty",
    value: "format",
    choices: ["json", "pretty"],
    parse: oneOf("json", "pretty")
  } satisfies Setting<"json" | "pretty">,
  shutdownGrace: {
    env: "SHUTDOWN_GRACE",
    flag: "shutdown-grace",
    description: "How long an in-flight cycle may run on after SIGINT/SIGTERM",
    default: "10s",
    value: "duration",
    parse: duration(0, 300_000)
  } satisfies Setting<number>,
  maxResponseBytes: {
    env: "SCHWAB_MAX_RESPONSE_BYTES",
    flag: "max-response-bytes",
    description:
      "Longest Schwab answer read, in bytes; a longer one (or one that never ends) stops there with ResponseTooLarge",
    default: String(32 * 1024 * 1024),
    value: "integer",
    parse: integer(1024, 1024 * 1024 * 1024)
  } satisfies Setting<number>,
  orderEntryPerDay: {
    env: "SCHWAB_ORDER_ENTRY_PER_DAY",
    flag: "order-entry-per-day",
    description:
      "Places, replaces and cancels allowed in any 24 hours, shared by every process on the database; past it they are refused (OrderEntryBudgetExhausted), nothing sent",
    default: String(DEFAULT_ORDER_ENTRY_PER_DAY),
    value: "integer",
    parse: integer(1, 1_000_000)
  } satisfies Setting<number>,
  orderTag: {
    env: "SCHWAB_ORDER_TAG",
    flag: "order-tag",
    description:
      "The tag Schwab puts on orders entered through this app key; such orders that no execution follows are reported as untracked (empty: none reported)",
    default: "",
    value: "tag",
    parse: (text: string) => ok(text.trim())
  } satisfies Setting<string>,
  untrackedLookback: {
    env: "UNTRACKED_LOOKBACK",
    flag: "untracked-lookback",
    description: "Orders entered longer ago than this are not reported as untracked",
    default: "24h",
    value: "duration",
    parse: duration(60_000, 59 * 24 * 3_600_000)
  } satisfies Setting<number>,
  replacementSearch: {
    env: "REPLACEMENT_SEARCH_WINDOW",
    flag: "replacement-search-window",
    description:
      "How long after a REPLACED order that names no replacement closed its replacement is looked for in the account's orders before the execution fails",
    default: "5m",
    value: "duration",
    parse: duration(0, 24 * 3_600_000)
  } satisfies Setting<number>,
  intentWindow: {
    env: "INTENT_RESOLUTION_WINDOW",
    flag: "intent-resolution-window",
    description:
      "How long after a placement whose answer was lost its order is looked for in the account's orders before the execution fails as not placed, and how long a replace or cancel whose answer was lost may find the order still working before the request is closed as not carried out (nothing is sent again)",
    default: "2m",
    value: "duration",
    parse: duration(10_000, 24 * 3_600_000)
  } satisfies Setting<number>,
  freshPollOffsets: {
    env: "FRESH_ORDER_POLL_OFFSETS",
    flag: "fresh-order-poll-offsets",
    description:
      "Also poll this long after each submission, comma-separated (market orders fill in seconds); empty: interval only",
    default: "1500ms,4s",
    value: "durations",
    parse: durationList(0, 600_000)
  } satisfies Setting<ReadonlyArray<number>>,
  streaming: {
    env: "STREAMING",
    flag: "streaming",
    description:
      "Listen to Schwab's account-activity stream to look at an order as soon as it changes (polling goes on as the truth); off: polling only",
    default: "on",
    value: "on|off",
    choices: ["on", "off"],
    parse: (text: string) => {
      const choice = oneOf("on", "off")(text)
      return choice.ok ? ok(choice.value === "on") : choice
    }
  } satisfies Setting<boolean>,
  streamerMaxFrameBytes: {
    env: "SCHWAB_STREAMER_MAX_FRAME_BYTES",
    flag: "streamer-max-frame-bytes",
    description:
      "Longest streamer message read, in bytes; a longer one (or one that never ends) closes the connection with FrameTooLarge and the stream reconnects",
    default: String(StreamerConfig.DEFAULT_MAX_FRAME_BYTES),
    value: "integer",
    parse: integer(1024, 256 * 1024 * 1024)
  } satisfies Setting<number>
} as const

export type Settings = typeof settings
export type SettingName = keyof Settings
export type SettingValue<K extends SettingName> = Settings[K] extends Setting<infer A> ? A : never
