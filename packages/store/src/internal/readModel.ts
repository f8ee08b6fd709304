/**
 * Reads and writes of the executions tables, parameterised by table so `append` (live
 * tables) and `Replay` (scratch tables) share the same SQL.
 */

import type * as SqlClient from "@effect/sql/SqlClient"
import type { Connection } from "@effect/sql/SqlConnection"
import type { SqlError } from "@effect/sql/SqlError"
import type * as Statement from "@effect/sql/Statement"
import type { ExecutionId } from "@fill-tracker/domain"
import * as Effect from "effect/Effect"
import type { ExecutionRow } from "../ExecutionRow.js"
import { StoreError } from "../errors.js"
import { BadColumn, type Columns, columns, fromColumns, toColumns } from "./rowColumns.js"

/**
 * Runs a statement. `direct` runs it on a connection already held (inside a transaction)
 * without the per-statement span and connection lookup of a `Statement` run on its own,
 * which the benchmark measured at most of an append's cost; the SQL is the same.
 */
export type Exec = <A extends object>(
  statement: Statement.Statement<A>
) => Effect.Effect<ReadonlyArray<A>, SqlError>

export const viaClient: Exec = (statement) => statement

export const direct =
  (conn: Connection): Exec =>
  <A extends object>(statement: Statement.Statement<A>) => {
    const [query, params] = statement.compile()
    return conn.execute(query, params, undefined) as Effect.Effect<ReadonlyArray<A>, SqlError>
  }

export interface Tables {
  readonly executions: string
  readonly orders: string
}

const selectList = columns.join(", ")
const updateList = columns
  .filter((c) => c !== "execution_id")
  .map((c) => `${c} = excluded.${c}`)
  .join(", ")
/** SQLite's default limit is 32766 bound parameters; stay well below it (and below PostgreSQL's 65535). */
export const rowsPerStatement = Math.floor(30_000 / columns.length)

export const decodeRows = (
  raws: ReadonlyArray<Readonly<Record<string, unknown>>>
): Effect.Effect<Array<ExecutionRow>, StoreError> =>
  Effect.try({
    try: () => raws.map(fromColumns),
    catch: (cause) =>
      new StoreError({
        reason: "CorruptRow",
        detail: cause instanceof BadColumn ? cause.message : "read-model row did not decode",
        cause
      })
  })

/** The rows of `ids` (in no particular order). */
export const selectRowsStatement = (
  sql: SqlClient.SqlClient,
  tables: Tables,
  ids: ReadonlyArray<ExecutionId>
) =>
  sql<
    Record<string, unknown>
  >`SELECT ${sql.literal(selectList)} FROM ${sql(tables.executions)} WHERE ${sql.in("execution_id", ids)}`

export const loadRows = (
  sql: SqlClient.SqlClient,
  tables: Tables,
  ids: ReadonlyArray<ExecutionId>,
  exec: Exec = viaClient
): Effect.Effect<Array<ExecutionRow>, StoreError | SqlError> =>
  ids.length === 0
    ? Effect.succeed([])
    : Effect.flatMap(exec(selectRowsStatement(sql, tables, ids)), decodeRows)

/** Inserts or replaces whole rows, given as their columns (`toColumns`). */
export const upsertStatement = (sql: SqlClient.SqlClient, tables: Tables, rows: ReadonlyArray<Columns>) =>
  sql`INSERT INTO ${sql(tables.executions)} ${sql.insert(rows)} ON CONFLICT (execution_id) DO UPDATE SET ${sql.literal(updateList)}`

/**
 * `ON CONFLICT (execution_id) DO UPDATE` of every column, only where the row differs (an
 * identical row is not written). `table` names the target; new values are `excluded`.
 */
export const updateWhereChanged = (table: string): string =>
  `ON CONFLICT (execution_id) DO UPDATE SET ${updateList} WHERE ${columns
    .filter((c) => c !== "execution_id")
    .map((c) => `${table}.${c} IS DISTINCT FROM excluded.${c}`)
    .join(" OR ")}`

/** Inserts rows, overwriting only those that differ from the stored ones. */
export const upsertChangedRows = (
  sql: SqlClient.SqlClient,
  tables: Tables,
  rows: ReadonlyArray<ExecutionRow>
): Effect.Effect<void, SqlError> =>
  Effect.forEach(
    chunks(rows, rowsPerStatement),
    (chunk) =>
      sql`INSERT INTO ${sql(tables.executions)} ${sql.insert(chunk.map(toColumns))} ${sql.literal(
        updateWhereChanged(tables.executions)
      )}`,
    { discard: true }
  )

/** Inserts or replaces whole rows (portable `ON CONFLICT ... DO UPDATE`, SQLite 3.24+ and PostgreSQL). */
export const upsertRows = (
  sql: SqlClient.SqlClient,
  tables: Tables,
  rows: ReadonlyArray<ExecutionRow>,
  exec: Exec = viaClient
): Effect.Effect<void, SqlError> =>
  Effect.forEach(
    chunks(rows, rowsPerStatement),
    (chunk) => exec(upsertStatement(sql, tables, chunk.map(toColumns))),
    { discard: true }
  )

export type OrderIdPair = { readonly order_id: string; readonly execution_id: string }

/** Which other executions follow any of `orderIds` (one row per pair). */
export const otherFollowersStatement = (
  sql: SqlClient.SqlClient,
  tables: Tables,
  executionId: string,
  orderIds: ReadonlyArray<string>
) =>
  sql<{
    order_id: string
    execution_id: string
  }>`SELECT order_id, execution_id FROM ${sql(tables.orders)} WHERE ${sql.in(
    "order_id",
    orderIds
  )} AND execution_id <> ${executionId} ORDER BY order_id, execution_id`

/** Makes executions findable by order id; a pair already recorded is left alone. */
export const insertOrderIdsStatement = (
  sql: SqlClient.SqlClient,
  tables: Tables,
  pairs: ReadonlyArray<OrderIdPair>
) => sql`INSERT INTO ${sql(tables.orders)} ${sql.insert(pairs)} ON CONFLICT DO NOTHING`

export const insertOrderIds = (
  sql: SqlClient.SqlClient,
  tables: Tables,
  pairs: ReadonlyArray<OrderIdPair>,
  exec: Exec = viaClient
): Effect.Effect<void, SqlError> =>
  Effect.forEach(chunks(pairs, 10_000), (chunk) => exec(insertOrderIdsStatement(sql, tables, chunk)), {
    discard: true
  })

export const chunks = <A>(as: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  if (as.length <= size) return as.length === 0 ? [] : [as]
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < as.length; i += size) out.push(as.slice(i, i + size))
  return out
}
