/**
 * The store's services over any `SqlClient`: migrations first, then every service. Each
 * backend layer (SQLite now, PostgreSQL next) provides a client and reuses this, so a new
 * service is added in one place and every backend has it.
 *
 * @since 0.1.0
 */
import type { MigrationError } from "@effect/sql/Migrator"
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Layer from "effect/Layer"
import * as Checkpoints from "./Checkpoints.js"
import * as EventStore from "./EventStore.js"
import * as Executions from "./Executions.js"
import type { StoreRefused } from "./errors.js"
import { migrate } from "./internal/migrations.js"
import * as LearnedFacts from "./LearnedFacts.js"
import * as Leases from "./Leases.js"
import * as Ledger from "./Ledger.js"
import * as Replay from "./Replay.js"
import * as SharedRateLimit from "./SharedRateLimit.js"
import * as TokenBlobStore from "./TokenBlobStore.js"

/** Every service a store layer provides. @since 0.1.0 @category models */
export type StoreServices =
  | Checkpoints.Checkpoints
  | EventStore.EventStore
  | Executions.Executions
  | LearnedFacts.LearnedFacts
  | Leases.Leases
  | Ledger.Ledger
  | SharedRateLimit.SharedRateLimit
  | Replay.Replay
  | TokenBlobStore.TokenBlobStore

/** @since 0.1.0 @category layers */
export const storeServices = (options: {
  readonly replay?: Replay.ReplayOptions
}): Layer.Layer<StoreServices, SqlError | MigrationError | StoreRefused, SqlClient.SqlClient> =>
  Layer.mergeAll(
    Checkpoints.layer,
    EventStore.layer,
    Executions.layer,
    LearnedFacts.layer,
    Leases.layer,
    Ledger.layer,
    SharedRateLimit.layer,
    Layer.effect(Replay.Replay, Replay.make(options.replay)),
    TokenBlobStore.layer
  ).pipe(Layer.provide(Layer.effectDiscard(migrate)))
