/**
 * Migration 0009 on a store written before it: every row and order id is kept, the
 * constraints and foreign keys still hold, and the store then takes intents.
 */
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as EventStoreModule from "../src/EventStore.js"
import { EventStore, Executions, Replay } from "../src/index.js"
import { loader } from "../src/internal/migrations.js"
import { backends } from "./support/backends.js"
import {
  executionId,
  failed,
  filled,
  legFilled,
  placementRequested,
  replaced,
  submitted,
  unplaced
} from "./support/events.js"

const upTo0008 = Migrator.make({})({
  loader: Effect.map(loader, (all) => all.filter(([id]) => id <= 8)),
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

describe.each(backends)("migration 0009 on $name", (backend) => {
  it.scoped("keeps every row and order id of a store written before it; the store then takes intents", () =>
    Effect.gen(function* () {
      const location = yield* backend.fresh
      const before = yield* Effect.provide(
        Effect.gen(function* () {
          // As the store runs SQLite: with foreign keys on, a careless table swap cascades.
          const sql = yield* SqlClient.SqlClient
          yield* sql.onDialectOrElse({ sqlite: () => sql.unsafe("PRAGMA foreign_keys = ON"), orElse: () => Effect.void })
          yield* upTo0008
          const store = yield* EventStoreModule.make
          yield* store.append(executionId("old-1"), 0, [
            submitted("old-1", "101"),
            legFilled("old-1", "101", "a", "4", "1.5")
          ])
          yield* store.append(executionId("old-2"), 0, [
            submitted("old-2", "201"),
            replaced("old-2", "201", "202"),
            filled("old-2", "202")
          ])
          yield* store.append(executionId("old-3"), 0, [
            submitted("old-3", "301", { direction: "SELL" }),
            failed("old-3", "301", "CANCELED")
          ])
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
            9
          )
          assert.deepStrictEqual(yield* tables, before)
          assert.deepStrictEqual(yield* (yield* Replay).verify(), [])
          // The new shapes go in, through the store.
          const store = yield* EventStore
          yield* store.append(executionId("new-1"), 0, [
            placementRequested("new-1", { direction: "SELL_SHORT" })
          ])
          yield* store.append(executionId("new-2"), 0, [
            placementRequested("new-2"),
            unplaced("new-2", ["1", "2"])
          ])
          const executions = yield* Executions
          const pending = Option.getOrThrow(yield* executions.byExecutionId(executionId("new-1")))
          assert.deepStrictEqual(
            [pending.status, pending.orderId, pending.direction],
            ["PENDING", null, "SELL_SHORT"]
          )
          const ambiguous = Option.getOrThrow(yield* executions.byExecutionId(executionId("new-2")))
          assert.deepStrictEqual([ambiguous.status, ambiguous.state], ["FAILED", "PLACEMENT_AMBIGUOUS"])
          assert.deepStrictEqual(yield* (yield* Replay).verify(), [])
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
          assert.deepStrictEqual(
            (yield* executions.open()).map((r) => r.executionId),
            ["old-1"]
          )
        }),
        backend.layer(location)
      )
    })
  )
})
