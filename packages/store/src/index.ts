/**
 * @fill-tracker/store — the event store, the executions read model, replay and the token
 * blob table, on `@effect/sql` with SQLite as the embedded default.
 *
 * @since 0.1.0
 */

/** Pure projection from recorded events to a read-model row, shared by append and replay. @since 0.1.0 @category projection */
export { applyEvent, failedState, followedOrderIds } from "./applyEvent.js"
/** Durable subscription checkpoints: load, monotonic save, handler writes + advance in one transaction. @since 0.1.0 @category services */
export { Checkpoints, type CheckpointsService } from "./Checkpoints.js"
/** Append (optionally fenced by a poller lease), read a stream, read everything in global order. @since 0.1.0 @category services */
export { type AppendOptions, EventStore, type EventStoreService } from "./EventStore.js"
/** The executions read-model row and its status/state types. @since 0.1.0 @category models */
export {
  type ExecutionRow,
  type ExecutionState,
  executionStates,
  type FlatStatus,
  isOpenRow,
  type LegRow,
  type OpenExecutionRow,
  type RequestState,
  type RowDifference,
  requestStates
} from "./ExecutionRow.js"
/** Queries over the executions read model. @since 0.1.0 @category services */
export { Executions, type ExecutionsFilter, type ExecutionsService } from "./Executions.js"
/** Typed failures: `StoreError`, `ConcurrencyError`, `CorruptEventError`, `OrderAlreadyFollowed`, `StoreRefused` (missing file, newer schema, damage). @since 0.1.0 @category errors */
export {
  ConcurrencyError,
  CorruptEventError,
  OrderAlreadyFollowed,
  StoreError,
  StoreRefused
} from "./errors.js"
/** What pollers learn from Schwab and keep across restarts: entered times, reported untracked orders. @since 0.4.0 @category services */
export { type EnteredTime, LearnedFacts, type LearnedFactsService } from "./LearnedFacts.js"
/** Poller leases over account shards with fencing tokens (`Leases`, `FencedOut`, `shardOf`). @since 0.2.0 @category services */
export {
  type BalanceOptions,
  type Fence,
  FencedOut,
  type Lease,
  type LeaseRow,
  Leases,
  type LeasesService,
  shardOf
} from "./Leases.js"
/** Checks the events themselves (versions, starts, fill keys, totals, hash chain): `Ledger.check`. @since 0.3.0 @category services */
export {
  type Finding,
  type FindingKind,
  Ledger,
  type LedgerOptions,
  type LedgerReport,
  type LedgerService
} from "./Ledger.js"
/** The PostgreSQL layer providing every store service (`PgStore.layer({ url })`). @since 0.1.0 @category layers */
export * as PgStore from "./PgStore.js"
/** An event with its position, version, metadata and time. @since 0.1.0 @category models */
export type { AppendResult, FoldedEvent, RecordedEvent } from "./RecordedEvent.js"
/** Rebuild and verify the read model from the events. @since 0.1.0 @category services */
export { Replay, type ReplayOptions, type ReplayProgress, type ReplayService } from "./Replay.js"
/** The request budget kept in the database and shared by every process. @since 0.2.0 @category services */
export { SharedRateLimit, type SharedRateLimitService } from "./SharedRateLimit.js"
/** The SQLite layer providing every store service. @since 0.1.0 @category layers */
export * as SqliteStore from "./SqliteStore.js"
/** `Store.layerFromUrl(urlOrPath)`: PostgreSQL for a `postgres://` URL, else the SQLite file. @since 0.1.0 @category layers */
export * as Store from "./Store.js"
export { type StoreServices, storeServices } from "./StoreServices.js"
/** The Schwab client's encrypted token blob, opaque to the store. @since 0.1.0 @category services */
export { TokenBlobStore, type TokenBlobStoreService } from "./TokenBlobStore.js"
