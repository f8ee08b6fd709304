/** The schema on every backend: migrations run once, CHECK constraints and foreign keys hold. */
import * as SqlClient from "@effect/sql/SqlClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { EventStore } from "../src/index.js"
import { loader } from "../src/internal/migrations.js"
import { backends } from "./support/backends.js"
import { executionId, submitted } from "./support/events.js"

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

/** An intent to place: PENDING, no order id yet, nothing heard from Schwab. */
const pendingRow = {
  ...validRow,
  status: "PENDING",
  state: "PENDING",
  order_id: null,
  original_order_id: null
}
/** An intent that found no order: FAILED without an order id or broker status. */
const notPlacedRow = {
  ...pendingRow,
  status: "FAILED",
  state: "NOT_PLACED",
  reason: "not placed",
  failed_at: "2025-08-29T14:03:00.000Z"
}

describe.each(backends)("the schema on $name", (backend) => {
  it.scoped("migrations run once and are a no-op on restart; data survives the reopen", () =>
    Effect.gen(function* () {
      const location = yield* backend.fresh
      const open = <A, E>(body: Effect.Effect<A, E, SqlClient.SqlClient | EventStore>) =>
        Effect.provide(body, backend.layer(location))
      yield* open(Effect.flatMap(EventStore, (s) => s.append(executionId("m-1"), 0, [submitted("m-1", "1")])))
      const expected = (yield* loader).map(([id]) => id)
      assert.isAtLeast(expected.length, 4)
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
        assert.deepStrictEqual(migrations, expected)
        assert.strictEqual(version, 1)
      }
    })
  )

  it.scoped("CHECK constraints and foreign keys reject invalid rows written directly", () =>
    Effect.gen(function* () {
      const location = yield* backend.fresh
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
            { ...validRow, state: "PARTIALLY_FILLED", filled_shares: "2.5" },
            pendingRow,
            notPlacedRow,
            { ...notPlacedRow, state: "PLACEMENT_AMBIGUOUS", reason: "orders 1, 2 both match" },
            { ...validRow, direction: "SELL_SHORT" },
            { ...validRow, direction: "BUY_TO_COVER" }
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
            ["version 0", { ...validRow, stream_version: 0 }],
            ["PENDING with an order id", { ...pendingRow, order_id: "1001", original_order_id: "1001" }],
            ["PENDING of another state", { ...pendingRow, state: "SUBMITTED" }],
            ["SUBMITTED without an original order id", { ...validRow, original_order_id: null }],
            ["PENDING with a broker status", { ...pendingRow, broker_status: "WORKING" }],
            ["PENDING with a flag", { ...pendingRow, flag_count: 1, last_flag_kind: "Overfill" }],
            ["PENDING with failed_at", { ...pendingRow, failed_at: "2025-08-29T14:03:00.000Z" }],
            ["NOT_PLACED with an order id", { ...notPlacedRow, order_id: "1001", original_order_id: "1001" }],
            ["NOT_PLACED with filled shares", { ...notPlacedRow, filled_shares: "1" }],
            ["NOT_PLACED with a price", { ...notPlacedRow, price_cents: 100, average_price: "1" }],
            ["NOT_PLACED without reason", { ...notPlacedRow, reason: null }],
            ["CANCELED without an order id", { ...failedRow, order_id: null, original_order_id: null }],
            ["CANCELED without broker status", { ...failedRow, broker_status: null }]
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
        backend.layer(location)
      )
    })
  )
})
