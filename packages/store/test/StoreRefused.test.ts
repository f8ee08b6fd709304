/** Stores refused before anything is written: newer schema, missing file, damaged file. */
import * as fs from "node:fs"
import * as SqlClient from "@effect/sql/SqlClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { EventStore, SqliteStore, type StoreRefused } from "../src/index.js"
import { binarySchemaVersion } from "../src/internal/migrations.js"
import { backends } from "./support/backends.js"
import { executionId, legFilled, submitted } from "./support/events.js"
import { tempFile } from "./support/store.js"

const refusal = <A, E>(layer: Layer.Layer<A, E>) =>
  Effect.flip(Effect.scoped(Layer.build(layer))) as Effect.Effect<E | StoreRefused>

const seed = Effect.gen(function* () {
  const store = yield* EventStore
  yield* store.append(executionId("e-1"), 0, [submitted("e-1", "1001")])
  for (let i = 0; i < 200; i++)
    yield* store.append(executionId("e-1"), i + 1, [legFilled("e-1", "1001", `k:${i}`, "1", "10")])
})

describe.each(backends)("a store migrated by a newer binary on $name", (backend) => {
  it.scoped("is refused, naming both versions, and nothing is written", () =>
    Effect.gen(function* () {
      const location = yield* backend.fresh
      yield* Effect.provide(
        Effect.gen(function* () {
          yield* seed
          const sql = yield* SqlClient.SqlClient
          yield* sql`INSERT INTO store_migrations (migration_id, name) VALUES (${binarySchemaVersion + 1}, 'from_the_future')`
        }),
        backend.layer(location)
      )
      const before = backend.name === "sqlite" ? fs.readFileSync(location) : undefined
      const e = yield* refusal(backend.layer(location))
      assert.strictEqual(e._tag, "StoreRefused")
      const refused = e as StoreRefused
      assert.strictEqual(refused.reason, "NewerSchema")
      assert.strictEqual(refused.storeVersion, binarySchemaVersion + 1)
      assert.strictEqual(refused.binaryVersion, binarySchemaVersion)
      assert.include(refused.message, `schema version ${binarySchemaVersion + 1}`)
      assert.include(refused.message, `(${binarySchemaVersion})`)
      if (before !== undefined) {
        assert.isTrue(before.equals(fs.readFileSync(location)), "the file is byte-identical")
        const wal = `${location}-wal`
        assert.isTrue(!fs.existsSync(wal) || fs.statSync(wal).size === 0, "nothing in the WAL either")
      }
    })
  )
})

describe("the SQLite file", () => {
  it.scoped("is not created by a store that must exist, and is by one that may create it", () =>
    Effect.gen(function* () {
      const file = yield* tempFile
      const e = yield* refusal(SqliteStore.layer({ filename: file, mustExist: true }))
      assert.strictEqual(e._tag, "StoreRefused")
      assert.strictEqual((e as StoreRefused).reason, "MissingFile")
      assert.isFalse(fs.existsSync(file))
      yield* Effect.scoped(Layer.build(SqliteStore.layer({ filename: file })))
      assert.isTrue(fs.existsSync(file))
      yield* Effect.scoped(Layer.build(SqliteStore.layer({ filename: file, mustExist: true })))
    })
  )

  it.scoped("damaged in a page the start-up does not read is found by quick_check", () =>
    Effect.gen(function* () {
      const file = yield* tempFile
      const page = yield* Effect.provide(
        Effect.gen(function* () {
          yield* seed
          const sql = yield* SqlClient.SqlClient
          const rows = yield* sql<{
            rootpage: number
          }>`SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex_events_1'`
          const size = yield* sql<{ page_size: number }>`PRAGMA page_size`
          return { number: rows[0]?.rootpage ?? 0, size: size[0]?.page_size ?? 4096 }
        }),
        SqliteStore.layer({ filename: file })
      )
      assert.isAbove(page.number, 1)
      const fd = fs.openSync(file, "r+")
      fs.writeSync(fd, Buffer.alloc(page.size, 0xa5), 0, page.size, (page.number - 1) * page.size)
      fs.closeSync(fd)
      // Without the check the damage goes unseen at start-up...
      yield* Effect.scoped(Layer.build(SqliteStore.layer({ filename: file })))
      // ...with it, the store is refused.
      const e = yield* refusal(SqliteStore.layer({ filename: file, quickCheckMillis: 60_000 }))
      assert.strictEqual(e._tag, "StoreRefused")
      assert.strictEqual((e as StoreRefused).reason, "Corrupt")
      assert.include((e as StoreRefused).message, "quick_check")
    })
  )

  it.scoped("that is not a database at all is refused as damaged", () =>
    Effect.gen(function* () {
      const file = yield* tempFile
      fs.writeFileSync(file, Buffer.alloc(8192, 0x5a))
      for (const driver of ["sqlite-node", "lean"] as const) {
        const e = yield* refusal(SqliteStore.layer({ filename: file, driver }))
        assert.strictEqual(e._tag, "StoreRefused", driver)
        assert.strictEqual((e as StoreRefused).reason, "Corrupt", driver)
      }
    })
  )

  it.scoped("a sound file passes quick_check", () =>
    Effect.gen(function* () {
      const file = yield* tempFile
      yield* Effect.provide(seed, SqliteStore.layer({ filename: file }))
      const stream = yield* Effect.provide(
        Effect.flatMap(EventStore, (store) => store.readStream(executionId("e-1"))),
        SqliteStore.layer({ filename: file, quickCheckMillis: 60_000 })
      )
      assert.strictEqual(stream.version, 201)
    })
  )
})
