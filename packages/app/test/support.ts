/**
 * What the end-to-end tests share: a sandbox on a manual clock set to the wall clock (so
 * the poller's list window, which reads the real time, covers the orders it enters), an
 * app config pointing at it, the app layer with small retry delays, and cycle options.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { AccountHash } from "@fill-tracker/domain"
import { Decimal } from "@fill-tracker/domain"
import { SchwabAuth } from "@fill-tracker/schwab-client"
import { manualClock, type Sandbox, type SandboxOptions, startSandbox } from "@fill-tracker/schwab-sandbox"
import { Duration, Effect, HashMap, Layer, Logger, LogLevel, Redacted, type Scope } from "effect"
import type { AppConfig } from "../src/config/AppConfig.js"
import { appLayer, type SchwabTuning } from "../src/layers.js"
import { loggingLayer } from "../src/logging.js"
import type { PollerOptions } from "../src/poller/Poller.js"

export const tempDir = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `ft-app-${name}-`))

/** A sandbox whose manual clock starts at the wall clock's now. */
export const manualSandbox = (options: Omit<SandboxOptions, "clock"> = {}) =>
  startSandbox({ seed: 11, ...options, clock: manualClock(Date.now()) })

export const testConfig = (
  sandbox: Sandbox,
  database: string,
  overrides: Partial<AppConfig> = {}
): AppConfig => ({
  database,
  pollingInterval: 100,
  pollingMaxJitter: 0,
  pollConcurrency: 8,
  appKey: Redacted.make(sandbox.appKey),
  appSecret: Redacted.make(sandbox.appSecret),
  redirectUri: "https://127.0.0.1",
  baseUrl: sandbox.baseUrl,
  tokenUrl: sandbox.tokenUrl,
  authorizeUrl: sandbox.authorizeUrl,
  accounts: [],
  tokenKey: Redacted.make("11".repeat(32)),
  rateLimit: 100_000,
  // Far past what a loopback answer needs on a loaded machine: no test here waits for a timeout.
  requestTimeout: 30_000,
  priceBand: "0.05",
  healthPort: 0,
  logLevel: "error",
  logFormat: "json",
  shutdownGrace: 2_000,
  ...overrides
})

/** The real app graph with retries fast enough for tests (and any other tuning a test needs). */
export const testLayer = (config: AppConfig, tuning: SchwabTuning = {}) =>
  Layer.merge(
    appLayer(config, {
      retry: { baseDelay: Duration.millis(5), maxDelay: Duration.millis(20), maxAttempts: 2 },
      ...tuning
    }),
    loggingLayer(config)
  )

/** Runs a program against the real app graph (built once for this run, closed after it). */
export const runApp = <A, E>(
  config: AppConfig,
  program: Effect.Effect<A, E, Layer.Layer.Success<ReturnType<typeof testLayer>> | Scope.Scope>,
  tuning: SchwabTuning = {}
): Promise<A> =>
  // The program's finalizers (a poller's stop, say) run before the graph's store closes.
  Effect.runPromise(Effect.provide(Effect.scoped(program), testLayer(config, tuning)))

/** Exchanges a fresh authorization code, as `auth login` does. */
export const authorize = (sandbox: Sandbox) =>
  Effect.flatMap(SchwabAuth.SchwabAuth, (auth) => auth.exchangeCode(sandbox.issueAuthorizationCode()))

export const cycleOptions = (overrides: Partial<PollerOptions> = {}): PollerOptions => ({
  intervalMs: 100,
  maxJitterMs: 0,
  cycleTimeoutMs: 30_000,
  graceMs: 2_000,
  concurrency: 8,
  priceBand: Decimal.make(5n, 2),
  accounts: [],
  ...overrides
})

export const accountOf = (sandbox: Sandbox, i = 0): AccountHash =>
  sandbox.accounts[i]!.hashValue as AccountHash

/** Requests of one route name since the last reset. */
export const requestsNamed = (sandbox: Sandbox, name: string) =>
  sandbox.requests().filter((r) => r.name === name)

/** Runs `program` collecting the message and annotations of every log line. */
export const withLogs = <A, E, R>(program: Effect.Effect<A, E, R>) => {
  const lines: Array<{ message: string; orderId: unknown }> = []
  const logger = Logger.make(({ message, annotations }) => {
    lines.push({
      message: String(Array.isArray(message) ? message[0] : message),
      orderId:
        HashMap.get(annotations, "orderId")._tag === "Some"
          ? HashMap.unsafeGet(annotations, "orderId")
          : undefined
    })
  })
  return Effect.map(
    Effect.provide(program.pipe(Logger.withMinimumLogLevel(LogLevel.Warning)), Logger.add(logger)),
    (a) => ({
      a,
      lines
    })
  )
}
