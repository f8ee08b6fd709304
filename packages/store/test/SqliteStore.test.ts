import * as fs from "node:fs"
import * as path from "node:path"
import * as SqlClient from "@effect/sql/SqlClient"
import { assert, describe, it } from "@effect/vitest"
import { OrderId } from "@fill-tracker/domain"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { EventStore, Executions, Replay } from "../src/index.js"
import { executionId, submitted } from "./support/events.js"
import { storeLayer, tempFile } from "./support/store.js"

const orderId = (s: string) => (OrderId.is(s) ? s : Option.getOrThrow(Option.none()))

const validRow = {
  execution_id: "e-1",
  status: "SUBMITTED",
  state: "SUBMITTED",
  order_id: "1001",
  original_order_id: "1001",
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
  submitted_at: "2025-08-29T14:00:00.000Z",
  executed_at: null,
  failed_at: null,
  stream_version: 1,
  updated_at: "2025-08-29T14:00:00.000Z"
}
const filledRow = {
  ...validRow,
  status: "FILLED",
  state: "FILLED",
  filled_shares: "10",
  average_price: "150.25",
  price_cents: 15025,
  executed_at: "2025-08-29T14:02:00.000Z"
}
const failedRow = {
  ...validRow,
  status: "FAILED",
  state: "CANCELED",
  reason: "canceled",
  broker_status: "CANCELED",
  failed_at: "2025-08-29T14:03:00.000Z"
}

describe("SqliteStore", () => {
  it.scoped("migrations run once and are a no-op on restart; data survives the reopen", () =>
    Effect.gen(function* () {
      const file = yield* tempFile
      const open = <A, E>(body: Effect.Effect<A, E, SqlClient.SqlClient | EventStore>) =>
        Effect.provide(body, storeLayer(file))
      yield* open(Effect.flatMap(EventStore, (s) => s.append(executionId("m-1"), 0, [submitted("m-1", "1")])))
      for (let i = 0; i < 2; i++) {
        const [migrations, version] = yield* open(
          Effect.gen(function* () {
            const sql = yield* SqlClient.SqlClient
            const m = yield* sql<{
              migration_id: number
            }>`SELECT migration_id FROM store_migrations ORDER BY migration_id`
            return [
              m.map((r) => Number(r.migration_id)),
              (yield* (yield* EventStore).readStream(executionId("m-1"))).version
            ]
          })
        )
        assert.deepStrictEqual(migrations, [1, 2, 3, 4])
        assert.strictEqual(version, 1)
      }
    })
  )

  it.scoped("the connection runs in WAL with NORMAL sync, a busy timeout and foreign keys", () =>
    Effect.gen(function* () {
      const file = yield* tempFile
      const pragmas = (options: { synchronous?: "FULL" } = {}) =>
        Effect.provide(
          Effect.gen(function* () {
            const sql = yield* SqlClient.SqlClient
            const one = (name: string) =>
              Effect.map(
                sql.unsafe<Record<string, unknown>>(`PRAGMA ${name}`),
                (r) => Object.values(r[0] ?? {})[0]
              )
            return yield* Effect.all([
              one("journal_mode"),
              one("synchronous"),
              one("busy_timeout"),
              one("foreign_keys")
            ])
          }),
          storeLayer(file, options)
        )
      assert.deepStrictEqual(yield* pragmas(), ["wal", 1, 5000, 1])
      assert.deepStrictEqual(yield* pragmas({ synchronous: "FULL" }), ["wal", 2, 5000, 1])
    })
  )

  it.scoped("CHECK constraints and foreign keys reject invalid rows written directly", () =>
    Effect.gen(function* () {
      const file = yield* tempFile
      yield* Effect.provide(
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          const insert = (row: Record<string, unknown>) =>
            Effect.either(
              sql`INSERT INTO executions ${sql.insert(row as Record<string, string | number | null>)}`
            )
          // Each valid shape goes in (then out again), so a rejection below is the change it makes.
          for (const ok of [
            validRow,
            filledRow,
            failedRow,
            { ...validRow, state: "PARTIALLY_FILLED", filled_shares: "2.5" }
          ]) {
            assert.isTrue(Either.isRight(yield* insert(ok)))
            yield* sql`DELETE FROM executions`
          }
          const invalid: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
            ["unknown status", { ...validRow, status: "DONE" }],
            ["state not of its status", { ...validRow, state: "FILLED" }],
            ["no order id", { ...validRow, order_id: null }],
            ["empty order id", { ...validRow, order_id: "" }],
            ["zero shares", { ...validRow, shares: "0" }],
            ["negative shares", { ...validRow, shares: "-5" }],
            ["negative filled shares", { ...validRow, filled_shares: "-1" }],
            ["bad direction", { ...validRow, direction: "HOLD" }],
            ["FILLED without price", { ...filledRow, price_cents: null }],
            ["FILLED without average", { ...filledRow, average_price: null }],
            ["FILLED without executed_at", { ...filledRow, executed_at: null }],
            ["FILLED with zero shares", { ...filledRow, filled_shares: "0" }],
            ["FAILED without reason", { ...failedRow, reason: null }],
            ["FAILED without failed_at", { ...failedRow, failed_at: null }],
            ["SUBMITTED with failed_at", { ...validRow, failed_at: "2025-08-29T14:03:00.000Z" }],
            ["legs not JSON", { ...validRow, legs: "[{" }],
            ["legs and a single leg id", { ...validRow, legs: "[]", leg_id: "1" }],
            ["flag kind without count", { ...validRow, last_flag_kind: "Overfill" }],
            ["unknown flag kind", { ...validRow, flag_count: 1, last_flag_kind: "Odd" }],
            ["version 0", { ...validRow, stream_version: 0 }]
          ]
          for (const [why, row] of invalid) assert.isTrue(Either.isLeft(yield* insert(row)), why)
          const orphan = yield* Effect.either(
            sql`INSERT INTO execution_orders (order_id, execution_id) VALUES ('1', 'none')`
          )
          assert.isTrue(Either.isLeft(orphan), "order id of a missing execution")
          const noStream = yield* Effect.either(
            sql`INSERT INTO events (stream_id, stream_version, event_type, schema_version, payload, metadata, recorded_at)
                VALUES ('nope', 1, 'Submitted', 1, '{}', '{}', '2025-08-29T14:00:00.000Z')`
          )
          assert.isTrue(Either.isLeft(noStream), "event of a missing stream")
        }),
        storeLayer(file)
      )
    })
  )

  it.scoped("the stock @effect/sql-sqlite-node driver runs the same store on the same file", () =>
    Effect.gen(function* () {
      const file = yield* tempFile
      const program = Effect.gen(function* () {
        const store = yield* EventStore
        const id = executionId("d-1")
        yield* store.append(id, 0, [submitted("d-1", "4001")])
        const stale = yield* Effect.flip(store.append(id, 0, [submitted("d-1", "4001")]))
        assert.strictEqual(stale._tag, "ConcurrencyError")
        const row = yield* (yield* Executions).byOrderId(orderId("4001"))
        assert.isTrue(Option.isSome(row))
        assert.deepStrictEqual(yield* (yield* Replay).verify(), [])
        return (yield* store.readStream(id)).version
      })
      assert.strictEqual(yield* Effect.provide(program, storeLayer(file, { driver: "sqlite-node" })), 1)
      // The lean driver opens what the stock one wrote, and the other way round.
      const reopened = yield* Effect.provide(
        Effect.flatMap(EventStore, (s) => s.readStream(executionId("d-1"))),
        storeLayer(file)
      )
      assert.strictEqual(reopened.version, 1)
    })
  )

  it.scoped("a file that cannot be opened is a StoreError", () =>
    Effect.gen(function* () {
      const file = yield* tempFile
      const missingDir = path.join(path.dirname(file), "no", "such", "dir", "x.db")
      assert.isFalse(fs.existsSync(path.dirname(missingDir)))
      for (const driver of ["lean", "sqlite-node"] as const) {
        const e = yield* Effect.flip(Effect.provide(EventStore, storeLayer(missingDir, { driver })))
        assert.isTrue(e._tag === "StoreError" && e.reason === "Open", driver)
      }
    })
  )
})
