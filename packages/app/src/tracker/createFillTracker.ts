/**
 * The Promise facade for a bot that does not use Effect: one object that owns the
 * database, the Schwab client and the poller.
 *
 * @example
 * const tracker = await createFillTracker({ database: "./fills.db", schwab: { appKey, appSecret, tokenKey } })
 * tracker.onFill((e) => console.log(e.type, e.executionId))
 * await tracker.start()
 * await tracker.recordSubmission({ executionId: "hedge-42", orderId, accountHash, symbol: "AAPL", shares: 10, direction: "BUY" })
 * // ... later
 * await tracker.stop()
 */
import { SchwabAuth } from "@fill-tracker/schwab-client"
import type { ExecutionRow, RecordedEvent } from "@fill-tracker/store"
import { Effect, Fiber, Layer, ManagedRuntime, Option, Stream } from "effect"
import { type AppConfig, resolveConfig } from "../config/AppConfig.js"
import { appLayer, type SchwabTuning } from "../layers.js"
import { loggingLayer } from "../logging.js"
import { startPoller } from "../poller/Poller.js"
import { pollerOptionsFrom } from "../poller/pollerOptions.js"
import type { UntrackedOrder } from "../poller/untracked.js"
import { selectedAccounts } from "./accounts.js"
import { type FillEvent, FillTracker } from "./FillTracker.js"
import type { OrderTermsInput, PlacementInput } from "./Placement.js"
import { runToPromise } from "./runToPromise.js"
import type { SubmissionInput } from "./Submission.js"
import type { SubscribeOptions } from "./subscribe.js"

/** Settings by their environment names' meaning; anything left out takes its default (see README). */
export interface FillTrackerOptions {
  readonly database?: string
  readonly pollingInterval?: string
  readonly pollingMaxJitter?: string
  /** Poll again this long after each submission (default "1500ms,4s"; "" for interval only). */
  readonly freshOrderPollOffsets?: string
  readonly priceSanityBand?: string
  /** Listen to Schwab's account-activity stream to look at a changed order at once (default true). */
  readonly streaming?: boolean
  /** Only poll these accounts, each by hash or plain number (default: all); `start` rejects with InvalidAccount for one Schwab does not know. */
  readonly accounts?: ReadonlyArray<string>
  /** Places, replaces and cancels allowed in any 24 hours, shared through the database (default 1000). */
  readonly orderEntryPerDay?: number
  /** Default `info`; logs go to stderr. */
  readonly logLevel?: "debug" | "info" | "warning" | "error"
  readonly logFormat?: "json" | "pretty"
  readonly schwab: {
    readonly appKey: string
    readonly appSecret: string
    /** 32 bytes, hex or base64: encrypts the stored tokens. */
    readonly tokenKey: string
    readonly redirectUri?: string
    readonly baseUrl?: string
    readonly tokenUrl?: string
    readonly authorizeUrl?: string
  }
  /** Retry and timeout tuning for tests against the sandbox. */
  readonly tuning?: SchwabTuning
}

export interface FillTrackerHandle {
  /** Starts polling. Idempotent. */
  readonly start: () => Promise<void>
  /** Stops polling (the in-flight cycle may finish) and closes the database. */
  readonly stop: () => Promise<void>
  /** Exchanges an authorization code (or the whole redirect URL) for tokens and stores them. */
  readonly authorize: (codeOrRedirectUrl: string) => Promise<void>
  readonly recordSubmission: (input: SubmissionInput) => Promise<ExecutionRow>
  /**
   * Places an order for `executionId` through the tracker: MARKET unless `orderType` says
   * LIMIT (with `price`), STOP (with `stopPrice`) or STOP_LIMIT (both), for `duration`
   * (default DAY) in `session` (default NORMAL). The intent is recorded before the POST,
   * so a crash or a lost answer is resolved from Schwab's order list. Calling it again for
   * the same execution never sends the order again. Bad terms reject with
   * InvalidSubmission naming each field, and nothing is recorded.
   */
  readonly placeOrder: (executionId: string, order: PlacementInput) => Promise<ExecutionRow>
  /** Replaces the followed order with one for `shares` on the terms given (default MARKET, DAY, NORMAL; request recorded first, then `Replaced`). */
  readonly replaceOrder: (
    executionId: string,
    order: OrderTermsInput & { readonly shares: string | number | bigint }
  ) => Promise<ExecutionRow>
  /** Cancels the followed order (request recorded first; the outcome when Schwab reports it). */
  readonly cancelOrder: (executionId: string) => Promise<ExecutionRow>
  /**
   * Starts tracking an order no execution follows (e.g. one placed before a crash), with
   * what it executed so far; rejects with CannotAdopt, InvalidSubmission or
   * OrderAlreadyFollowed and records nothing when it cannot.
   */
  readonly adopt: (
    orderId: string,
    executionId: string,
    options?: { readonly account?: string }
  ) => Promise<ExecutionRow>
  /** This app's orders (by `tag`, entered within `lookbackMs`) that no execution follows, from Schwab's lists. */
  readonly untracked: (options: {
    readonly tag: string
    readonly lookbackMs: number
    readonly account?: string
  }) => Promise<ReadonlyArray<UntrackedOrder>>
  readonly getExecution: (executionId: string) => Promise<ExecutionRow | undefined>
  readonly listOpen: () => Promise<ReadonlyArray<ExecutionRow>>
  /**
   * Calls `handler` for every fill, flag, replacement and terminal event recorded from now
   * on (or from `fromPosition`); returns a function that unsubscribes. A handler that
   * throws is logged and the stream goes on.
   */
  readonly onFill: (
    handler: (event: FillEvent, recorded: RecordedEvent) => void | Promise<void>,
    options?: { readonly fromPosition?: bigint }
  ) => () => void
  /**
   * Durable subscription `name` (checkpoint kept in the database): every fill, flag,
   * replacement and terminal event after the last one `handler` finished, in global order,
   * at least once, across restarts. A handler that throws or rejects is retried with capped
   * backoff, logged and counted, never skipped; later events wait. Returns a function that
   * stops the subscription (the promise settles once it has stopped).
   */
  readonly subscribe: (
    name: string,
    handler: (event: FillEvent, recorded: RecordedEvent) => void | Promise<void>,
    options?: SubscribeOptions
  ) => () => Promise<void>
}

const toConfig = (options: FillTrackerOptions): AppConfig => {
  const flags: Record<string, string | undefined> = {
    database: options.database,
    "order-polling-interval": options.pollingInterval,
    "order-polling-max-jitter": options.pollingMaxJitter,
    "fresh-order-poll-offsets": options.freshOrderPollOffsets,
    "price-sanity-band": options.priceSanityBand,
    "log-level": options.logLevel,
    "log-format": options.logFormat,
    "schwab-app-key": options.schwab.appKey,
    "schwab-app-secret": options.schwab.appSecret,
    "token-key": options.schwab.tokenKey,
    "schwab-redirect-uri": options.schwab.redirectUri,
    "schwab-base-url": options.schwab.baseUrl,
    "schwab-token-url": options.schwab.tokenUrl,
    "schwab-authorize-url": options.schwab.authorizeUrl,
    "health-port": "0",
    accounts: options.accounts === undefined ? undefined : options.accounts.join(","),
    "order-entry-per-day":
      options.orderEntryPerDay === undefined ? undefined : String(options.orderEntryPerDay),
    streaming: options.streaming === undefined ? undefined : options.streaming ? "on" : "off"
  }
  // Library use never reads the process environment: the bot's config is explicit.
  const r = resolveConfig({ flags, env: {} }, ["appKey", "appSecret", "tokenKey"])
  if (!r.ok) throw r.error
  return r.config
}

/**
 * Builds a tracker; throws `InvalidConfig` naming every problem, and rejects with the
 * store's typed error when the database cannot be opened. Every method rejects with the
 * typed error itself (`InvalidSubmission`, `SubmissionConflict`, `StoreError`, the Schwab
 * client's errors, ...), so `instanceof` and `_tag` work.
 */
export const createFillTracker = async (options: FillTrackerOptions): Promise<FillTrackerHandle> => {
  const config = toConfig(options)
  const runtime = ManagedRuntime.make(
    Layer.merge(appLayer(config, options.tuning ?? {}), loggingLayer(config))
  )
  const run = <A, E>(effect: Effect.Effect<A, E, ManagedRuntime.ManagedRuntime.Context<typeof runtime>>) =>
    runToPromise(runtime, effect)
  try {
    await run(Effect.void)
  } catch (e) {
    await runtime.dispose()
    throw e
  }
  let poller: { readonly stop: Effect.Effect<void> } | undefined
  const subscriptions = new Set<Fiber.RuntimeFiber<void, unknown>>()
  const withTracker = <A, E>(f: (t: FillTracker["Type"]) => Effect.Effect<A, E>) =>
    run(Effect.flatMap(FillTracker, f))

  return {
    start: async () => {
      if (poller === undefined)
        poller = await run(
          Effect.flatMap(selectedAccounts(config), (accounts) =>
            startPoller(pollerOptionsFrom(config, accounts))
          )
        )
    },
    stop: async () => {
      if (poller !== undefined) await run(poller.stop)
      poller = undefined
      for (const f of subscriptions) await run(Fiber.interrupt(f))
      subscriptions.clear()
      await runtime.dispose()
    },
    authorize: (code) =>
      run(Effect.asVoid(Effect.flatMap(SchwabAuth.SchwabAuth, (auth) => auth.exchangeCode(code)))),
    recordSubmission: (input) => withTracker((t) => t.recordSubmission(input)),
    placeOrder: (executionId, order) => withTracker((t) => t.placeOrder(executionId, order)),
    replaceOrder: (executionId, order) => withTracker((t) => t.replaceOrder(executionId, order)),
    cancelOrder: (executionId) => withTracker((t) => t.cancelOrder(executionId)),
    adopt: (orderId, executionId, opts = {}) => withTracker((t) => t.adopt(orderId, executionId, opts)),
    untracked: (opts) => withTracker((t) => t.untracked(opts)),
    getExecution: (id) => withTracker((t) => Effect.map(t.getExecution(id), Option.getOrUndefined)),
    listOpen: () => withTracker((t) => t.listOpen()),
    onFill: (handler, opts = {}) => {
      const fiber = runtime.runFork(
        Effect.flatMap(FillTracker, (t) =>
          Effect.gen(function* () {
            // "From now on" means after the newest event at subscription time.
            const fromPosition = opts.fromPosition ?? (yield* t.headPosition)
            return yield* t
              .fills({ fromPosition })
              .pipe(
                Stream.runForEach(({ event, ...recorded }) =>
                  Effect.tryPromise(async () => handler(event, { event, ...recorded })).pipe(
                    Effect.catchAll((e) => Effect.logError("onFill handler failed", e))
                  )
                )
              )
          })
        )
      )
      subscriptions.add(fiber)
      return () => {
        subscriptions.delete(fiber)
        runtime.runFork(Fiber.interrupt(fiber))
      }
    },
    subscribe: (name, handler, opts = {}) => {
      const fiber = runtime.runFork(
        Effect.flatMap(FillTracker, (t) =>
          t.subscribe(
            name,
            (event, recorded) => Effect.tryPromise(async () => handler(event, recorded)),
            opts
          )
        )
      )
      subscriptions.add(fiber)
      return async () => {
        subscriptions.delete(fiber)
        await run(Fiber.interrupt(fiber))
      }
    }
  }
}
