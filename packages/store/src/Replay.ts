/**
 * Rebuilding the executions read model from the events, and verifying the live one.
 *
 * Both stream the events in global order in pages (bounded memory) and apply the same
 * fold as `append` into the scratch tables `executions_rebuild` / `execution_orders_rebuild`,
 * keeping at most `cacheRows` executions' folds in memory and writing the rows they evict
 * in batches (each batch one transaction). The final step runs in one transaction that
 * first takes the write lock, then applies the events appended meanwhile, so nothing
 * committed during a replay is missed:
 * `rebuild` then swaps the scratch rows into the live tables; `verify` compares them with
 * the live tables and leaves the live model alone.
 *
 * @since 0.1.0
 */

import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import type { ExecutionId } from "@fill-tracker/domain"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { followedOrderIds, RowFold } from "./applyEvent.js"
import type { ExecutionRow, RowDifference } from "./ExecutionRow.js"
import { CorruptEventError, StoreError } from "./errors.js"
import { writeChangedRows } from "./internal/changedRows.js"
import {
  type EventRow,
  pageDecoder,
  readRows,
  releaseRows,
  rowPosition,
  rowStreamId,
  rowVersion,
  safeIntegers
} from "./internal/eventRows.js"
import { leastRecent } from "./internal/leastRecent.js"
import {
  executionOrdersTable,
  executionsTable,
  scratchExecutionOrdersTable,
  scratchExecutionsTable
} from "./internal/migrations.js"
import { appendLock } from "./internal/ordering.js"
import {
  chunks,
  insertOrderIds,
  loadRows,
  type Tables,
  updateWhereChanged,
  upsertRows
} from "./internal/readModel.js"
import { columns, toColumns } from "./internal/rowColumns.js"
import { orStoreError } from "./internal/sqlErrors.js"

/** @since 0.1.0 @category models */
export interface ReplayProgress {
  readonly processed: number
  readonly total: number
}

/** @since 0.1.0 @category models */
export interface ReplayService {
  /** Rebuilds the executions read model from every event and swaps it in. */
  readonly rebuild: (
    onProgress?: (p: ReplayProgress) => void
  ) => Effect.Effect<{ readonly events: number; readonly executions: number }, StoreError | CorruptEventError>
  /** Rebuilds into the scratch tables and reports every row that differs from the live model. */
  readonly verify: (
    onProgress?: (p: ReplayProgress) => void
  ) => Effect.Effect<ReadonlyArray<RowDifference>, StoreError | CorruptEventError>
}

/** @since 0.1.0 @category tags */
export class Replay extends Context.Tag("@fill-tracker/store/Replay")<Replay, ReplayService>() {}

/** @since 0.1.0 @category models */
export interface ReplayOptions {
  /** Events read per page (default 2000). */
  readonly pageSize?: number
  /**
   * Executions (their folds) kept in memory between pages (default 25,000, some 40 MB at
   * most); a miss reads the row back from the scratch table. A store with no more
   * executions than this rebuilds without writing rows to the scratch table at all.
   */
  readonly cacheRows?: number
}

const live: Tables = { executions: executionsTable, orders: executionOrdersTable }
const scratch: Tables = { executions: scratchExecutionsTable, orders: scratchExecutionOrdersTable }
const columnList = columns.join(", ")
const noYield = 10_000_000

/** A cached execution: its fold, whether it changed since written, the page that last touched it. */
interface Cached {
  readonly fold: RowFold
  dirty: boolean
  page: number
}

/** @since 0.1.0 @category constructors */
export const make = (options?: ReplayOptions): Effect.Effect<ReplayService, never, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const pageSize = Math.max(1, options?.pageSize ?? 2_000)
    const cacheRows = Math.max(1, options?.cacheRows ?? 25_000)
    // One replay at a time per service: they share the scratch tables and the row cache.
    const lock = yield* Effect.makeSemaphore(1)

    /**
     * Folds by execution id, each with the page that last touched it (see `leastRecent`). A write-back
     * cache: a fold keeps folding while it stays cached, across pages, and its row is
     * finished (totals formatted, average and cents divided out) and written to the scratch
     * table only when it is evicted or when the replay flushes before its final swap/compare.
     * A stream whose events are spread over many pages (one-event appends interleaved with
     * other streams, the usual case) is thus finished and written once, not once per page.
     * A miss reads the row back from the scratch table, which holds every row not cached.
     */
    const cache = new Map<ExecutionId, Cached>()
    /** Pages folded so far: an entry touched by the current page has `page === pageNo`. */
    let pageNo = 0
    /** Whether rows were evicted to the scratch table in this replay (else all are cached). */
    let spilled = false
    /** Order ids of rows not yet written, written right after their row (the foreign key). */
    const pendingOrders = new Map<ExecutionId, Array<{ order_id: string; execution_id: string }>>()
    /** Upserts rows, then the order ids waiting for them. */
    const write = (rows: ReadonlyArray<ExecutionRow>) =>
      Effect.suspend(() => {
        const pairs: Array<{ order_id: string; execution_id: string }> = []
        for (const row of rows) {
          const waiting = pendingOrders.get(row.executionId)
          if (waiting === undefined) continue
          pendingOrders.delete(row.executionId)
          for (const pair of waiting) pairs.push(pair)
        }
        return Effect.zipRight(upsertRows(sql, scratch, rows), insertOrderIds(sql, scratch, pairs))
      })
    /** Finished rows of the dirty entries (they are clean afterwards). */
    const finishDirty = (entries: Iterable<Cached>) => {
      const rows: Array<ExecutionRow> = []
      for (const entry of entries) {
        if (!entry.dirty) continue
        entry.dirty = false
        const row = entry.fold.finish()
        if (row !== undefined) rows.push(row)
      }
      return rows
    }
    /**
     * Once the cache holds more than `cacheRows`, drops the least recently used folds down
     * to `keepRows`; returns the rows of those not yet written. Evicting a tenth at a time
     * writes rows in batches (a transaction every few dozen pages on a big replay).
     */
    const keepRows = cacheRows - Math.floor(cacheRows / 10)
    const evict = (): Array<ExecutionRow> => {
      if (cache.size <= cacheRows) return []
      spilled = true
      const dropped: Array<Cached> = []
      for (const id of leastRecent(cache, cache.size - keepRows, pageNo)) {
        dropped.push(cache.get(id) as Cached)
        cache.delete(id)
      }
      return finishDirty(dropped)
    }
    /** Writes every changed cached row to the scratch table (the folds stay cached). */
    const flush = Effect.suspend(() => write(finishDirty(cache.values())))
    const reset = () => {
      cache.clear()
      pendingOrders.clear()
      spilled = false
    }

    /**
     * Decodes and folds a page's rows into the cache; the first failure, if any. A plain
     * function, not part of the page's generator: the hot loop is optimised sooner (~1%).
     */
    const foldRows = (page: ReadonlyArray<EventRow>): CorruptEventError | StoreError | undefined => {
      const decode = pageDecoder("fold")
      for (const raw of page) {
        const rec = decode(raw)
        if (rec instanceof CorruptEventError) return rec
        const id = rec.streamId
        let entry = cache.get(id)
        if (entry === undefined) {
          entry = { fold: RowFold.start(undefined), dirty: true, page: pageNo }
          cache.set(id, entry)
        } else if (entry.page !== pageNo) {
          entry.page = pageNo
          entry.dirty = true
        }
        if (!entry.fold.apply(rec))
          return new StoreError({
            reason: "Projection",
            detail: `stream ${id} does not start with a Submitted or PlacementRequested event (position ${rowPosition(raw)})`
          })
        for (const orderId of followedOrderIds(rec)) {
          const waiting = pendingOrders.get(id)
          const pair = { order_id: orderId, execution_id: id }
          if (waiting === undefined) pendingOrders.set(id, [pair])
          else waiting.push(pair)
        }
      }
      return undefined
    }

    /** Folds a page of rows, decoding each as it is folded; returns the position after the page. */
    const applyPage = (page: ReadonlyArray<EventRow>) =>
      Effect.gen(function* () {
        // Until a row is evicted the scratch table is empty and every earlier stream cached:
        // there is nothing to look up.
        const missing = new Set<ExecutionId>()
        if (spilled)
          for (const raw of page) {
            const streamId = rowStreamId(raw) as ExecutionId
            if (rowVersion(raw) > 1 && !cache.has(streamId)) missing.add(streamId)
          }
        for (const ids of chunks([...missing], 500))
          for (const row of yield* loadRows(sql, scratch, ids))
            cache.set(row.executionId, { fold: RowFold.start(row), dirty: false, page: 0 })
        pageNo++
        const failure = foldRows(page)
        if (failure !== undefined) return yield* failure
        const next = page.length === 0 ? 0n : rowPosition(page[page.length - 1] as EventRow) + 1n
        releaseRows(page)
        const evicted = evict()
        if (evicted.length > 0) yield* sql.withTransaction(write(evicted))
        return next
      })

    /** Applies events from `from` to the scratch tables, a page at a time; returns the next position and count. */
    const replayFrom = (
      from: bigint,
      report: (n: number) => Effect.Effect<void>
    ): Effect.Effect<
      { readonly next: bigint; readonly count: number },
      StoreError | CorruptEventError | SqlError
    > =>
      Effect.gen(function* () {
        let next = from
        let count = 0
        while (true) {
          // A page runs without cooperative yields (each costs a timer tick); the fiber yields between pages.
          const page = yield* Effect.withMaxOpsBeforeYield(readRows(sql, next, pageSize, "fold"), noYield)
          const size = page.length // applyPage empties the page when done with it
          if (size === 0) break
          next = yield* Effect.withMaxOpsBeforeYield(applyPage(page), noYield)
          count += size
          yield* report(count)
          if (size < pageSize) break
        }
        return { next, count }
      })

    const clearScratch = sql.withTransaction(
      Effect.zipRight(sql`DELETE FROM ${sql(scratch.orders)}`, sql`DELETE FROM ${sql(scratch.executions)}`)
    )

    const prepare = (onProgress?: (p: ReplayProgress) => void) =>
      Effect.gen(function* () {
        reset()
        yield* clearScratch
        const counted = yield* sql<{ n: bigint }>`SELECT COUNT(*) AS n FROM events`
        const total = Number(counted[0]?.n ?? 0n)
        const report = (processed: number) =>
          onProgress === undefined
            ? Effect.void
            : Effect.sync(() => onProgress({ processed, total: Math.max(total, processed) }))
        return yield* replayFrom(0n, report)
      })

    const rebuild: ReplayService["rebuild"] = (onProgress) =>
      Effect.gen(function* () {
        const first = yield* prepare(onProgress)
        const result = yield* sql.withTransaction(
          Effect.gen(function* () {
            // Appends stop first: PostgreSQL takes the append lock; on SQLite the (empty) write
            // below takes the write lock. No append commits between the catch-up read and the swap.
            yield* appendLock(sql)
            yield* sql`DELETE FROM ${sql(scratch.orders)} WHERE order_id IS NULL`
            const rest = yield* replayFrom(first.next, () => Effect.void)
            if (spilled) yield* Effect.zipRight(flush, swapIn)
            else yield* swapInFromCache
            const n = yield* sql<{ n: bigint }>`SELECT COUNT(*) AS n FROM ${sql(live.executions)}`
            return { events: first.count + rest.count, executions: Number(n[0]?.n ?? 0n) }
          })
        )
        reset()
        yield* clearScratch
        return result
      }).pipe(safeIntegers, orStoreError("rebuilding the read model"), lock.withPermits(1))

    /**
     * Makes the live tables equal to the scratch tables writing only what differs: order ids
     * and rows the rebuild does not have are deleted, changed rows overwritten, new ones
     * inserted, identical ones left alone. A rebuild mostly confirms the live model, and
     * this step holds the write lock (appends wait), so it should not rewrite every row and
     * index entry (a delete-all and insert-all took ~70 ms for 13,000 rows).
     */
    const [le, lo] = [live.executions, live.orders]
    /** Deletes live rows and order ids the scratch tables (the rebuilt model) do not have. */
    const deleteLiveExtras = Effect.zipRight(
      sql`DELETE FROM ${sql(lo)} WHERE NOT EXISTS (SELECT 1 FROM ${sql(scratch.orders)} s WHERE s.order_id = ${sql.literal(lo)}.order_id AND s.execution_id = ${sql.literal(lo)}.execution_id)`,
      sql`DELETE FROM ${sql(le)} WHERE NOT EXISTS (SELECT 1 FROM ${sql(scratch.executions)} s WHERE s.execution_id = ${sql.literal(le)}.execution_id)`
    )
    const swapIn = Effect.gen(function* () {
      yield* deleteLiveExtras
      // `WHERE true`: SQLite reads `SELECT … FROM t ON CONFLICT` as a join constraint otherwise.
      yield* sql`INSERT INTO ${sql(le)} (${sql.literal(columnList)}) SELECT ${sql.literal(columnList)} FROM ${sql(scratch.executions)} WHERE true ${sql.literal(updateWhereChanged(le))}`
      yield* sql`INSERT INTO ${sql(lo)} (order_id, execution_id) SELECT order_id, execution_id FROM ${sql(scratch.orders)} WHERE true ON CONFLICT DO NOTHING`
    })

    /**
     * The swap when no row ever left the cache (the usual case: a store has far fewer
     * executions than events): the cache holds the whole rebuilt model, so its rows go
     * straight into the live tables, changed ones only, without the round trip through the
     * scratch tables. Live rows or order ids the rebuild lacks show as live counts above the
     * rebuilt ones; only then are the rows written to the scratch tables to delete the extras
     * against (live then holds every rebuilt row, so the extras are exactly what is missing
     * from scratch).
     */
    const swapInFromCache = Effect.gen(function* () {
      const rows = finishDirty(cache.values())
      const pairs: Array<{ order_id: string; execution_id: string }> = []
      const distinct = new Set<string>()
      for (const waiting of pendingOrders.values())
        for (const pair of waiting) {
          pairs.push(pair)
          distinct.add(`${pair.order_id}\u0000${pair.execution_id}`)
        }
      pendingOrders.clear()
      yield* writeChangedRows(sql, live, rows)
      yield* insertOrderIds(sql, live, pairs)
      const counted = yield* sql<{ rows: unknown; orders: unknown }>`
        SELECT (SELECT COUNT(*) FROM ${sql(le)}) AS rows, (SELECT COUNT(*) FROM ${sql(lo)}) AS orders`
      if (Number(counted[0]?.rows) > cache.size || Number(counted[0]?.orders) > distinct.size) {
        yield* upsertRows(sql, scratch, rows)
        yield* insertOrderIds(sql, scratch, pairs)
        yield* deleteLiveExtras
      }
    })

    const differences = Effect.gen(function* () {
      const changedColumns = columns
        .filter((c) => c !== "execution_id")
        .map((c) => `l.${c} IS DISTINCT FROM r.${c}`)
        .join(" OR ")
      const changed = yield* sql<{ id: string; live: bigint | null; rebuilt: bigint | null }>`
        SELECT l.execution_id AS id, 1 AS live, r.stream_version AS rebuilt
        FROM ${sql(live.executions)} l LEFT JOIN ${sql(scratch.executions)} r ON r.execution_id = l.execution_id
        WHERE r.execution_id IS NULL OR ${sql.literal(changedColumns)}
        UNION ALL
        SELECT r.execution_id AS id, NULL AS live, 1 AS rebuilt
        FROM ${sql(scratch.executions)} r LEFT JOIN ${sql(live.executions)} l ON l.execution_id = r.execution_id
        WHERE l.execution_id IS NULL
        ORDER BY id`
      const out: Array<RowDifference> = []
      for (const ids of chunks(
        changed.map((c) => c.id as ExecutionId),
        500
      )) {
        const liveRows = new Map((yield* loadRows(sql, live, ids)).map((r) => [r.executionId as string, r]))
        const rebuiltRows = new Map(
          (yield* loadRows(sql, scratch, ids)).map((r) => [r.executionId as string, r])
        )
        for (const id of ids) {
          const l = liveRows.get(id)
          const r = rebuiltRows.get(id)
          if (l === undefined && r !== undefined)
            out.push({ kind: "MissingInLive", executionId: id, rebuilt: r })
          else if (l !== undefined && r === undefined)
            out.push({ kind: "MissingInRebuilt", executionId: id, live: l })
          else if (l !== undefined && r !== undefined) {
            const lc = toColumns(l)
            const rc = toColumns(r)
            const diff = columns
              .filter((c) => lc[c] !== rc[c])
              .map((c) => ({ column: c, live: lc[c], rebuilt: rc[c] }))
            out.push({ kind: "Different", executionId: id, columns: diff })
          }
        }
      }
      const orderDiff = (a: Tables, b: Tables) =>
        sql<{ order_id: string; execution_id: string }>`
          SELECT order_id, execution_id FROM ${sql(a.orders)}
          EXCEPT SELECT order_id, execution_id FROM ${sql(b.orders)}
          ORDER BY execution_id, order_id`
      for (const o of yield* orderDiff(live, scratch))
        out.push({ kind: "OrderIndex", executionId: o.execution_id, orderId: o.order_id, presentIn: "live" })
      for (const o of yield* orderDiff(scratch, live))
        out.push({
          kind: "OrderIndex",
          executionId: o.execution_id,
          orderId: o.order_id,
          presentIn: "rebuilt"
        })
      return out
    })

    const verify: ReplayService["verify"] = (onProgress) =>
      Effect.gen(function* () {
        const first = yield* prepare(onProgress)
        const out = yield* sql.withTransaction(
          Effect.gen(function* () {
            // The append lock (PostgreSQL) and a no-op write (SQLite's write lock): the live
            // model cannot move while compared.
            yield* appendLock(sql)
            yield* sql`DELETE FROM ${sql(scratch.orders)} WHERE order_id IS NULL`
            yield* replayFrom(first.next, () => Effect.void)
            yield* flush
            return yield* differences
          })
        )
        reset()
        yield* clearScratch
        return out
      }).pipe(safeIntegers, orStoreError("verifying the read model"), lock.withPermits(1))

    return { rebuild, verify }
  })

/** @since 0.1.0 @category layers */
export const layer: Layer.Layer<Replay, never, SqlClient.SqlClient> = Layer.effect(Replay, make())
