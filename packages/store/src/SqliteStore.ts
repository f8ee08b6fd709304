/**
 * The embedded SQLite store: one layer that opens the file, sets it up, runs the
 * migrations and provides every store service (and the `SqlClient`).
 *
 * Connection settings (per connection, before anything else runs):
 * - `journal_mode = WAL` (set by `@effect/sql-sqlite-node`): readers never block the writer.
 * - `synchronous = NORMAL` by default: in WAL mode a commit is in the WAL file, in the OS
 *   page cache, before `append` returns, so a killed or crashed process never loses a
 *   committed append. A power loss or OS crash can lose the last commits not yet synced
 *   (never corrupt the file). `synchronous: "FULL"` fsyncs the WAL on every commit and
 *   survives power loss, at a cost per append (see README).
 * - `busy_timeout` (default 5000 ms): another process holding the write lock is waited for.
 * - `foreign_keys = ON`: events reference their stream, order ids their execution.
 *
 * @since 0.1.0
 */

import * as fs from "node:fs"
import * as Reactivity from "@effect/experimental/Reactivity"
import type { MigrationError } from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { StoreError, StoreRefused } from "./errors.js"
import { isCorruptionCode, quickCheck } from "./internal/quickCheck.js"
import * as LeanSqlite from "./internal/sqliteClient.js"
import type * as Replay from "./Replay.js"
import { type StoreServices, storeServices } from "./StoreServices.js"

/** @since 0.1.0 @category models */
export interface SqliteStoreOptions {
  readonly filename: string
  /** `NORMAL` (default: survives a killed process) or `FULL` (also survives power loss). */
  readonly synchronous?: "NORMAL" | "FULL"
  /** How long to wait for another connection's write lock before failing busy (default 5000). */
  readonly busyTimeoutMillis?: number
  /**
   * `sqlite-node` (default): the stock `@effect/sql-sqlite-node` client, the stack this
   * project is built on. `lean`: the store's own better-sqlite3 connection built with
   * `@effect/sql` (plain prepared-statement map, `BEGIN IMMEDIATE`), about 15 µs less per
   * statement (see README) for a bot that appends at very high rates.
   */
  readonly driver?: "lean" | "sqlite-node"
  /** Page size and row cache of `Replay`. */
  readonly replay?: Replay.ReplayOptions
  /**
   * Refuse (`StoreRefused` `MissingFile`) instead of creating the file when it does not
   * exist: for commands that only read, where a typo must not leave an empty database.
   */
  readonly mustExist?: boolean
  /**
   * Run SQLite's `quick_check` before the migrations, waiting at most this long for it
   * (default: not run). Damage found fails the layer with `StoreRefused` (`Corrupt`).
   */
  readonly quickCheckMillis?: number
}

/** A file name SQLite opens as a file (not `:memory:`, not a `file:` URI). */
const isPlainFile = (filename: string): boolean => filename !== ":memory:" && !filename.startsWith("file:")

/** The driver's code of an error (better-sqlite3 puts it on the SqliteError), wrapped or not. */
const sqliteCode = (cause: unknown): string => {
  const direct = (cause as { code?: unknown } | undefined)?.code
  if (typeof direct === "string") return direct
  const inner = (cause as { cause?: { code?: unknown } } | undefined)?.cause?.code
  return typeof inner === "string" ? inner : ""
}

const client = (
  options: SqliteStoreOptions
): Layer.Layer<SqlClient.SqlClient, StoreError | StoreRefused | SqlError> =>
  Layer.scopedContext(
    Effect.gen(function* () {
      if (options.mustExist === true && isPlainFile(options.filename) && !fs.existsSync(options.filename))
        return yield* new StoreRefused({
          reason: "MissingFile",
          detail:
            "the SQLite file does not exist (a command that only reads does not create it): check --database"
        })
      const opened: Effect.Effect<SqlClient.SqlClient, unknown, Scope.Scope | Reactivity.Reactivity> =
        options.driver !== "lean"
          ? // better-sqlite3 throws from its constructor (missing directory, not a database).
            Effect.catchAllDefect(SqliteClient.make({ filename: options.filename }), Effect.fail)
          : LeanSqlite.make({ filename: options.filename })
      const refusal = (cause: unknown) =>
        isCorruptionCode(sqliteCode(cause))
          ? new StoreRefused({
              reason: "Corrupt",
              detail: "the SQLite file is damaged or not a database",
              cause
            })
          : undefined
      const sql = yield* Effect.mapError(
        opened,
        (cause) =>
          refusal(cause) ??
          new StoreError({ reason: "Open", detail: "could not open the SQLite file", cause })
      )
      const busy = Math.max(0, Math.floor(options.busyTimeoutMillis ?? 5_000))
      // PRAGMAs take no bound parameters; both values are checked above.
      yield* Effect.mapError(
        Effect.all([
          sql.unsafe(`PRAGMA busy_timeout = ${busy}`),
          sql.unsafe(`PRAGMA synchronous = ${options.synchronous === "FULL" ? "FULL" : "NORMAL"}`),
          sql.unsafe("PRAGMA foreign_keys = ON")
        ]),
        (cause) => refusal(cause) ?? cause
      )
      if (options.quickCheckMillis !== undefined && isPlainFile(options.filename))
        yield* quickCheck(options.filename, options.quickCheckMillis)
      return Context.make(SqlClient.SqlClient, sql)
    })
  ).pipe(Layer.provide(Reactivity.layer))

/**
 * Opens (or creates) the SQLite file, migrates it and provides the store services.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: SqliteStoreOptions
): Layer.Layer<StoreServices | SqlClient.SqlClient, StoreError | StoreRefused | SqlError | MigrationError> =>
  storeServices({ ...(options.replay === undefined ? {} : { replay: options.replay }) }).pipe(
    Layer.provideMerge(client(options))
  )
