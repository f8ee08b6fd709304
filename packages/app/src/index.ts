/**
 * @fill-tracker/app — the poller service, its CLI, and the library surface for a bot.
 *
 * @since 0.1.0
 */

/** Exact decimals, to read prices and quantities in events. @since 0.1.0 @category models */
export { Decimal } from "@fill-tracker/domain"
/** @since 0.1.0 @category config */
export { type AppConfig, type ConfigProblem, InvalidConfig, resolveConfig } from "./config/AppConfig.js"
/** @since 0.1.0 @category config */
export { settings } from "./config/settings.js"
/** Checks other parts add to `/health` (problems degrade it, warnings are listed). @since 0.2.0 @category health */
export { HealthChecks, type HealthChecksRegistry, type HealthSignal } from "./health/HealthChecks.js"
/** @since 0.1.0 @category health */
export { currentHealth, type HealthOptions, serveHealth } from "./health/HealthServer.js"
/** The pure `/health` report and its inputs. @since 0.2.0 @category health */
export {
  type HealthReport,
  type HealthState,
  healthReport,
  type TokenExpiries
} from "./health/healthReport.js"
/** @since 0.1.0 @category health */
export { Metrics } from "./health/Metrics.js"
/** Layers wiring store, client and app services. @since 0.1.0 @category layers */
export { appLayer, schwabLayer, tokenStoreLayer } from "./layers.js"
/** @since 0.1.0 @category poller */
export { type PollerOptions, runCycleOnce, startPoller } from "./poller/Poller.js"
/** @since 0.1.0 @category poller */
export { type CycleReport, pollCycle } from "./poller/pollCycle.js"
/** The poller's options from the app config (what `run` and `createFillTracker` start it with). @since 0.1.0 @category poller */
export { pollerOptionsFrom } from "./poller/pollerOptions.js"
/** An order carrying this app's tag that no execution follows. @since 0.2.0 @category models */
export type { UntrackedOptions, UntrackedOrder } from "./poller/untracked.js"
/** An account that is neither a known hash nor a known plain number. @since 0.2.0 @category errors */
export { InvalidAccount, maskAccountNumber } from "./tracker/accounts.js"
/** Adopting an untracked order: why it can be refused. @since 0.2.0 @category errors */
export { CannotAdopt } from "./tracker/adopt.js"
/** Promise facade for bots that do not use Effect. @since 0.1.0 @category constructors */
export {
  createFillTracker,
  type FillTrackerHandle,
  type FillTrackerOptions
} from "./tracker/createFillTracker.js"
/** The Effect service: place, replace, cancel, record, read, follow. @since 0.1.0 @category services */
export {
  ExecutionNotWorking,
  type FillEvent,
  FillTracker,
  PlacementUnavailable,
  RequestUnresolved,
  SubmissionConflict
} from "./tracker/FillTracker.js"
/** What a bot asks the tracker to place (`placeOrder`), and the order terms a replace may give. @since 0.4.0 @category models */
export type { OrderTermsInput, PlacementInput } from "./tracker/Placement.js"
/** @since 0.1.0 @category models */
export { InvalidSubmission, type SubmissionInput } from "./tracker/Submission.js"
/** Durable subscription options and handler type (checkpointed, retried, never skipped). @since 0.1.0 @category services */
export { runSubscription, type SubscribeOptions, type SubscriptionHandler } from "./tracker/subscribe.js"
