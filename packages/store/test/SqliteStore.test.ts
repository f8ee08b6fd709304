import * as fs from "node:fs"
import * as path from "node:path"
import * as SqlClient from "@effect/sql/SqlClient"
import { assert, describe, it } from "@effect/vitest"
import { OrderId } from "@fill-tracker/domain"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { EventStore, Executions, Replay } from "../src/index.js"
import { executionId, submitted } from "./support/events.js"
import { storeLayer, tempFile } from "./support/store.js"

const orderId = (s: string) => (OrderId.is(s) ? s : Option.getOrThrow(Option.none()))

describe("SqliteStore", () => {
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
