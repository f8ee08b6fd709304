/**
 * How the app wires the packages: the store on the configured SQLite file, the Schwab
 * client on it (tokens encrypted into the store's blob table), and the app's own
 * services. Commands and the library facade build on these, so every entry point runs
 * the same graph.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { SchwabAuth, SchwabClient, SchwabConfig, TokenStore } from "@fill-tracker/schwab-client"
import { SqliteStore, TokenBlobStore } from "@fill-tracker/store"
import { Duration, Effect, Layer, Redacted } from "effect"
import type { AppConfig } from "./config/AppConfig.js"
import { Metrics } from "./health/Metrics.js"
import { PollerStatus } from "./poller/PollerStatus.js"
import { FillTracker } from "./tracker/FillTracker.js"

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

/** What the Schwab layers need beyond the config: tests and the demo tune retries and timeouts. */
export type SchwabTuning = Pick<
  SchwabConfig.SchwabConfigInput,
  "retry" | "placementRecovery" | "refreshMargin"
>

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
  ...tuning
})

/** SchwabConfig, SchwabAuth and SchwabClient over undici; needs the store's TokenBlobStore. */
export const schwabLayer = (config: AppConfig, tuning: SchwabTuning = {}) => {
  const base = Layer.mergeAll(
    Layer.orDie(SchwabConfig.layer(schwabConfigInput(config, tuning))),
    tokenStoreLayer,
    NodeHttpClient.layerUndici
  )
  return Layer.provideMerge(SchwabClient.layer, Layer.provideMerge(SchwabAuth.layer, base))
}

/** Everything the poller, the health endpoint and the FillTracker service need. */
export const appLayer = (config: AppConfig, tuning: SchwabTuning = {}) => {
  const store = SqliteStore.layer({ filename: config.database })
  const services = Layer.mergeAll(
    schwabLayer(config, tuning),
    FillTracker.layer,
    Metrics.layer,
    PollerStatus.layer
  )
  return Layer.provideMerge(services, store)
}
