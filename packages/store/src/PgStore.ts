/**
 * The PostgreSQL store: one layer that connects a pool (`@effect/sql-pg`), runs the same
 * migrations as SQLite and provides every store service (and the `SqlClient`).
 *
 * Choose it when several processes (pollers, bots, a dashboard) share one store, or the
 * events must live on a database server with its own backups and replication. Appends are
 * serialised database-wide by an advisory lock so readers paging by position never skip an
 * event (see `internal/ordering.ts` and the README for the throughput cost).
 *
 * The URL is held `Redacted`: it is never logged or copied into an error.
 *
 * @since 0.1.0
 */
import * as Reactivity from "@effect/experimental/Reactivity"
import type { MigrationError } from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { StoreError, type StoreRefused } from "./errors.js"
import type * as Replay from "./Replay.js"
import { type StoreServices, storeServices } from "./StoreServices.js"

/** @since 0.1.0 @category models */
export interface PgStoreOptions {
  /** `postgres://user:password@host:port/database`; a plain string is wrapped in `Redacted`. */
  readonly url: Redacted.Redacted<string> | string
  /** Pool size (default 10). Appends are serialised anyway; reads and queries use the rest. */
  readonly maxConnections?: number
  /** How long to wait for the first connection (default 10 s). */
  readonly connectTimeoutMillis?: number
  /** Page size and row cache of `Replay`. */
  readonly replay?: Replay.ReplayOptions
}

const client = (options: PgStoreOptions): Layer.Layer<SqlClient.SqlClient, StoreError> =>
  Layer.scopedContext(
    Effect.gen(function* () {
      const url = typeof options.url === "string" ? Redacted.make(options.url) : options.url
      const sql = yield* PgClient.make({
        url,
        maxConnections: options.maxConnections ?? 10,
        connectTimeout: Duration.millis(options.connectTimeoutMillis ?? 10_000),
        applicationName: "fill-tracker"
      }).pipe(
        // The driver's message names host and port at most, never the password; the URL stays out.
        Effect.mapError(
          (cause) => new StoreError({ reason: "Open", detail: "could not connect to PostgreSQL", cause })
        )
      )
      return Context.make(SqlClient.SqlClient, sql)
    })
  ).pipe(Layer.provide(Reactivity.layer))

/**
 * Connects to the database, migrates it and provides the store services.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: PgStoreOptions
): Layer.Layer<StoreServices | SqlClient.SqlClient, StoreError | StoreRefused | SqlError | MigrationError> =>
  storeServices({ ...(options.replay === undefined ? {} : { replay: options.replay }) }).pipe(
    Layer.provideMerge(client(options))
  )
