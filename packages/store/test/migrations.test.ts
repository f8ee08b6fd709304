/**
 * Migration 0011 on a store written before it: every row and order id is kept, the
 * constraints and foreign keys still hold, and the store then takes intents. Migration
 * 0013 fills in the replace or cancel still open on each working row, as a replay would.
 */
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import { assert, describe, it } from "@effect/vitest"
import { encodeStoredEvent, type TradeEvent } from "@fill-tracker/domain"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { EventStore, Executions } from "../src/index.js"
import { loader } from "../src/internal/migrations.js"
import { backends } from "./support/backends.js"
import {
  at,
  cancelRequested,
  executionId,
  placementRequested,
  replaced,
  replaceRequested,
  submitted,
  unplaced
} from "./support/events.js"

const upTo0010 = Migrator.make({})({
  loader: Effect.map(loader, (all) => all.filter(([id]) => id <= 10)),
  table: "store_migrations"
})

/** Both tables of the read model, in a fixed order. */
const tables = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql`SELECT * FROM executions ORDER BY execution_id`
  const orders =
    yield* sql`SELECT order_id, execution_id FROM execution_orders ORDER BY execution_id, order_id`
  return { rows, orders }
})

describe.each(backends)("migration 0011 on $name", (backend) => {
  it.scoped("keeps every row and order id of a store written before it; the store then takes intents", () =>
    Effect.gen(function* () {
      const location = yield* backend.fresh
      const before = yield* Effect.provide(
        Effect.gen(function* () {
          // As the store runs SQLite: with foreign keys on, a careless table swap cascades.
          const sql = yield* SqlClient.SqlClient
          yield* sql.onDialectOrElse({
            sqlite: () => sql.unsafe("PRAGMA foreign_keys = ON"),
            orElse: () => Effect.void
          })
          yield* upTo0010
          // Rows as the read model held them before 0011 (written directly: today's
          // EventStore also writes the columns of later migrations).
          const row = (id: string, orderId: string, direction: string) => ({
            execution_id: id,
            status: "SUBMITTED",
            state: "SUBMITTED",
            order_id: orderId,
            original_order_id: orderId,
            account_hash: "HASH",
            symbol: "AAPL",
            shares: "10",
            direction,
            filled_shares: "0",
            notional: null,
            average_price: null,
            price_cents: null,
            leg_id: null,
            legs: null,
            flag_count: 0,
            last_flag_kind: null,
            reason: null,
            broker_status: null,
            submitted_at: "2025-08-29T14:00:00.000Z",
            executed_at: null,
            failed_at: null,
            stream_version: 1,
            updated_at: "2025-08-29T14:00:00.000Z"
          })
          yield* sql`INSERT INTO executions ${sql.insert([row("old-1", "101", "BUY"), row("old-2", "202", "BUY"), row("old-3", "301", "SELL")])}`
          yield* sql`INSERT INTO execution_orders ${sql.insert([
            { order_id: "101", execution_id: "old-1" },
            { order_id: "201", execution_id: "old-2" },
            { order_id: "202", execution_id: "old-2" },
            { order_id: "301", execution_id: "old-3" }
          ])}`
          return yield* tables
        }),
        backend.rawClient(location)
      )
      assert.strictEqual(before.rows.length, 3)
      assert.strictEqual(before.orders.length, 4)
      yield* Effect.provide(
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          const ids = yield* sql<{
            migration_id: number
          }>`SELECT migration_id FROM store_migrations ORDER BY migration_id`
          assert.include(
            ids.map((r) => Number(r.migration_id)),
            11
          )
          // Kept as they were; 0013 adds the request columns, empty on these rows.
          assert.deepStrictEqual(yield* tables, {
            ...before,
            rows: before.rows.map((r) => ({ ...r, request: null, request_at: null }))
          })
          // ...and the store reads them as before: all three still open.
          const executions = yield* Executions
          assert.deepStrictEqual(
            (yield* executions.open()).map((r) => r.executionId),
            ["old-1", "old-2", "old-3"]
          )
          // The new shapes go in, through the store.
          const store = yield* EventStore
          yield* store.append(executionId("new-1"), 0, [
            placementRequested("new-1", { direction: "SELL_SHORT" })
          ])
          yield* store.append(executionId("new-2"), 0, [
            placementRequested("new-2"),
            unplaced("new-2", ["1", "2"])
          ])
          const pending = Option.getOrThrow(yield* executions.byExecutionId(executionId("new-1")))
          assert.deepStrictEqual(
            [pending.status, pending.orderId, pending.direction],
            ["PENDING", null, "SELL_SHORT"]
          )
          const ambiguous = Option.getOrThrow(yield* executions.byExecutionId(executionId("new-2")))
          assert.deepStrictEqual([ambiguous.status, ambiguous.state], ["FAILED", "PLACEMENT_AMBIGUOUS"])
          // The order-id table still references the executions table, cascade included.
          const orphan = yield* Effect.either(
            sql`INSERT INTO execution_orders (order_id, execution_id) VALUES ('9', 'none')`
          )
          assert.isTrue(Either.isLeft(orphan), "order id of a missing execution")
          yield* sql`DELETE FROM executions WHERE execution_id = 'old-2'`
          const left = yield* sql<{
            n: number | bigint
          }>`SELECT COUNT(*) AS n FROM execution_orders WHERE execution_id = 'old-2'`
          assert.strictEqual(Number(left[0]?.n), 0)
          // The lookup indexes of 0002 are back under their names.
          const indexes = yield* sql.onDialectOrElse({
            pg: () =>
              sql<{
                name: string
              }>`SELECT indexname AS name FROM pg_indexes WHERE tablename IN ('executions', 'execution_orders')`,
            orElse: () =>
              sql<{
                name: string
              }>`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('executions', 'execution_orders') AND name NOT LIKE 'sqlite_autoindex%'`
          })
          for (const name of [
            "executions_status_submitted",
            "executions_symbol_status",
            "executions_state",
            "execution_orders_execution"
          ])
            assert.include(
              indexes.map((r) => r.name),
              name
            )
        }),
        backend.layer(location)
      )
    })
  )
})

const upTo0012 = Migrator.make({})({
  loader: Effect.map(loader, (all) => all.filter(([id]) => id <= 12)),
  table: "store_migrations"
})

describe.each(backends)("migration 0013 on $name", (backend) => {
  it.scoped(
    "fills in the request still open on each working row; the columns refuse a request on a closed row",
    () =>
      Effect.gen(function* () {
        const location = yield* backend.fresh
        yield* Effect.provide(
          Effect.gen(function* () {
            const sql = yield* SqlClient.SqlClient
            yield* upTo0012
            // Events and rows as a store before 0013 held them (written directly).
            const streams: Record<string, ReadonlyArray<TradeEvent>> = {
              // open replace of the followed order
              "r-1": [submitted("r-1", "11"), replaceRequested("r-1", "11")],
              // a replace seen through, then a cancel of the replacement: the cancel is open
              "r-2": [
                submitted("r-2", "21"),
                replaceRequested("r-2", "21"),
                replaced("r-2", "21", "22"),
                cancelRequested("r-2", "22", 2)
              ],
              // a replace seen through: nothing open
              "r-3": [submitted("r-3", "31"), replaceRequested("r-3", "31"), replaced("r-3", "31", "32")],
              // no request at all
              "r-4": [submitted("r-4", "41")]
            }
            let position = 0
            for (const [id, events] of Object.entries(streams)) {
              yield* sql`INSERT INTO streams ${sql.insert({ stream_id: id, version: events.length })}`
              for (const [i, event] of events.entries()) {
                position += 1
                const stored = encodeStoredEvent(event)
                yield* sql`INSERT INTO events ${sql.insert({
                  stream_id: id,
                  stream_version: i + 1,
                  event_type: stored.type,
                  schema_version: stored.version,
                  payload: stored.data,
                  metadata: "{}",
                  recorded_at: at(position)
                })}`
              }
              const orderId = id === "r-1" ? "11" : id === "r-2" ? "22" : id === "r-3" ? "32" : "41"
              yield* sql`INSERT INTO executions ${sql.insert({
                execution_id: id,
                status: "SUBMITTED",
                state: "SUBMITTED",
                order_id: orderId,
                original_order_id: `${id.slice(2)}1`,
                account_hash: "HASH",
                symbol: "AAPL",
                shares: "10",
                direction: "BUY",
                filled_shares: "0",
                notional: null,
                average_price: null,
                price_cents: null,
                leg_id: null,
                legs: null,
                flag_count: 0,
                last_flag_kind: null,
                reason: null,
                broker_status: null,
                submitted_at: at(0),
                executed_at: null,
                failed_at: null,
                stream_version: events.length,
                updated_at: at(position)
              })}`
            }
          }),
          backend.rawClient(location)
        )
        yield* Effect.provide(
          Effect.gen(function* () {
            const executions = yield* Executions
            const requests: Record<string, unknown> = {}
            for (const id of ["r-1", "r-2", "r-3", "r-4"]) {
              const row = Option.getOrThrow(yield* executions.byExecutionId(executionId(id)))
              requests[id] = [row.request, row.requestedAt]
            }
            assert.deepStrictEqual(requests, {
              "r-1": ["REPLACE_REQUESTED", at(1)],
              "r-2": ["CANCEL_REQUESTED", at(2)],
              "r-3": [null, null],
              "r-4": [null, null]
            })
            const sql = yield* SqlClient.SqlClient
            // A request without its time, or on a row that is not working, is refused.
            for (const change of [
              sql`UPDATE executions SET request_at = NULL WHERE execution_id = 'r-1'`,
              sql`UPDATE executions SET request = 'CANCEL_REQUESTED', request_at = ${at(1)} WHERE execution_id = 'r-4' AND status = 'SUBMITTED'`.pipe(
                Effect.zipRight(
                  sql`UPDATE executions SET status = 'FAILED', state = 'CANCELED', reason = 'x', failed_at = ${at(9)}, broker_status = 'CANCELED' WHERE execution_id = 'r-4'`
                )
              ),
              sql`UPDATE executions SET request = 'SOMETHING' WHERE execution_id = 'r-1'`
            ])
              assert.isTrue(Either.isLeft(yield* Effect.either(sql.withTransaction(change))))
          }),
          backend.layer(location)
        )
      })
  )
})
