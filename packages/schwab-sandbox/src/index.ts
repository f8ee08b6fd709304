/**
 * The Schwab sandbox: a real HTTP server on 127.0.0.1 that speaks the Trader API
 * and its OAuth endpoints, with scripted order lifecycles, injectable faults, a
 * controllable clock and a seed. Tests and the demo run the real client against it.
 *
 * @example
 * import { fillsInLegs, startSandbox } from "@fill-tracker/schwab-sandbox"
 *
 * const sandbox = await startSandbox({ seed: 7 })
 * const [account] = sandbox.accounts
 * const orderId = sandbox.seedOrder(account!.hashValue, { symbol: "AAPL", quantity: 3 }, fillsInLegs(3, 1_000))
 * sandbox.advance(5_000)
 * sandbox.truth(orderId).status // "FILLED"
 * await sandbox.close()
 *
 * @since 0.1.0
 */

/** @since 0.1.0 @category streamer */
export type { ActivityMessage } from "./ActivityMessages.js"
/** @since 0.1.0 @category clocks */
export {
  DEFAULT_START,
  type ManualClock,
  manualClock,
  type RealClock,
  realClock,
  type SandboxClock
} from "./Clock.js"
/** @since 0.1.0 @category control */
export { type LifecycleSpec, lifecycleFromSpec } from "./Control.js"
/** @since 0.1.0 @category streamer */
export { easternDateTime } from "./easternTime.js"
/** @since 0.1.0 @category faults */
export { type FaultEvent, FaultListeners } from "./FaultEvents.js"
/** @since 0.1.0 @category faults */
export type {
  ActiveFault,
  FaultHandle,
  FaultKind,
  FaultRoute,
  FaultSpec,
  Faults,
  FaultTable,
  Firing,
  RouteName
} from "./Faults.js"
/** @since 0.1.0 @category json */
export { type JsonValue, RawNumber, raw, renderJson } from "./JsonText.js"
/** @since 0.1.0 @category lifecycles */
export {
  type Execution,
  expire,
  fillInOneActivity,
  fillsInLegs,
  immediateFill,
  type Lifecycle,
  type LifecycleOrder,
  lifecycle,
  type OpenStatus,
  partialThenCancel,
  reject,
  replace,
  type Step,
  seededPrice,
  working
} from "./Lifecycle.js"
/** @since 0.1.0 @category query */
export { MAX_WINDOW_MS, parseQueryTime } from "./ListQuery.js"
/** @since 0.1.0 @category oauth */
export type { IssuedTokens } from "./OAuth.js"
/** @since 0.1.0 @category models */
export { type Account, FIRST_ORDER_ID, type OrderSpec, type Placement } from "./OrderBook.js"
/** @since 0.1.0 @category random */
export { makeRandom, type Random } from "./Random.js"
/** @since 0.1.0 @category request log */
export type { RequestRecord } from "./RequestLog.js"
/** @since 0.1.0 @category rendering */
export { schwabTime } from "./renderOrder.js"
/** @since 0.1.0 @category streamer */
export { streamAmount } from "./StreamAmount.js"
/** @since 0.1.0 @category streamer */
export type {
  SandboxStreamer,
  StreamerConnection,
  StreamerInfo,
  StreamerOptions,
  StreamerStats
} from "./Streamer.js"
/** @since 0.1.0 @category streamer */
export type { StreamFaultKind, StreamFaultSpec, StreamFaults, UnknownVariant } from "./StreamerFaults.js"
/** @since 0.1.0 @category constructors */
export {
  type OutsideReplace,
  type Sandbox,
  type SandboxOptions,
  type SeedOrder,
  startSandbox
} from "./server.js"
/** @since 0.1.0 @category truth */
export type { FillTruth, OrderTruth } from "./truth.js"
