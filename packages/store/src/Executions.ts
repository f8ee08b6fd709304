/**
 * Queries over the executions read model (kept inline by `EventStore.append`).
 *
 * @since 0.1.0
 */

import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import type { ExecutionId, OrderId, TickerSymbol } from "@fill-tracker/domain"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { type ExecutionRow, type FlatStatus, isOpenRow, type OpenExecutionRow } from "./ExecutionRow.js"
import { StoreError } from "./errors.js"
import { safeIntegers } from "./internal/eventRows.js"
import { decodeRows } from "./internal/readModel.js"
import { columns } from "./internal/rowColumns.js"
import { orStoreError } from "./internal/sqlErrors.js"

/** @since 0.1.0 @category models */
export interface ExecutionsFilter {
  readonly symbol?: TickerSymbol
  readonly status?: FlatStatus
  /** Exact state (see `ExecutionState`); an unknown value matches nothing. */
  readonly state?: string
  /** At most this many rows (default 1000). */
  readonly limit?: number
}

/** @since 0.1.0 @category models */
export interface ExecutionsService {
  /** Executions still working (status SUBMITTED), oldest submission first. */
  readonly open: () => Effect.Effect<ReadonlyArray<OpenExecutionRow>, StoreError>
  /**
   * One page of `open()`: at most `limit` rows after the row `after` (by submission, then
   * id), for a caller that reads thousands of open executions without holding its loop.
   */
  readonly openPage: (
    after: Pick<ExecutionRow, "submittedAt" | "executionId"> | undefined,
    limit: number
  ) => Effect.Effect<ReadonlyArray<OpenExecutionRow>, StoreError>
  readonly byExecutionId: (id: ExecutionId) => Effect.Effect<Option.Option<ExecutionRow>, StoreError>
  /** By the submitted order id or any followed replacement order id. */
  readonly byOrderId: (orderId: OrderId) => Effect.Effect<Option.Option<ExecutionRow>, StoreError>
  /** Filtered by symbol, flat status and exact state, newest submission first. */
  readonly query: (filter: ExecutionsFilter) => Effect.Effect<ReadonlyArray<ExecutionRow>, StoreError>
}

/** @since 0.1.0 @category tags */
export class Executions extends Context.Tag("@fill-tracker/store/Executions")<
  Executions,
  ExecutionsService
>() {}

const selectList = columns.map((c) => `x.${c}`).join(", ")
const defaultLimit = 1_000

/** @since 0.1.0 @category constructors */
export const make: Effect.Effect<ExecutionsService, never, SqlClient.SqlClient> = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const rows = sql.literal(selectList)
  const run = (what: string, query: Effect.Effect<ReadonlyArray<Record<string, unknown>>, SqlError>) =>
    query.pipe(safeIntegers, orStoreError(what), Effect.flatMap(decodeRows))

  // The CHECKs make every SUBMITTED row follow an order; one that does not is corrupt.
  const openRows = (rows: ReadonlyArray<ExecutionRow>) => {
    const bad = rows.find((r) => !isOpenRow(r))
    return bad === undefined
      ? Effect.succeed(rows as ReadonlyArray<OpenExecutionRow>)
      : Effect.fail(
          new StoreError({
            reason: "CorruptRow",
            detail: `open execution ${bad.executionId} follows no order`
          })
        )
  }

  const open: ExecutionsService["open"] = () =>
    run(
      "listing open executions",
      sql`SELECT ${rows} FROM executions x WHERE x.status = 'SUBMITTED' ORDER BY x.submitted_at, x.execution_id`
    ).pipe(Effect.flatMap(openRows))

  const openPage: ExecutionsService["openPage"] = (after, limit) =>
    run(
      "listing a page of open executions",
      sql`SELECT ${rows} FROM executions x WHERE x.status = 'SUBMITTED' ${
        after === undefined
          ? sql``
          : sql`AND (x.submitted_at > ${after.submittedAt} OR (x.submitted_at = ${after.submittedAt} AND x.execution_id > ${after.executionId}))`
      } ORDER BY x.submitted_at, x.execution_id LIMIT ${Math.max(1, Math.floor(limit))}`
    ).pipe(Effect.flatMap(openRows))

  const byExecutionId: ExecutionsService["byExecutionId"] = (id) =>
    Effect.map(
      run("reading an execution", sql`SELECT ${rows} FROM executions x WHERE x.execution_id = ${id}`),
      (found) => Option.fromNullable(found[0])
    )

  const byOrderId: ExecutionsService["byOrderId"] = (orderId) =>
    Effect.map(
      run(
        "finding an execution by order id",
        // An order id normally belongs to one execution; if two claim it, the one that
        // follows it now wins, then the most recent submission.
        sql`SELECT ${rows} FROM execution_orders o JOIN executions x ON x.execution_id = o.execution_id
            WHERE o.order_id = ${orderId}
            ORDER BY CASE WHEN x.order_id = ${orderId} THEN 0 ELSE 1 END, x.submitted_at DESC, x.execution_id
            LIMIT 1`
      ),
      (found) => Option.fromNullable(found[0])
    )

  const query: ExecutionsService["query"] = (filter) => {
    const where = sql.and([
      ...(filter.symbol === undefined ? [] : [sql`x.symbol = ${filter.symbol}`]),
      ...(filter.status === undefined ? [] : [sql`x.status = ${filter.status}`]),
      ...(filter.state === undefined ? [] : [sql`x.state = ${filter.state}`])
    ])
    const limit = Math.max(0, Math.floor(filter.limit ?? defaultLimit))
    return run(
      "querying executions",
      sql`SELECT ${rows} FROM executions x WHERE ${where} ORDER BY x.submitted_at DESC, x.execution_id LIMIT ${limit}`
    )
  }

  return { open, openPage, byExecutionId, byOrderId, query }
})

/** @since 0.1.0 @category layers */
export const layer: Layer.Layer<Executions, never, SqlClient.SqlClient> = Layer.effect(Executions, make)
