/** Classifying driver failures once, where the SQL is run. */
import type { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import { StoreError } from "../errors.js"

const codeOf = (e: SqlError): string => {
  const cause = e.cause as { code?: unknown } | undefined
  return typeof cause?.code === "string" ? cause.code : ""
}

/** SQLite answers SQLITE_BUSY / SQLITE_LOCKED when another connection held the lock past the busy timeout. */
export const isBusy = (e: SqlError): boolean => /^SQLITE_(BUSY|LOCKED)/.test(codeOf(e))

/** SQLite SQLITE_CONSTRAINT_* or a PostgreSQL class 23 integrity violation. */
export const isConstraint = (e: SqlError): boolean => /^(SQLITE_CONSTRAINT|23)/.test(codeOf(e))

/**
 * PostgreSQL unique violation (23505) on the stream's key or its (stream, version) pair:
 * another append claimed the same version first.
 */
export const isConcurrentClaim = (e: SqlError): boolean => {
  const cause = e.cause as { code?: unknown; constraint?: unknown } | undefined
  return (
    cause?.code === "23505" &&
    (cause.constraint === "streams_pkey" || cause.constraint === "events_stream_id_stream_version_key")
  )
}

export const toStoreError =
  (what: string) =>
  (e: SqlError): StoreError => {
    const reason = isBusy(e) ? "Busy" : isConstraint(e) ? "Constraint" : "Sql"
    const driver = e.cause instanceof Error ? `: ${e.cause.message}` : ""
    return new StoreError({ reason, detail: `${what} failed${driver}`, cause: e })
  }

/** Maps the `SqlError` channel of an effect to `StoreError`, leaving other errors alone. */
export const orStoreError =
  (what: string) =>
  <A, E, R>(
    self: Effect.Effect<A, E | SqlError, R>
  ): Effect.Effect<A, Exclude<E, SqlError> | StoreError, R> =>
    Effect.catchIf(
      self,
      (e): e is SqlError => (e as { _tag?: unknown })._tag === "SqlError",
      (e) => Effect.fail(toStoreError(what)(e))
    ) as Effect.Effect<A, Exclude<E, SqlError> | StoreError, R>
