/**
 * Choosing the backend from one configuration value: a `postgres://` or `postgresql://`
 * URL selects PostgreSQL, anything else is the path of the SQLite file (the default).
 *
 * @since 0.1.0
 */
import type { MigrationError } from "@effect/sql/Migrator"
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import type * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type { StoreError, StoreRefused } from "./errors.js"
import * as PgStore from "./PgStore.js"
import type * as Replay from "./Replay.js"
import * as SqliteStore from "./SqliteStore.js"
import type { StoreServices } from "./StoreServices.js"

/** True for a PostgreSQL connection URL. @since 0.1.0 @category predicates */
export const isPostgresUrl = (urlOrPath: string): boolean => /^postgres(ql)?:\/\//i.test(urlOrPath.trim())

/**
 * The PostgreSQL layer for a `postgres://` URL, else the SQLite layer on that file.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFromUrl = (
  urlOrPath: string | Redacted.Redacted<string>,
  options: {
    readonly replay?: Replay.ReplayOptions
    /** SQLite only: see `SqliteStoreOptions.mustExist` and `quickCheckMillis`. */
    readonly mustExist?: boolean
    readonly quickCheckMillis?: number
  } = {}
): Layer.Layer<
  StoreServices | SqlClient.SqlClient,
  StoreError | StoreRefused | SqlError | MigrationError
> => {
  const value = typeof urlOrPath === "string" ? urlOrPath : Redacted.value(urlOrPath)
  const replay = options.replay === undefined ? {} : { replay: options.replay }
  return isPostgresUrl(value)
    ? PgStore.layer({ url: typeof urlOrPath === "string" ? Redacted.make(urlOrPath) : urlOrPath, ...replay })
    : SqliteStore.layer({
        filename: value,
        ...replay,
        ...(options.mustExist === undefined ? {} : { mustExist: options.mustExist }),
        ...(options.quickCheckMillis === undefined ? {} : { quickCheckMillis: options.quickCheckMillis })
      })
}
