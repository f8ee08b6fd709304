/**
 * What the pollers learn from Schwab and keep across restarts (a service restarts on every
 * deploy and crash), shared by every poller on the store:
 *
 * - Each followed order's entered time, Schwab's, from its first snapshot: the poller's list
 *   window starts from it, so an execution recorded late (its `submittedAt` after Schwab's
 *   entered time) is found in the list instead of costing a `getOrder` of its own. Without
 *   it, every restart costs each such execution one `getOrder` again.
 * - The untracked orders already reported, so each is logged once across restarts and
 *   pollers, not once per process. Kept with the order's entered time and pruned once that
 *   falls out of the lookback: the report looks at no order entered before it, so such a
 *   row can never be asked about again.
 *
 * Side tables, not events. Why not an event (for example metadata on the first snapshot's
 * events, so that replay would keep it): the first snapshot of a working order without
 * fills implies no event at all, so one would have to be invented just to carry the time;
 * an entered time is Schwab's attribute of an order, not something that happened to an
 * execution, and the ledger, the hash chain and every audit would have to learn about it.
 * And losing it costs one request, never a fill. Replay rebuilds and swaps only the
 * executions tables, so these survive it untouched; they are keyed by order id, which needs
 * no rebuild (one order belongs to at most one execution).
 *
 * Several pollers: both facts are immutable (an order's entered time never changes; an
 * order reported stays reported), so whichever poller writes first is right, and the
 * others' writes do nothing (`ON CONFLICT DO NOTHING`). The report is claimed with
 * `RETURNING`, so of two pollers that find the same untracked order at once exactly one
 * logs it. A poller that does not hold an account reads what the holder learned.
 *
 * @since 0.4.0
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type { OrderId } from "@fill-tracker/domain"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { StoreError } from "./errors.js"
import { orStoreError } from "./internal/sqlErrors.js"

/** An order's entered time as Schwab gave it, in epoch milliseconds. @since 0.4.0 @category models */
export interface EnteredTime {
  readonly orderId: OrderId
  readonly enteredAt: number
}

/** @since 0.4.0 @category models */
export interface LearnedFactsService {
  /** The entered times known for these orders (orders with none are absent from the map). */
  readonly enteredTimes: (
    orderIds: ReadonlyArray<OrderId>
  ) => Effect.Effect<ReadonlyMap<OrderId, number>, StoreError>
  /** Keeps these entered times; an order already known keeps the first (it never changes). */
  readonly learnEnteredTimes: (facts: ReadonlyArray<EnteredTime>) => Effect.Effect<void, StoreError>
  /** Forgets the entered times of orders no open execution follows now; answers how many. */
  readonly pruneEnteredTimes: () => Effect.Effect<number, StoreError>
  /**
   * Records that this untracked order was reported: true for the first report of it by any
   * poller (log it), false when it was reported before.
   */
  readonly claimUntracked: (fact: EnteredTime) => Effect.Effect<boolean, StoreError>
  /** The untracked orders reported so far that were entered at or after `since`. */
  readonly reportedUntracked: (since: number) => Effect.Effect<ReadonlyArray<EnteredTime>, StoreError>
  /** Forgets the reported untracked orders entered before `before`; answers how many. */
  readonly pruneUntracked: (before: number) => Effect.Effect<number, StoreError>
}

/** @since 0.4.0 @category tags */
export class LearnedFacts extends Context.Tag("@fill-tracker/store/LearnedFacts")<
  LearnedFacts,
  LearnedFactsService
>() {}

/** Bound parameters per `IN (…)`: far below SQLite's and PostgreSQL's limits. */
const CHUNK = 500

/** Epoch milliseconds fit a JS number exactly; PostgreSQL's driver hands BIGINT over as a string. */
const millis = (value: unknown): number => Number(value)

/** @since 0.4.0 @category constructors */
export const make: Effect.Effect<LearnedFactsService, never, SqlClient.SqlClient> = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  const enteredTimes: LearnedFactsService["enteredTimes"] = (orderIds) =>
    Effect.gen(function* () {
      const found = new Map<OrderId, number>()
      for (const chunk of chunks(orderIds)) {
        const rows = yield* sql<{ order_id: string; entered_at: unknown }>`SELECT order_id, entered_at
          FROM order_entered_times WHERE ${sql.in("order_id", chunk)}`
        for (const row of rows) found.set(row.order_id as OrderId, millis(row.entered_at))
      }
      return found as ReadonlyMap<OrderId, number>
    }).pipe(orStoreError("reading learned entered times"))

  const learnEnteredTimes: LearnedFactsService["learnEnteredTimes"] = (facts) =>
    facts.length === 0
      ? Effect.void
      : // One statement per chunk, no transaction: each fact stands alone, and a chunk that
        // failed is written again by the caller's next save (a written one is then a no-op).
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Effect.forEach(
            chunks(facts),
            (chunk) =>
              sql`INSERT INTO order_entered_times ${sql.insert(
                chunk.map((f) => ({ order_id: f.orderId, entered_at: f.enteredAt, learned_at: now }))
              )} ON CONFLICT (order_id) DO NOTHING`,
            { discard: true }
          )
        ).pipe(orStoreError("recording learned entered times"))

  // An order's time is useful only while an open execution follows it: once the execution
  // ends or moves to a replacement it is never asked for again.
  const unfollowed = sql.literal(`NOT EXISTS (
    SELECT 1 FROM execution_orders o JOIN executions x ON x.execution_id = o.execution_id
    WHERE o.order_id = order_entered_times.order_id AND x.order_id = o.order_id AND x.status = 'SUBMITTED'
  )`)
  // Looked for first: a start with nothing to forget writes nothing (a store that cannot be
  // written, read-only or full, is then reported by what needs the write, not by this).
  const pruneEnteredTimes: LearnedFactsService["pruneEnteredTimes"] = () =>
    Effect.gen(function* () {
      const stale = yield* sql`SELECT order_id FROM order_entered_times WHERE ${unfollowed} LIMIT 1`
      if (stale.length === 0) return 0
      const pruned = yield* sql`DELETE FROM order_entered_times WHERE ${unfollowed} RETURNING order_id`
      return pruned.length
    }).pipe(orStoreError("pruning learned entered times"))

  const claimUntracked: LearnedFactsService["claimUntracked"] = (fact) =>
    Effect.flatMap(
      Clock.currentTimeMillis,
      (now) => sql<{ order_id: string }>`INSERT INTO untracked_reports (order_id, entered_at, reported_at)
        VALUES (${fact.orderId}, ${fact.enteredAt}, ${now}) ON CONFLICT (order_id) DO NOTHING RETURNING order_id`
    ).pipe(
      Effect.map((rows) => rows.length === 1),
      orStoreError("recording a reported untracked order")
    )

  const reportedUntracked: LearnedFactsService["reportedUntracked"] = (since) =>
    sql<{ order_id: string; entered_at: unknown }>`SELECT order_id, entered_at FROM untracked_reports
      WHERE entered_at >= ${since}`.pipe(
      Effect.map((rows) =>
        rows.map((r): EnteredTime => ({ orderId: r.order_id as OrderId, enteredAt: millis(r.entered_at) }))
      ),
      orStoreError("reading reported untracked orders")
    )

  // Looked for first too: the hourly refresh writes only when something left the lookback.
  const pruneUntracked: LearnedFactsService["pruneUntracked"] = (before) =>
    Effect.gen(function* () {
      const stale = yield* sql`SELECT order_id FROM untracked_reports WHERE entered_at < ${before} LIMIT 1`
      if (stale.length === 0) return 0
      const pruned = yield* sql`DELETE FROM untracked_reports WHERE entered_at < ${before} RETURNING order_id`
      return pruned.length
    }).pipe(orStoreError("pruning reported untracked orders"))

  return {
    enteredTimes,
    learnEnteredTimes,
    pruneEnteredTimes,
    claimUntracked,
    reportedUntracked,
    pruneUntracked
  }
})

const chunks = <A>(items: ReadonlyArray<A>): ReadonlyArray<ReadonlyArray<A>> =>
  Array.from({ length: Math.ceil(items.length / CHUNK) }, (_, i) => items.slice(i * CHUNK, (i + 1) * CHUNK))

/** @since 0.4.0 @category layers */
export const layer: Layer.Layer<LearnedFacts, never, SqlClient.SqlClient> = Layer.effect(LearnedFacts, make)
