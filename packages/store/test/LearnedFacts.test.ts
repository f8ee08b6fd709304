/**
 * LearnedFacts on every backend: entered times (first one wins, read back in chunks, pruned
 * once no open execution follows the order), untracked reports (claimed once across
 * connections, pruned past the lookback), both kept by Replay, and a store at migration
 * 0012 refused by the guard of a binary that knows only 0011, then still working.
 */
import * as fs from "node:fs"
import * as SqlClient from "@effect/sql/SqlClient"
import { assert, describe, it } from "@effect/vitest"
import type { OrderId } from "@fill-tracker/domain"
import * as Effect from "effect/Effect"
import { EventStore, LearnedFacts, Replay, type StoreRefused } from "../src/index.js"
import { binarySchemaVersion, schemaGuardAt } from "../src/internal/migrations.js"
import { backends } from "./support/backends.js"
import { executionId, filled, replaced, submitted } from "./support/events.js"

const id = (s: string) => s as OrderId
const T = 1_764_690_000_000

describe.each(backends)("LearnedFacts on $name", (backend) => {
  it.scoped("entered times: the first learned wins, unknown orders are absent, 1200 read back at once", () =>
    Effect.gen(function* () {
      const location = yield* backend.fresh
      yield* Effect.provide(
        Effect.gen(function* () {
          const facts = yield* LearnedFacts
          yield* facts.learnEnteredTimes([{ orderId: id("1001"), enteredAt: T }])
          // Another poller learning the same order again (or a wrong second value) changes nothing.
          yield* facts.learnEnteredTimes([
            { orderId: id("1001"), enteredAt: T + 5 },
            { orderId: id("1002"), enteredAt: T + 7 }
          ])
          const read = yield* facts.enteredTimes([id("1001"), id("1002"), id("1003")])
          assert.deepStrictEqual([...read.entries()].sort(), [
            ["1001", T],
            ["1002", T + 7]
          ])
          const many = Array.from({ length: 1200 }, (_, i) => ({
            orderId: id(String(5_000_000 + i)),
            enteredAt: T + i
          }))
          yield* facts.learnEnteredTimes(many)
          const back = yield* facts.enteredTimes(many.map((f) => f.orderId))
          assert.strictEqual(back.size, 1200)
          assert.strictEqual(back.get(id("5001199")), T + 1199)
        }),
        backend.layer(location)
      )
    })
  )

  it.scoped("entered times are pruned once no open execution follows the order, and kept by Replay", () =>
    Effect.gen(function* () {
      const location = yield* backend.fresh
      yield* Effect.provide(
        Effect.gen(function* () {
          const store = yield* EventStore
          const facts = yield* LearnedFacts
          yield* store.append(executionId("open-1"), 0, [submitted("open-1", "2001")])
          yield* store.append(executionId("done-1"), 0, [submitted("done-1", "2002")])
          yield* store.append(executionId("moved-1"), 0, [submitted("moved-1", "2003")])
          yield* facts.learnEnteredTimes(
            ["2001", "2002", "2003", "2004", "9999"].map((o, i) => ({ orderId: id(o), enteredAt: T + i }))
          )
          yield* store.append(executionId("done-1"), 1, [filled("done-1", "2002")])
          yield* store.append(executionId("moved-1"), 1, [replaced("moved-1", "2003", "2004")])
          // Replay swaps the executions tables; the learned facts are not among them.
          yield* (yield* Replay).rebuild()
          const all = [id("2001"), id("2002"), id("2003"), id("2004"), id("9999")]
          assert.strictEqual((yield* facts.enteredTimes(all)).size, 5)
          assert.strictEqual(yield* facts.pruneEnteredTimes(), 3)
          // The open execution's order and the replacement it follows now stay.
          assert.deepStrictEqual([...(yield* facts.enteredTimes(all)).keys()].sort(), ["2001", "2004"])
          assert.strictEqual(yield* facts.pruneEnteredTimes(), 0)
        }),
        backend.layer(location)
      )
    })
  )

  it.scoped("an untracked order is claimed once across connections, and pruned past the lookback", () =>
    Effect.gen(function* () {
      const location = yield* backend.fresh
      const claim = (orderId: string, enteredAt: number) =>
        Effect.provide(
          Effect.flatMap(LearnedFacts, (f) => f.claimUntracked({ orderId: id(orderId), enteredAt })),
          backend.layer(location)
        )
      // Each claim on its own connection, as two pollers (or a poller before and after a restart).
      assert.isTrue(yield* claim("3001", T))
      assert.isFalse(yield* claim("3001", T))
      assert.isTrue(yield* claim("3002", T + 60_000))
      // Two claims of one new order at once: exactly one wins.
      const racing = yield* Effect.all([claim("3003", T), claim("3003", T)], { concurrency: 2 })
      assert.deepStrictEqual(racing.filter((won) => won).length, 1)
      yield* Effect.provide(
        Effect.gen(function* () {
          const facts = yield* LearnedFacts
          yield* (yield* Replay).rebuild()
          const since = (t: number) =>
            Effect.map(facts.reportedUntracked(t), (rows) => rows.map((r) => r.orderId).sort())
          assert.deepStrictEqual(yield* since(T), ["3001", "3002", "3003"])
          assert.deepStrictEqual(yield* since(T + 1), ["3002"])
          // Entered before the lookback's start: never reported again, so forgotten.
          assert.strictEqual(yield* facts.pruneUntracked(T + 1), 2)
          assert.deepStrictEqual(yield* since(0), ["3002"])
          assert.isFalse(yield* facts.claimUntracked({ orderId: id("3002"), enteredAt: T + 60_000 }))
        }),
        backend.layer(location)
      )
    })
  )

  it.scoped(
    `a store at ${binarySchemaVersion} is refused by the guard of a binary that knows ${binarySchemaVersion - 1}, unchanged, and still works`,
    () =>
      Effect.gen(function* () {
        const location = yield* backend.fresh
        yield* Effect.provide(
          Effect.gen(function* () {
            yield* (yield* EventStore).append(executionId("g-1"), 0, [submitted("g-1", "4001")])
            const facts = yield* LearnedFacts
            yield* facts.learnEnteredTimes([{ orderId: id("4001"), enteredAt: T }])
            yield* facts.claimUntracked({ orderId: id("4002"), enteredAt: T })
          }),
          backend.layer(location)
        )
        const before = backend.name === "sqlite" ? fs.readFileSync(location) : undefined
        const older = yield* Effect.flip(
          Effect.provide(schemaGuardAt(binarySchemaVersion - 1), backend.rawClient(location))
        )
        assert.strictEqual(older._tag, "StoreRefused")
        assert.strictEqual((older as StoreRefused).reason, "NewerSchema")
        assert.strictEqual((older as StoreRefused).storeVersion, binarySchemaVersion)
        if (before !== undefined) assert.isTrue(before.equals(fs.readFileSync(location)), "byte-identical")
        yield* Effect.provide(
          Effect.gen(function* () {
            const facts = yield* LearnedFacts
            assert.deepStrictEqual([...(yield* facts.enteredTimes([id("4001")])).entries()], [["4001", T]])
            assert.isFalse(yield* facts.claimUntracked({ orderId: id("4002"), enteredAt: T }))
            yield* facts.learnEnteredTimes([{ orderId: id("4003"), enteredAt: T + 1 }])
            const sql = yield* SqlClient.SqlClient
            const version = yield* sql<{ id: unknown }>`SELECT MAX(migration_id) AS id FROM store_migrations`
            assert.strictEqual(Number(version[0]?.id), binarySchemaVersion)
          }),
          backend.layer(location)
        )
      })
  )
})
