/**
 * Gap-free global order on PostgreSQL: every append takes one transaction-scoped advisory
 * lock before it draws a position, so appends commit one at a time, in position order.
 *
 * Why: an identity value is drawn when the row is inserted but becomes visible only at
 * commit. With two appends in flight, position 11 can commit before 10; a reader paging
 * `position >= 10` after seeing 11 would step over 10 for good. Holding one lock from before
 * the position is drawn until after the commit is visible (PostgreSQL makes a commit visible
 * before it releases the transaction's locks) means every position a reader sees has all
 * lower positions already committed or rolled back (a rolled-back position is a permanent
 * hole, never filled later).
 *
 * The cost: appends to the whole database are serialised, so throughput is bounded by one
 * append transaction's latency (round trips plus the commit's WAL flush) — see README.
 * On SQLite the lock is a no-op: SQLite already has a single writer.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import { type Exec, viaClient } from "./readModel.js"

/** The advisory lock key of appends (an arbitrary constant: "fill-tracker appends"). */
export const appendLockKey = "7311620950291316339"

/** Takes the append lock until the end of the current transaction (PostgreSQL only). */
export const appendLock = (sql: SqlClient.SqlClient, exec: Exec = viaClient): Effect.Effect<void, SqlError> =>
  sql.onDialectOrElse({
    pg: () => Effect.asVoid(exec(sql`SELECT pg_advisory_xact_lock(${sql.literal(appendLockKey)})`)),
    orElse: () => Effect.void
  })
