/**
 * Storage for the Schwab client's encrypted token blob. The blob is opaque here: the store
 * never parses, logs or puts it in an error.
 *
 * @since 0.1.0
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { StoreError } from "./errors.js"
import { orStoreError } from "./internal/sqlErrors.js"

/** @since 0.1.0 @category models */
export interface TokenBlobStoreService {
  readonly load: (name: string) => Effect.Effect<Option.Option<string>, StoreError>
  /** Inserts or replaces the blob stored under `name`. */
  readonly save: (name: string, blob: string) => Effect.Effect<void, StoreError>
}

/** @since 0.1.0 @category tags */
export class TokenBlobStore extends Context.Tag("@fill-tracker/store/TokenBlobStore")<
  TokenBlobStore,
  TokenBlobStoreService
>() {}

/** @since 0.1.0 @category constructors */
export const make: Effect.Effect<TokenBlobStoreService, never, SqlClient.SqlClient> = Effect.gen(
  function* () {
    const sql = yield* SqlClient.SqlClient
    return {
      load: (name) =>
        sql<{ blob: unknown }>`SELECT blob FROM token_blobs WHERE name = ${name}`.pipe(
          Effect.map((rows) => {
            const blob = rows[0]?.blob
            return typeof blob === "string" ? Option.some(blob) : Option.none()
          }),
          orStoreError("loading a token blob")
        ),
      save: (name, blob) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          sql`INSERT INTO token_blobs (name, blob, updated_at) VALUES (${name}, ${blob}, ${new Date(now).toISOString()})
            ON CONFLICT (name) DO UPDATE SET blob = excluded.blob, updated_at = excluded.updated_at`.pipe(
            Effect.asVoid,
            orStoreError("saving a token blob")
          )
        )
    }
  }
)

/** @since 0.1.0 @category layers */
export const layer: Layer.Layer<TokenBlobStore, never, SqlClient.SqlClient> = Layer.effect(
  TokenBlobStore,
  make
)
