/**
 * A transaction on a connection reserved for it, for the store's hottest path (`append`).
 *
 * `sql.withTransaction` is general: a span, a scope, savepoints for nesting, the
 * connection put in the fiber's context. The benchmark measured it at about 27 µs per
 * transaction on SQLite, a quarter of what SQLite itself spends on a one-event append.
 * `append` needs none of that when no transaction is open: it reserves the connection
 * (the same acquirer `withTransaction` uses, so other statements wait for it), runs BEGIN,
 * its statements and COMMIT on it, and ROLLBACK on any failure. Inside a caller's
 * transaction `append` uses `withTransaction` as before (a savepoint in theirs).
 *
 * BEGIN and COMMIT go through `execute`, whose prepared statements the SQLite driver
 * caches (`executeUnprepared`, what `withTransaction` uses, prepares them on every call).
 *
 * The body runs uninterruptibly: its statements are synchronous on SQLite and short round
 * trips on PostgreSQL, and an interruption between them must not skip the ROLLBACK or
 * COMMIT. Waiting for the connection stays interruptible.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type { Connection } from "@effect/sql/SqlConnection"
import type { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"

export const inOwnTransaction = <A, E, R>(
  sql: SqlClient.SqlClient,
  begin: string,
  body: (conn: Connection) => Effect.Effect<A, E, R>
): Effect.Effect<A, E | SqlError, R> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.scoped(
      Effect.flatMap(restore(sql.reserve), (conn) =>
        Effect.flatMap(conn.execute(begin, [], undefined), () =>
          Effect.flatMap(
            Effect.exit(body(conn)),
            (exit): Effect.Effect<A, E | SqlError, R> =>
              Exit.isSuccess(exit)
                ? Effect.as(
                    Effect.tapError(conn.execute("COMMIT", [], undefined), () => rollback(conn)),
                    exit.value
                  )
                : Effect.zipRight(rollback(conn), exit)
          )
        )
      )
    )
  )

/** A failed ROLLBACK leaves nothing to undo (SQLite and PostgreSQL end the transaction). */
const rollback = (conn: Connection) => Effect.ignore(conn.execute("ROLLBACK", [], undefined))

/** Whether the fiber is inside a `sql.withTransaction` (then `append` joins it). */
export const inTransaction: Effect.Effect<boolean> = Effect.map(
  Effect.serviceOption(SqlClient.TransactionConnection),
  (o) => o._tag === "Some"
)
