import * as SqlClient from "@effect/sql/SqlClient"
import { assert, describe, it } from "@effect/vitest"
import { type ExecutionId, ExecutionId as ExecutionIdCodec } from "@fill-tracker/domain"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as fc from "fast-check"
import { EventStore, type ExecutionRow, Executions, Replay, type ReplayProgress } from "../src/index.js"
import { columns } from "../src/internal/rowColumns.js"
import { backends } from "./support/backends.js"
import { executionId, filled, legFilled, submitted } from "./support/events.js"
import { histories, numRuns } from "./support/histories.js"

const everything = Effect.gen(function* () {
  const rows = yield* (yield* Executions).query({ limit: 1_000_000 })
  const sql = yield* SqlClient.SqlClient
  const orders =
    yield* sql`SELECT order_id, execution_id FROM execution_orders ORDER BY execution_id, order_id`
  return { rows: [...rows].sort((a, b) => a.executionId.localeCompare(b.executionId)), orders }
})

/** How rebuild and verify each fail (a test of a failure: both must fail). */
const replayFailures = Effect.gen(function* () {
  const replay = yield* Replay
  return [yield* Effect.flip(replay.rebuild()), yield* Effect.flip(replay.verify())]
})

describe.each(backends)("Replay on $name", (backend) => {
  it.effect("property: the read model after live appends equals the one rebuilt from the events", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(histories, ({ schedule }) =>
          Effect.runPromise(
            Effect.scoped(
              Effect.gen(function* () {
                const location = yield* backend.fresh
                return yield* Effect.provide(
                  Effect.gen(function* () {
                    const store = yield* EventStore
                    const versions = new Map<number, number>()
                    for (const { stream, events } of schedule) {
                      const expected = versions.get(stream) ?? 0
                      const id = ExecutionIdCodec.is(`x-${stream}`)
                        ? (`x-${stream}` as ExecutionId)
                        : executionId("x")
                      const r = yield* store.append(id, expected, events)
                      versions.set(stream, r.nextExpectedVersion)
                    }
                    const live = yield* everything
                    assert.deepStrictEqual(yield* (yield* Replay).verify(), [])
                    const result = yield* (yield* Replay).rebuild()
                    assert.strictEqual(result.executions, versions.size)
                    const rebuilt = yield* everything
                    assert.deepStrictEqual(rebuilt, live)
                  }),
                  backend.layer(location, { replay: { pageSize: 3, cacheRows: 2 } })
                )
              })
            )
          )
        ),
        { numRuns: numRuns(25) }
      )
    )
  )

  it.scoped("rebuild restores a deleted read model and reports progress", () =>
    Effect.gen(function* () {
      const location = yield* backend.fresh
      yield* Effect.provide(
        Effect.gen(function* () {
          const store = yield* EventStore
          for (let i = 0; i < 12; i++) {
            const name = `r-${i}`
            yield* store.append(executionId(name), 0, [submitted(name, `${5000 + i}`)])
            yield* store.append(executionId(name), 1, [
              legFilled(name, `${5000 + i}`, "k", "10", "1.5"),
              filled(name, `${5000 + i}`)
            ])
          }
          const before = yield* everything
          const sql = yield* SqlClient.SqlClient
          yield* sql`DELETE FROM executions`
          const progress: Array<ReplayProgress> = []
          const result = yield* (yield* Replay).rebuild((p) => progress.push(p))
          assert.deepStrictEqual(result, { events: 36, executions: 12 })
          assert.deepStrictEqual(yield* everything, before)
          assert.deepStrictEqual(progress.at(-1), { processed: 36, total: 36 })
          assert.isTrue(progress.length >= 8)
          assert.isTrue(progress.every((p, i) => i === 0 || p.processed > (progress[i - 1]?.processed ?? 0)))
        }),
        backend.layer(location, { replay: { pageSize: 4, cacheRows: 3 } })
      )
    })
  )

  it.scoped("verify reports a row tampered with and leaves the live model alone", () =>
    Effect.gen(function* () {
      const location = yield* backend.fresh
      yield* Effect.provide(
        Effect.gen(function* () {
          const store = yield* EventStore
          const sql = yield* SqlClient.SqlClient
          yield* store.append(executionId("v-1"), 0, [
            submitted("v-1", "6001"),
            legFilled("v-1", "6001", "k", "2", "10")
          ])
          yield* store.append(executionId("v-2"), 0, [submitted("v-2", "6002")])
          yield* store.append(executionId("v-3"), 0, [submitted("v-3", "6003")])
          yield* sql`UPDATE executions SET filled_shares = '3', price_cents = 999 WHERE execution_id = 'v-1'`
          yield* sql`DELETE FROM executions WHERE execution_id = 'v-2'`
          yield* sql`INSERT INTO execution_orders (order_id, execution_id) VALUES ('7777', 'v-3')`
          const diffs = yield* (yield* Replay).verify()
          assert.deepStrictEqual(
            diffs.map((d) => [d.kind, d.executionId]),
            [
              ["Different", "v-1"],
              ["MissingInLive", "v-2"],
              ["OrderIndex", "v-3"],
              // The row's delete cascaded to its order id, which the rebuilt index still has.
              ["OrderIndex", "v-2"]
            ]
          )
          const first = diffs[0]
          assert.isTrue(first?.kind === "Different")
          if (first?.kind === "Different")
            assert.deepStrictEqual(first.columns, [
              { column: "filled_shares", live: "3", rebuilt: "2" },
              { column: "price_cents", live: 999n, rebuilt: 1000n }
            ])
          const tampered: ReadonlyArray<ExecutionRow> = yield* (yield* Executions).query({})
          assert.strictEqual(tampered.length, 2)
          // A live row (and its order id) the events never produced: the rebuild must drop it.
          const others = columns.filter((c) => c !== "execution_id").join(", ")
          yield* sql.unsafe(
            `INSERT INTO executions (execution_id, ${others}) SELECT 'v-ghost', ${others} FROM executions WHERE execution_id = 'v-3'`
          )
          yield* sql`INSERT INTO execution_orders (order_id, execution_id) VALUES ('7778', 'v-ghost')`
          assert.deepStrictEqual(yield* (yield* Replay).rebuild(), { events: 4, executions: 3 })
          assert.deepStrictEqual(yield* (yield* Replay).verify(), [])
          const ids = (yield* (yield* Executions).query({})).map((r) => r.executionId)
          assert.deepStrictEqual([...ids].sort(), ["v-1", "v-2", "v-3"])
        }),
        backend.layer(location)
      )
    })
  )

  it.scoped("a corrupt payload stops rebuild with its position, and the live model is kept", () =>
    Effect.gen(function* () {
      const location = yield* backend.fresh
      yield* Effect.provide(
        Effect.gen(function* () {
          const store = yield* EventStore
          const sql = yield* SqlClient.SqlClient
          yield* store.append(executionId("c-1"), 0, [submitted("c-1", "8001")])
          const { lastPosition } = yield* store.append(executionId("c-2"), 0, [submitted("c-2", "8002")])
          yield* sql`UPDATE events SET payload = ${"garbage"} WHERE position = ${lastPosition}`
          for (const e of yield* replayFailures)
            assert.isTrue(
              e._tag === "CorruptEventError" && e.position === lastPosition && e.streamId === "c-2"
            )
          assert.strictEqual((yield* (yield* Executions).query({})).length, 2)
        }),
        backend.layer(location)
      )
    })
  )

  it.scoped("a stream whose first stored event is not Submitted stops rebuild with its position", () =>
    Effect.gen(function* () {
      const location = yield* backend.fresh
      yield* Effect.provide(
        Effect.gen(function* () {
          const store = yield* EventStore
          const sql = yield* SqlClient.SqlClient
          yield* store.append(executionId("p-1"), 0, [submitted("p-1", "8101")])
          const first = yield* store.append(executionId("p-2"), 0, [submitted("p-2", "8102")])
          const { lastPosition } = yield* store.append(executionId("p-2"), 1, [
            legFilled("p-2", "8102", "k", "1", "2")
          ])
          // Tampering: the stream's Submitted event is gone, its fill now comes first.
          yield* sql`DELETE FROM events WHERE position = ${first.lastPosition}`
          const before = yield* (yield* Executions).query({})
          for (const e of yield* replayFailures)
            assert.isTrue(
              e._tag === "StoreError" &&
                e.reason === "Projection" &&
                e.detail.includes(`position ${lastPosition}`),
              String(e)
            )
          assert.deepStrictEqual(yield* (yield* Executions).query({}), before)
        }),
        backend.layer(location)
      )
    })
  )

  it.scoped(
    "verify and rebuild while another connection appends: no append slips between catch-up and compare",
    () =>
      Effect.gen(function* () {
        const location = yield* backend.fresh
        // PostgreSQL: the appender has its own connection; SQLite: one connection per process.
        const writer = yield* Layer.build(backend.layer(location, { replay: { pageSize: 7 } }))
        const replayer =
          backend.name === "postgres"
            ? yield* Layer.build(backend.layer(location, { replay: { pageSize: 7 } }))
            : writer
        const store = Context.get(writer, EventStore)
        const replay = Context.get(replayer, Replay)
        const appending = Effect.forEach(
          Array.from({ length: 60 }, (_, i) => i),
          (i) =>
            Effect.zipRight(
              store.append(executionId(`w-${i}`), 0, [submitted(`w-${i}`, `${9000 + i}`)]),
              store.append(executionId(`w-${i}`), 1, [legFilled(`w-${i}`, `${9000 + i}`, "k", "1", "2")])
            ),
          { discard: true }
        )
        const replaying = Effect.forEach(Array.from({ length: 4 }), () =>
          Effect.zipRight(replay.rebuild(), replay.verify())
        )
        const [, verified] = yield* Effect.all([appending, replaying], { concurrency: "unbounded" })
        for (const diffs of verified) assert.deepStrictEqual(diffs, [])
        assert.deepStrictEqual(yield* replay.verify(), [])
        assert.strictEqual((yield* Context.get(replayer, Executions).query({})).length, 60)
      })
  )
})
