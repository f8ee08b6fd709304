/**
 * Checkpoints of durable subscriptions: per subscription name, the global position of the
 * last event its handler finished with, in the same database as the events.
 *
 * A checkpoint only moves forward (`save` of an older position is a no-op), so a consumer
 * that saves late, twice or out of order never re-opens events it already handled.
 * `withCheckpoint` runs a handler's own SQL writes and the checkpoint advance in one
 * transaction: the handler's effect is committed exactly once per position, even when the
 * subscription redelivers it after a crash.
 *
 * Portable SQL (SQLite and PostgreSQL): `INSERT ... ON CONFLICT DO UPDATE ... WHERE ...
 * RETURNING`. The upsert is the transaction's first statement, a write, so on SQLite the
 * write lock is taken before anything is read (no stale-snapshot upgrade), and on
 * PostgreSQL the row lock makes a racing consumer of the same name wait and re-check.
 *
 * @since 0.1.0
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { StoreError } from "./errors.js"
import { orStoreError } from "./internal/sqlErrors.js"

/** @since 0.1.0 @category models */
export interface CheckpointsService {
  /** The next position to deliver to `name`: its last handled position + 1, or 0 when new. */
  readonly load: (name: string) => Effect.Effect<bigint, StoreError>
  /** Records that `name` handled everything up to and including `position`. Never moves backwards. */
  readonly save: (name: string, position: bigint) => Effect.Effect<void, StoreError>
  /**
   * Runs `effect` and advances `name` to `position` in ONE transaction: both commit or
   * neither does. When the checkpoint is already at or past `position` (a redelivery) the
   * effect is not run and the result is `None`. SQL the effect runs through the store's
   * `SqlClient` joins the transaction; its SQL failures surface as `StoreError`.
   */
  readonly withCheckpoint: <A, E, R>(
    name: string,
    position: bigint,
    effect: Effect.Effect<A, E, R>
  ) => Effect.Effect<Option.Option<A>, Exclude<E, SqlError> | StoreError, R>
}

/** @since 0.1.0 @category tags */
export class Checkpoints extends Context.Tag("@fill-tracker/store/Checkpoints")<
  Checkpoints,
  CheckpointsService
>() {}

const toBigInt = (v: unknown): bigint | undefined =>
  typeof v === "bigint"
    ? v
    : typeof v === "number" && Number.isSafeInteger(v)
      ? BigInt(v)
      : typeof v === "string" && /^\d+$/.test(v)
        ? BigInt(v)
        : undefined

const invalid = (name: string, position: bigint) =>
  name.length === 0 || position < 0n
    ? Option.some(
        new StoreError({
          reason: "InvalidArgument",
          detail:
            name.length === 0
              ? "a subscription needs a non-empty name"
              : `a checkpoint position must be natural, got ${position}`
        })
      )
    : Option.none()

/** @since 0.1.0 @category constructors */
export const make: Effect.Effect<CheckpointsService, never, SqlClient.SqlClient> = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  /** The monotonic upsert; a row comes back only when the checkpoint moved. */
  const advance = (name: string, position: bigint) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const at = new Date(now).toISOString()
      // Bound as a string where a bigint may exceed a JS number; both dialects cast it.
      const value = position.toString()
      return sql<{ position: unknown }>`INSERT INTO subscription_checkpoints (name, position, updated_at)
        VALUES (${name}, CAST(${value} AS BIGINT), ${at})
        ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at
        WHERE subscription_checkpoints.position < excluded.position
        RETURNING position`
    })

  const load: CheckpointsService["load"] = (name) =>
    sql<{ position: unknown }>`SELECT position FROM subscription_checkpoints WHERE name = ${name}`.pipe(
      orStoreError(`loading checkpoint ${name}`),
      Effect.flatMap((rows) => {
        if (rows[0] === undefined) return Effect.succeed(0n)
        const p = toBigInt(rows[0].position)
        return p === undefined
          ? Effect.fail(
              new StoreError({ reason: "CorruptRow", detail: `checkpoint ${name} is not an integer` })
            )
          : Effect.succeed(p + 1n)
      })
    )

  const save: CheckpointsService["save"] = (name, position) =>
    Option.match(invalid(name, position), {
      onSome: Effect.fail,
      onNone: () => advance(name, position).pipe(Effect.asVoid, orStoreError(`saving checkpoint ${name}`))
    })

  const withCheckpoint: CheckpointsService["withCheckpoint"] = (name, position, effect) =>
    Option.match(invalid(name, position), {
      onSome: Effect.fail,
      onNone: () =>
        sql
          .withTransaction(
            Effect.flatMap(advance(name, position), (moved) =>
              moved.length === 0 ? Effect.succeedNone : Effect.asSome(effect)
            )
          )
          .pipe(orStoreError(`handling position ${position} for ${name}`))
    })

  return { load, save, withCheckpoint }
})

/** @since 0.1.0 @category layers */
export const layer: Layer.Layer<Checkpoints, never, SqlClient.SqlClient> = Layer.effect(Checkpoints, make)
