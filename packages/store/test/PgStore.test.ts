/** PostgreSQL specifics: choosing the backend by URL, the URL's password kept out of errors. */
import * as fs from "node:fs"
import * as path from "node:path"
import * as SqlClient from "@effect/sql/SqlClient"
import { assert, describe, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { EventStore, PgStore, Store } from "../src/index.js"
import { loader } from "../src/internal/migrations.js"
import { postgres } from "./support/backends.js"
import { executionId, submitted } from "./support/events.js"
import { tempFile } from "./support/store.js"

const dialect = Effect.map(SqlClient.SqlClient, (sql) =>
  sql.onDialectOrElse({ pg: () => "pg", sqlite: () => "sqlite", orElse: () => "other" })
)

describe("PgStore", () => {
  it.scoped("layerFromUrl picks PostgreSQL for postgres:// and postgresql://, else the SQLite file", () =>
    Effect.gen(function* () {
      const url = yield* postgres.fresh
      const file = yield* tempFile
      assert.isTrue(Store.isPostgresUrl(url) && Store.isPostgresUrl("postgresql://h/db"))
      assert.isFalse(Store.isPostgresUrl(file) || Store.isPostgresUrl("./postgres.db"))
      const append = Effect.zipRight(
        Effect.flatMap(EventStore, (s) => s.append(executionId("u-1"), 0, [submitted("u-1", "1")])),
        dialect
      )
      assert.strictEqual(yield* Effect.provide(append, Store.layerFromUrl(url)), "pg")
      assert.strictEqual(
        yield* Effect.provide(dialect, Store.layerFromUrl(url.replace(/^postgres:/, "postgresql:"))),
        "pg"
      )
      assert.strictEqual(yield* Effect.provide(append, Store.layerFromUrl(Redacted.make(file))), "sqlite")
      assert.isTrue(fs.existsSync(file) && path.isAbsolute(file))
    })
  )

  it.scoped("several stores starting at once on a fresh database migrate it once", () =>
    Effect.gen(function* () {
      const url = yield* postgres.fresh
      // Three pollers starting together: without the migration lock two of them race to
      // create the migrations table (42P07) or to run the same migration.
      const started = yield* Effect.all(
        Array.from({ length: 3 }, () => Layer.build(PgStore.layer({ url }))),
        { concurrency: "unbounded" }
      )
      const sql = Context.get(started[0] as Context.Context<SqlClient.SqlClient>, SqlClient.SqlClient)
      const ids = yield* sql<{
        migration_id: number
      }>`SELECT migration_id FROM store_migrations ORDER BY migration_id`
      const expected = (yield* loader).map(([id]) => id)
      assert.deepStrictEqual(
        ids.map((r) => Number(r.migration_id)),
        expected
      )
    })
  )

  it.scoped("a database that cannot be opened is a StoreError Open that never shows the password", () =>
    Effect.gen(function* () {
      const url = yield* postgres.fresh
      // The cluster's port, a database that does not exist, and a password to leak.
      const missing = url.replace("postgres@", "postgres:s3cret-pw@").replace(/\/[^/]+$/, "/no_such_db")
      const e = yield* Effect.flip(
        Effect.provide(
          EventStore,
          PgStore.layer({ url: Redacted.make(missing), connectTimeoutMillis: 5_000 })
        )
      )
      assert.isTrue(e._tag === "StoreError" && e.reason === "Open", String(e))
      const shown = `${String(e)} ${JSON.stringify(e)} ${e.message} ${String((e as { cause?: unknown }).cause)}`
      assert.notInclude(shown, "s3cret-pw")
    })
  )
})
