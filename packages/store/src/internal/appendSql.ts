/**
 * The append's statements, compiled once per store for its dialect.
 *
 * Why: `append` is the store's hottest path. Building each `Statement` and compiling it on
 * every call (the read-model upsert alone quotes and joins 24 column names twice) cost
 * about 8 µs per one-event append, and the fresh 700-character text was then hashed again
 * by the driver's prepared-statement cache. The texts here come from the same statement
 * builders the rest of the store uses, compiled by the client's own compiler (`?` on
 * SQLite, `$n` on PostgreSQL), so the SQL is the same; only the compiling is done once.
 * A statement's parameters are passed in the order its builder takes them.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { ExecutionId } from "@fill-tracker/domain"
import {
  insertOrderIdsStatement,
  otherFollowersStatement,
  selectRowsStatement,
  type Tables,
  upsertStatement
} from "./readModel.js"
import { type Columns, columns } from "./rowColumns.js"

/** The columns an append writes into `events`, in the order of each event's parameters. */
export const eventInsertColumns = [
  "stream_id",
  "stream_version",
  "event_type",
  "schema_version",
  "payload",
  "metadata",
  "recorded_at",
  "hash"
] as const

export type EventInsertRow = { readonly [K in (typeof eventInsertColumns)[number]]: unknown }

/** Creates stream `streamId` at `version`; returns no row when the stream exists. */
export const claimNewStatement = (sql: SqlClient.SqlClient, streamId: string, version: number) =>
  sql`INSERT INTO streams (stream_id, version) VALUES (${streamId}, ${version}) ON CONFLICT (stream_id) DO NOTHING RETURNING version`

/** Moves stream `streamId` from `expected` to `next`; returns no row when it is not at `expected`. */
export const claimNextStatement = (
  sql: SqlClient.SqlClient,
  next: number,
  streamId: string,
  expected: number
) =>
  sql`UPDATE streams SET version = ${next} WHERE stream_id = ${streamId} AND version = ${expected} RETURNING version`

export const insertEventsStatement = (sql: SqlClient.SqlClient, rows: ReadonlyArray<EventInsertRow>) =>
  sql<{ position: unknown; stream_version: unknown }>`INSERT INTO events ${sql.insert(
    rows
  )} RETURNING position, stream_version`

/** The hash of one stream version (the link the next event chains to). */
export const selectHashStatement = (sql: SqlClient.SqlClient, streamId: string, version: number) =>
  sql<{
    hash: string | null
  }>`SELECT hash FROM events WHERE stream_id = ${streamId} AND stream_version = ${version}`

export interface AppendSql {
  /** Parameters: stream id, version. */
  readonly claimNew: string
  /** Parameters: next version, stream id, expected version. */
  readonly claimNext: string
  /** `rows` events; parameters: `eventInsertColumns` of each event in turn. */
  readonly insertEvents: (rows: number) => string
  /** The hash of the stream's event at a version; parameters: stream id, version. */
  readonly selectHash: string
  /** The row of one execution; parameter: execution id. */
  readonly selectRow: string
  /** Inserts or replaces one row; parameters: `rowParams`. */
  readonly upsertRow: string
  /** `rows` pairs; parameters: order id and execution id of each pair in turn. */
  readonly insertOrderIds: (rows: number) => string
  /** Other executions following any of `ids` order ids; parameters: the order ids, then the execution id. */
  readonly otherFollowers: (ids: number) => string
}

/** A row of `keys` whose values are only placeholders: the compiled text does not depend on them. */
const blankRow = <K extends string>(keys: ReadonlyArray<K>): Record<K, null> =>
  Object.fromEntries(keys.map((k) => [k, null])) as Record<K, null>

/** Texts by row count: appends are mostly a few events, so the common sizes are kept. */
const byRowCount = (compile: (rows: number) => string): ((rows: number) => string) => {
  const texts = new Map<number, string>()
  return (rows) => {
    let text = texts.get(rows)
    if (text === undefined) {
      text = compile(rows)
      if (texts.size < 64) texts.set(rows, text)
    }
    return text
  }
}

export const make = (sql: SqlClient.SqlClient, tables: Tables): AppendSql => {
  const blankEvent = blankRow(eventInsertColumns)
  const blankPair = { order_id: "", execution_id: "" }
  return {
    claimNew: claimNewStatement(sql, "", 0).compile()[0],
    claimNext: claimNextStatement(sql, 0, "", 0).compile()[0],
    insertEvents: byRowCount(
      (rows) =>
        insertEventsStatement(
          sql,
          Array.from({ length: rows }, () => blankEvent)
        ).compile()[0]
    ),
    selectHash: selectHashStatement(sql, "", 0).compile()[0],
    selectRow: selectRowsStatement(sql, tables, ["" as ExecutionId]).compile()[0],
    upsertRow: upsertStatement(sql, tables, [blankRow(columns)]).compile()[0],
    insertOrderIds: byRowCount(
      (rows) =>
        insertOrderIdsStatement(
          sql,
          tables,
          Array.from({ length: rows }, () => blankPair)
        ).compile()[0]
    ),
    otherFollowers: byRowCount(
      (ids) =>
        otherFollowersStatement(
          sql,
          tables,
          "",
          Array.from({ length: ids }, () => "")
        ).compile()[0]
    )
  }
}

/** The parameters of `upsertRow` for one row. */
export const rowParams = (row: Columns): Array<unknown> => columns.map((c) => row[c] ?? null)
