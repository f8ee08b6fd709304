/**
 * The backends the store suite runs on: `describe.each(backends)` runs every store test on a
 * fresh SQLite file and on a fresh PostgreSQL database. One PostgreSQL cluster per test file
 * (started on first use, stopped after the file's tests); a new database per test.
 */
import * as Reactivity from "@effect/experimental/Reactivity"
import type { MigrationError } from "@effect/sql/Migrator"
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { afterAll } from "vitest"
import {
  PgStore,
  type ReplayOptions,
  type StoreError,
  type StoreRefused,
  type StoreServices
} from "../../src/index.js"
import { type Postgres, startPostgres } from "../../src/testing/postgres.js"
import { storeLayer, tempFile } from "./store.js"

export interface Backend {
  readonly name: "sqlite" | "postgres"
  /** A new, empty store location (a file path or a database URL). */
  readonly fresh: Effect.Effect<string, never, Scope.Scope>
  /** The backend's store layer on a location; two layers on one location are two connections. */
  readonly layer: (
    location: string,
    options?: { readonly replay?: ReplayOptions }
  ) => Layer.Layer<StoreServices | SqlClient.SqlClient, StoreError | StoreRefused | SqlError | MigrationError>
  /** A bare client on a location: no migrations, no services (to set up an older store). */
  readonly rawClient: (location: string) => Layer.Layer<SqlClient.SqlClient>
}

let cluster: Promise<Postgres> | undefined
afterAll(async () => {
  if (cluster !== undefined) await (await cluster).stop()
})
let databases = 0

const createDatabase = (pg: Postgres, name: string) =>
  Effect.scoped(
    Effect.flatMap(PgClient.make({ url: Redacted.make(pg.url), maxConnections: 1 }), (admin) =>
      admin.unsafe(`CREATE DATABASE ${name}`)
    )
  ).pipe(Effect.provide(Reactivity.layer), Effect.orDie)

export const sqlite: Backend = {
  name: "sqlite",
  fresh: tempFile,
  layer: (file, options = {}) => storeLayer(file, options),
  rawClient: (file) =>
    SqliteClient.layer({ filename: file }).pipe(Layer.provide(Reactivity.layer), Layer.orDie)
}

export const postgres: Backend = {
  name: "postgres",
  fresh: Effect.gen(function* () {
    cluster ??= startPostgres()
    const pg = yield* Effect.promise(() => cluster as Promise<Postgres>)
    const name = `store_test_${++databases}`
    yield* createDatabase(pg, name)
    return pg.urlOf(name)
  }),
  layer: (url, options = {}) => PgStore.layer({ url, ...options }),
  rawClient: (url) =>
    PgClient.layer({ url: Redacted.make(url), maxConnections: 1 }).pipe(
      Layer.provide(Reactivity.layer),
      Layer.orDie
    )
}

export const backends: ReadonlyArray<Backend> = [sqlite, postgres]

/** Runs `body` on a fresh store of the backend. */
export const withFreshStore =
  (backend: Backend, options: { readonly replay?: ReplayOptions } = {}) =>
  <A, E, R>(body: Effect.Effect<A, E, R>) =>
    Effect.flatMap(backend.fresh, (location) => Effect.provide(body, backend.layer(location, options)))
