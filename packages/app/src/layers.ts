/**
 * How the app wires the packages: the store on the configured SQLite file, the Schwab
 * client on it (tokens encrypted into the store's blob table), and the app's own
 * services. Commands and the library facade build on these, so every entry point runs
 * the same graph.
 */

import { createHash } from "node:crypto"
import { NodeHttpClient } from "@effect/platform-node"
import {
  OrderEntryBudget,
  RateLimiter,
  type RequestObserver,
  SchwabAuth,
  SchwabClient,
  SchwabConfig,
  StreamerClient,
  StreamerConfig,
  TokenStore
} from "@fill-tracker/schwab-client"
import { SharedRateLimit, Store, TokenBlobStore } from "@fill-tracker/store"
import { Duration, Effect, Layer, Redacted, Schedule } from "effect"
import type { AppConfig } from "./config/AppConfig.js"
import { DEFAULT_ORDER_ENTRY_PER_DAY } from "./config/settings.js"
import { HealthChecks } from "./health/HealthChecks.js"
import { Metrics } from "./health/Metrics.js"
import { requestObserverLayer } from "./health/schwabMetrics.js"
import { PlacementWatch } from "./poller/PlacementWatch.js"
import { PollerStatus } from "./poller/PollerStatus.js"
import { PollerWake } from "./poller/PollerWake.js"
import { FillTracker } from "./tracker/FillTracker.js"
import { IntentWindow } from "./tracker/IntentWindow.js"

/** The blob name of the Schwab tokens in the store. */
const TOKEN_BLOB = "schwab-tokens"

/** The client's TokenStore backed by the store; a database failure here is a defect, not a Schwab error. */
export const tokenStoreLayer = Layer.effect(
  TokenStore.TokenStore,
  Effect.map(TokenBlobStore, (blobs) => ({
    load: () => blobs.load(TOKEN_BLOB).pipe(Effect.orDie),
    save: (blob: string) => blobs.save(TOKEN_BLOB, blob).pipe(Effect.orDie)
  }))
)

/**
 * Schwab counts requests per minute at its end, after they crossed the network: a second of
 * margin on the window keeps two requests granted a minute apart from arriving inside one.
 */
const RATE_WINDOW_MS = 61_000

/**
 * The client's rate limiter drawn from the database's budget, shared by every process on
 * it (pollers, the bot's own facade). The budget is named after the app key (a digest of
 * it, never the key), since that is what Schwab limits.
 */
export const sharedLimiterLayer = (config: AppConfig) =>
  Layer.effect(
    RateLimiter.SharedLimiter,
    Effect.map(SharedRateLimit, (budget) => {
      const key = config.appKey === undefined ? "" : Redacted.value(config.appKey)
      const name = `schwab:${createHash("sha256").update(key).digest("hex").slice(0, 16)}`
      return {
        take: budget.take(name, config.rateLimit, RATE_WINDOW_MS).pipe(
          Effect.retry(Schedule.spaced("200 millis").pipe(Schedule.intersect(Schedule.recurs(5)))),
          Effect.asVoid,
          // A database that stays down is a defect of this request; the cycle logs it.
          Effect.orDie
        )
      }
    })
  )

/**
 * The client's order-entry budget (places, replaces, cancels per rolling day) drawn from
 * the database, shared like the minute budget by every process on it: a bot's facade and
 * a CLI `place` spend from the same day.
 */
export const sharedOrderBudgetLayer = (config: AppConfig) =>
  Layer.effect(
    OrderEntryBudget.SharedOrderEntryBudget,
    Effect.map(SharedRateLimit, (budget) => {
      const key = config.appKey === undefined ? "" : Redacted.value(config.appKey)
      const name = `schwab-orders:${createHash("sha256").update(key).digest("hex").slice(0, 16)}`
      const limit = config.orderEntryPerDay ?? DEFAULT_ORDER_ENTRY_PER_DAY
      return {
        take: budget.tryTake(name, limit, OrderEntryBudget.DAY_MS).pipe(
          Effect.map((r) => (r.granted ? ({ granted: true } as const) : r)),
          // A database that stays down is a defect of this request, as for the minute budget.
          Effect.orDie
        )
      }
    })
  )

/** What the Schwab layers need beyond the config: tests and the demo tune retries and timeouts. */
export type SchwabTuning = Pick<
  SchwabConfig.SchwabConfigInput,
  "retry" | "placementRecovery" | "refreshMargin"
> & {
  /** The streamer's timings (heartbeat timeout, backoff, the wait after a takeover). */
  readonly streamer?: Partial<StreamerConfig.StreamerConfig>
}

export const schwabConfigInput = (
  config: AppConfig,
  tuning: SchwabTuning = {}
): SchwabConfig.SchwabConfigInput => ({
  appKey: config.appKey === undefined ? "" : Redacted.value(config.appKey),
  appSecret: config.appSecret ?? Redacted.make(""),
  tokenKey: config.tokenKey ?? Redacted.make(""),
  redirectUri: config.redirectUri,
  baseUrl: config.baseUrl,
  tokenUrl: config.tokenUrl,
  authorizeUrl: config.authorizeUrl,
  requestTimeout: Duration.millis(config.requestTimeout),
  rateLimitPerMinute: config.rateLimit,
  orderEntryPerDay: config.orderEntryPerDay ?? DEFAULT_ORDER_ENTRY_PER_DAY,
  ...(config.maxResponseBytes === undefined ? {} : { maxResponseBytes: config.maxResponseBytes }),
  ...(tuning.retry === undefined ? {} : { retry: tuning.retry }),
  ...(tuning.placementRecovery === undefined ? {} : { placementRecovery: tuning.placementRecovery }),
  ...(tuning.refreshMargin === undefined ? {} : { refreshMargin: tuning.refreshMargin })
})

/** SchwabConfig, SchwabAuth and SchwabClient over undici; needs the store's TokenBlobStore. */
export const schwabLayer = (config: AppConfig, tuning: SchwabTuning = {}) => {
  const base = Layer.mergeAll(
    Layer.orDie(SchwabConfig.layer(schwabConfigInput(config, tuning))),
    tokenStoreLayer,
    sharedLimiterLayer(config),
    sharedOrderBudgetLayer(config),
    NodeHttpClient.layerUndici
  )
  const client = Layer.provideMerge(SchwabClient.layer, Layer.provideMerge(SchwabAuth.layer, base))
  // With streaming off there is no StreamerClient in the graph, so nothing can open a socket.
  return config.streaming === true
    ? Layer.provideMerge(
        StreamerClient.layer({
          ...StreamerConfig.defaults,
          ...(config.streamerMaxFrameBytes === undefined
            ? {}
            : { maxFrameBytes: config.streamerMaxFrameBytes }),
          ...tuning.streamer
        }),
        client
      )
    : client
}

/** Metrics, and the client's exchanges and retries reported into them. */
const metricsLayer: Layer.Layer<Metrics | RequestObserver.RequestObserver> = Layer.provideMerge(
  requestObserverLayer,
  Metrics.layer
)

/** Everything the poller, the health endpoint and the FillTracker service need. */
export const appLayer = (
  config: AppConfig,
  tuning: SchwabTuning = {},
  /** SQLite start-up: `quickCheckMillis` runs quick_check, bounded (the `run` command's start). */
  storeOptions: { readonly quickCheckMillis?: number; readonly mustExist?: boolean } = {}
) => {
  // A postgres:// URL selects PostgreSQL (several pollers); anything else is the SQLite file.
  const store = Store.layerFromUrl(config.database, storeOptions)
  const services = Layer.mergeAll(
    // The tracker sees the client: it maps account numbers to hashes and places orders.
    Layer.provideMerge(
      FillTracker.layer,
      Layer.merge(schwabLayer(config, tuning), IntentWindow.fromConfig(config.intentWindow))
    ),
    metricsLayer,
    HealthChecks.layer,
    PollerStatus.layer,
    PollerWake.layer,
    PlacementWatch.layer
  )
  return Layer.provideMerge(services, store)
}
