import { Command } from "@effect/cli"
import { SchwabAuth } from "@fill-tracker/schwab-client"
import { Effect, Option } from "effect"
import type { AppConfig } from "../config/AppConfig.js"
import { serveHealth } from "../health/HealthServer.js"
import { appLayer } from "../layers.js"
import { startPoller } from "../poller/Poller.js"
import { pollerOptionsFrom } from "../poller/pollerOptions.js"
import { selectedAccounts } from "../tracker/accounts.js"
import { loggingLayer, QUICK_CHECK_MILLIS, resolve } from "./common.js"
import { settingsOptions } from "./settingsOptions.js"
import { armShutdownBackstop } from "./shutdownBackstop.js"

/** Token expiries for /health; none before the first authorization. */
export const tokenExpiries = Effect.flatMap(SchwabAuth.SchwabAuth, (auth) => auth.tokenStatus()).pipe(
  Effect.map(
    Option.match({
      onNone: () => ({ accessExpiresAt: undefined, refreshExpiresAt: undefined }),
      onSome: (t) => ({
        accessExpiresAt: t.accessTokenExpiresAt.toISOString(),
        refreshExpiresAt: t.refreshTokenExpiresAt.toISOString()
      })
    })
  ),
  Effect.orElseSucceed(() => ({ accessExpiresAt: undefined, refreshExpiresAt: undefined }))
)

/** Past the grace, how long closing the scope may take before the backstop exits. */
const SHUTDOWN_BACKSTOP_MARGIN_MS = 900

/** The service: poller plus health endpoint, until SIGINT or SIGTERM. */
export const runService = (config: AppConfig) =>
  Effect.scoped(
    Effect.gen(function* () {
      const accounts = yield* selectedAccounts(config)
      const options = pollerOptionsFrom(config, accounts)
      const auth = yield* SchwabAuth.SchwabAuth
      const authorized = yield* auth.tokenStatus().pipe(Effect.orElseSucceed(() => Option.none()))
      if (Option.isNone(authorized))
        yield* Effect.logWarning(
          "no Schwab tokens stored yet: run `fill-tracker auth url`, then `fill-tracker auth login --code <redirect URL>`"
        )
      const port = yield* serveHealth({
        port: config.healthPort,
        intervalMs: options.intervalMs,
        maxJitterMs: options.maxJitterMs,
        // A dead poller's shards are taken over within 1.25 lease times.
        unheldGraceMs: options.lease === undefined ? 0 : 1.25 * options.lease.ttlMs,
        tokenExpiries: tokenExpiries.pipe(Effect.provideService(SchwabAuth.SchwabAuth, auth))
      })
      const poller = yield* startPoller(options)
      // Interruption (SIGINT/SIGTERM via runMain) runs this finalizer: the in-flight cycle
      // gets the grace period, then the scope closes the health server and the database; the
      // backstop exits the process grace + SHUTDOWN_BACKSTOP_MARGIN_MS later if that hangs.
      yield* Effect.addFinalizer(() =>
        Effect.logInfo("shutting down: letting the in-flight cycle finish").pipe(
          Effect.zipRight(armShutdownBackstop(options.graceMs + SHUTDOWN_BACKSTOP_MARGIN_MS)),
          Effect.zipRight(poller.stop)
        )
      )
      yield* Effect.logInfo("fill-tracker running").pipe(
        Effect.annotateLogs({
          // A PostgreSQL URL may carry a password: never log it.
          database: config.database.replace(/\/\/([^:/@]*):[^@/]*@/, "//$1:***@"),
          intervalMs: options.intervalMs,
          healthPort: port,
          poller: options.lease?.pollerId ?? "",
          shards: options.lease?.shards ?? 0
        })
      )
      return yield* Effect.never
    })
  ).pipe(
    Effect.provide(appLayer(config, {}, { quickCheckMillis: QUICK_CHECK_MILLIS })),
    Effect.provide(loggingLayer(config))
  )

export const runCommand = Command.make(
  "run",
  {
    settings: settingsOptions([
      "database",
      "pollingInterval",
      "pollingMaxJitter",
      "pollConcurrency",
      "pollerId",
      "pollerShards",
      "appKey",
      "appSecret",
      "redirectUri",
      "baseUrl",
      "tokenUrl",
      "authorizeUrl",
      "accounts",
      "tokenKey",
      "rateLimit",
      "orderEntryPerDay",
      "maxResponseBytes",
      "requestTimeout",
      "priceBand",
      "healthPort",
      "logLevel",
      "logFormat",
      "shutdownGrace",
      "freshPollOffsets",
      "replacementSearch",
      "orderTag",
      "untrackedLookback",
      "intentWindow",
      "streaming",
      "streamerMaxFrameBytes"
    ])
  },
  (args) => Effect.flatMap(resolve(args.settings, ["appKey", "appSecret", "tokenKey"]), runService)
).pipe(Command.withDescription("Run the poller and the health endpoint until SIGINT or SIGTERM"))
