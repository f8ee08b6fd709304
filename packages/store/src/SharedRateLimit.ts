/**
 * A request budget kept in the database, shared by every process that uses it: Schwab's
 * 120 requests a minute belong to the app key, not to one poller.
 *
 * A sliding window, like the client's in-process limiter: the budget `name` has up to
 * `limit` slots (made on demand), each holding the time it was last granted. A request takes a slot granted at
 * least `windowMs` ago with one conditional UPDATE, so no window of `windowMs` ever holds
 * more than `limit` grants, whatever the number of processes:
 *
 *   UPDATE rate_budget SET granted_at = now
 *   WHERE name = ? AND slot = (oldest free slot) AND granted_at <= now - window
 *
 * The outer `granted_at` condition is what makes it atomic on PostgreSQL: a racer that
 * picked the same slot re-checks it on the locked row, sees the fresh grant and gets no
 * row back (then tries again). SQLite serialises writers anyway. When every slot is
 * younger than the window, the caller sleeps until the oldest one frees.
 *
 * @since 0.2.0
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import type { StoreError } from "./errors.js"
import { isBusy, orStoreError } from "./internal/sqlErrors.js"

/** @since 0.2.0 @category models */
export interface SharedRateLimitService {
  /**
   * Waits until budget `name` has a free slot (at most `limit` grants per `windowMs`), takes
   * it, and returns the grant time as stored: never earlier than the moment `take` returned.
   */
  readonly take: (name: string, limit: number, windowMs: number) => Effect.Effect<number, StoreError>
  /**
   * Takes a slot if one is free now, else takes nothing and tells how long until the oldest
   * frees: for a budget whose wait would be far too long to sleep through (a day's).
   */
  readonly tryTake: (
    name: string,
    limit: number,
    windowMs: number
  ) => Effect.Effect<
    | { readonly granted: true; readonly grantedAt: number }
    | { readonly granted: false; readonly retryAfterMs: number },
    StoreError
  >
  /** Grants of budget `name` younger than `windowMs` (for health and tests). */
  readonly inWindow: (name: string, windowMs: number) => Effect.Effect<number, StoreError>
}

/** @since 0.2.0 @category tags */
export class SharedRateLimit extends Context.Tag("@fill-tracker/store/SharedRateLimit")<
  SharedRateLimit,
  SharedRateLimitService
>() {}

const busyRetry = Schedule.exponential("10 millis").pipe(
  Schedule.jittered,
  Schedule.intersect(Schedule.recurs(8))
)

/** @since 0.2.0 @category constructors */
export const make: Effect.Effect<SharedRateLimitService, never, SqlClient.SqlClient> = Effect.gen(
  function* () {
    const sql = yield* SqlClient.SqlClient
    /** One attempt: the grant time when a slot was taken, else how long to wait before the next try. */
    const attempt = (
      name: string,
      limit: number,
      windowMs: number
    ): Effect.Effect<{ readonly grantedAt: number } | { readonly waitMs: number }, SqlError> =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const freeBefore = now - windowMs
        const taken = yield* sql<{ slot: unknown }>`UPDATE rate_budget SET granted_at = ${now}
          WHERE name = ${name} AND granted_at <= ${freeBefore} AND slot = (
            SELECT slot FROM rate_budget
            WHERE name = ${name} AND slot < ${limit} AND granted_at <= ${freeBefore}
            ORDER BY granted_at, slot LIMIT 1
          )
          RETURNING slot`
        let slot = taken[0]?.slot
        if (slot === undefined) {
          const seen = yield* sql<{ n: unknown; at: unknown }>`SELECT COUNT(*) AS n, MIN(granted_at) AS at
            FROM rate_budget WHERE name = ${name} AND slot < ${limit}`
          const n = Number(seen[0]?.n ?? 0)
          // Slots are made on demand, numbered 0.. without gaps: a racer making the same one
          // wins the primary key and this attempt starts over.
          if (n < limit) {
            const made = yield* sql<{ slot: unknown }>`INSERT INTO rate_budget (name, slot, granted_at)
              VALUES (${name}, ${n}, ${now}) ON CONFLICT (name, slot) DO NOTHING RETURNING slot`
            if (made[0] === undefined) return { waitMs: 0 }
            slot = made[0].slot
          } else return { waitMs: Math.max(1, Number(seen[0]?.at ?? 0) + windowMs - now) }
        }
        // The grant must not look older than it is: a wait for a pooled connection or a row
        // lock between reading the clock and the UPDATE would otherwise free the slot early.
        const after = yield* Clock.currentTimeMillis
        if (after > now)
          yield* sql`UPDATE rate_budget SET granted_at = ${after}
            WHERE name = ${name} AND slot = ${Number(slot)} AND granted_at = ${now}`
        return { grantedAt: after }
      })

    const take: SharedRateLimitService["take"] = (name, limit, windowMs) => {
      const slots = Math.max(1, Math.floor(limit))
      const loop: Effect.Effect<number, SqlError> = Effect.flatMap(
        attempt(name, slots, windowMs).pipe(Effect.retry({ schedule: busyRetry, while: (e) => isBusy(e) })),
        (result) =>
          "grantedAt" in result
            ? Effect.succeed(result.grantedAt)
            : // Spread the wake-ups so waiting processes do not all retry on the same tick.
              Effect.flatMap(Random.nextIntBetween(0, 20), (spread) =>
                Effect.zipRight(Effect.sleep(Duration.millis(result.waitMs + spread)), loop)
              )
      )
      return loop.pipe(orStoreError(`taking from budget ${name}`))
    }

    const tryTake: SharedRateLimitService["tryTake"] = (name, limit, windowMs) => {
      const slots = Math.max(1, Math.floor(limit))
      const once = attempt(name, slots, windowMs).pipe(
        Effect.retry({ schedule: busyRetry, while: (e) => isBusy(e) })
      )
      // waitMs 0 is a racer that made the same new slot: try again at once.
      const loop: Effect.Effect<
        | { readonly granted: true; readonly grantedAt: number }
        | { readonly granted: false; readonly retryAfterMs: number },
        SqlError
      > = Effect.flatMap(once, (result) =>
        "grantedAt" in result
          ? Effect.succeed({ granted: true as const, grantedAt: result.grantedAt })
          : result.waitMs === 0
            ? loop
            : Effect.succeed({ granted: false as const, retryAfterMs: result.waitMs })
      )
      return loop.pipe(orStoreError(`taking from budget ${name}`))
    }

    const inWindow: SharedRateLimitService["inWindow"] = (name, windowMs) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        sql<{ n: unknown }>`SELECT COUNT(*) AS n FROM rate_budget
          WHERE name = ${name} AND granted_at > ${now - windowMs}`.pipe(
          Effect.map((rows) => Number(rows[0]?.n ?? 0)),
          orStoreError(`reading budget ${name}`)
        )
      )

    return { take, tryTake, inWindow }
  }
)

/** @since 0.2.0 @category layers */
export const layer: Layer.Layer<SharedRateLimit, never, SqlClient.SqlClient> = Layer.effect(
  SharedRateLimit,
  make
)
