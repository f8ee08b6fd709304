/**
 * Leases that split the pollers' work: accounts are hashed into `shards`, and each shard
 * is leased by one poller at a time, with an expiry and a fencing token.
 *
 * - A lease is taken atomically by a conditional `UPDATE ... WHERE owner IS NULL OR
 *   expires_at <= now RETURNING`: of two pollers racing for a free shard exactly one gets
 *   a row back (SQLite serialises writers; PostgreSQL re-checks the WHERE on the locked row).
 * - The token is a counter kept in the lease row. It grows by one on every acquisition (a
 *   new owner, or the same owner after its lease lapsed) and never on a renewal, so a
 *   token names one uninterrupted tenure. `EventStore.append` with a `fence` checks it in
 *   the append's transaction: a stale poller cannot append once anyone took the shard over.
 * - Fair split: live pollers keep a heartbeat row; each holds at most
 *   ceil(shards / live pollers) and, when asked to (`release: true`), gives back the rest
 *   it is not busy with, so a newcomer finds free shards.
 *
 * Times are epoch milliseconds from each poller's clock (`Clock`): pollers on different
 * machines need clocks within a small fraction of the lease time of each other.
 *
 * @since 0.2.0
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import type { StoreError } from "./errors.js"
import { isBusy, orStoreError } from "./internal/sqlErrors.js"

/** One shard held, with the token of this tenure. @since 0.2.0 @category models */
export interface Lease {
  readonly shard: number
  readonly token: bigint
}

/** A lease row as stored, for status pages and tests. @since 0.2.0 @category models */
export interface LeaseRow {
  readonly shard: number
  readonly owner: string | null
  readonly token: bigint
  readonly expiresAt: number
}

/** @since 0.2.0 @category models */
export interface BalanceOptions {
  readonly pollerId: string
  readonly shards: number
  /** How long a lease (and the heartbeat) lives without renewal. */
  readonly ttlMs: number
  /** Give back shards over the fair share (never one named in `busy`). */
  readonly release: boolean
  /** Shards being polled right now: kept even when over the fair share. */
  readonly busy?: ReadonlyArray<number>
  /**
   * Pollers known to be dead (e.g. a crashed process on this host): their leases are taken
   * at once instead of after the expiry, and their heartbeats dropped.
   */
  readonly deadOwners?: ReadonlyArray<string>
}

/** @since 0.2.0 @category models */
export interface LeasesService {
  /** Heartbeat, renew own leases, optionally release the surplus, take free ones up to the fair share. */
  readonly balance: (options: BalanceOptions) => Effect.Effect<ReadonlyArray<Lease>, StoreError>
  /** Gives back every lease of `pollerId` and removes its heartbeat (graceful stop). */
  readonly release: (pollerId: string) => Effect.Effect<void, StoreError>
  /** Every lease row, by shard. */
  readonly rows: () => Effect.Effect<ReadonlyArray<LeaseRow>, StoreError>
}

/** @since 0.2.0 @category tags */
export class Leases extends Context.Tag("@fill-tracker/store/Leases")<Leases, LeasesService>() {}

/**
 * An append carried a fencing token the shard's lease no longer has: another poller took
 * the shard over. Nothing was written.
 *
 * @since 0.2.0
 * @category errors
 */
export class FencedOut extends Data.TaggedError("FencedOut")<{
  readonly reason: "LeaseLost"
  readonly shard: number
  readonly token: bigint
}> {
  override get message(): string {
    return `the lease on shard ${this.shard} no longer carries token ${this.token}: another poller owns it`
  }
}

/** The fencing check an append runs in its transaction. @since 0.2.0 @category models */
export interface Fence {
  readonly shard: number
  readonly token: bigint
}

/**
 * The shard of a key (an account hash): FNV-1a, so every poller and every process agrees.
 *
 * @since 0.2.0
 * @category constructors
 */
export const shardOf = (key: string, shards: number): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h % Math.max(1, Math.floor(shards))
}

const busyRetry = Schedule.exponential("20 millis").pipe(
  Schedule.jittered,
  Schedule.intersect(Schedule.recurs(6))
)

const retryBusy = <A, E, R>(self: Effect.Effect<A, E | SqlError, R>) =>
  Effect.retry(self, {
    schedule: busyRetry,
    while: (e) => (e as { _tag?: unknown })._tag === "SqlError" && isBusy(e as SqlError)
  })

/** A poller id or owner read back as text or null. */
const ownerOf = (v: unknown): string | null => (typeof v === "string" ? v : null)

/** @since 0.2.0 @category constructors */
export const make: Effect.Effect<LeasesService, never, SqlClient.SqlClient> = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  const ensureShards = (shards: number) =>
    sql`INSERT INTO poller_leases ${sql.insert(
      Array.from({ length: shards }, (_, shard) => ({ shard, owner: null, token: 0, expires_at: 0 }))
    )} ON CONFLICT (shard) DO NOTHING`

  const balance: LeasesService["balance"] = (o) =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const until = now + o.ttlMs
      yield* sql`INSERT INTO pollers (poller_id, expires_at) VALUES (${o.pollerId}, ${until})
        ON CONFLICT (poller_id) DO UPDATE SET expires_at = excluded.expires_at`
      yield* sql`DELETE FROM pollers WHERE expires_at <= ${now}`
      const dead = (o.deadOwners ?? []).filter((d) => d !== o.pollerId)
      if (dead.length > 0) yield* sql`DELETE FROM pollers WHERE ${sql.in("poller_id", dead)}`
      // An impossible owner name keeps `IN (...)` valid when nobody is known dead.
      const deadList = dead.length > 0 ? dead : [""]
      const live = yield* sql<{ n: unknown }>`SELECT COUNT(*) AS n FROM pollers WHERE expires_at > ${now}`
      const fair = Math.ceil(o.shards / Math.max(1, Number(live[0]?.n ?? 1)))
      const existing = yield* sql<{ n: unknown }>`SELECT COUNT(*) AS n FROM poller_leases`
      if (Number(existing[0]?.n ?? 0) < o.shards) yield* ensureShards(o.shards)

      // Renewal keeps the token: the tenure goes on. A lapsed lease is not renewed here.
      const renewed = yield* sql<{ shard: unknown; token: unknown }>`UPDATE poller_leases
        SET expires_at = ${until}
        WHERE owner = ${o.pollerId} AND expires_at > ${now} AND shard < ${o.shards}
        RETURNING shard, token`
      let held: Array<Lease> = renewed
        .map((r) => ({ shard: Number(r.shard), token: BigInt(r.token as bigint) }))
        .sort((a, b) => a.shard - b.shard)

      const busy = new Set(o.busy ?? [])
      const surplus = o.release
        ? held
            .filter((l) => !busy.has(l.shard))
            .reverse()
            .slice(0, Math.max(0, held.length - fair))
        : []
      if (surplus.length > 0) {
        held = held.filter((l) => !surplus.includes(l))
        yield* sql`UPDATE poller_leases SET owner = NULL, expires_at = 0
          WHERE owner = ${o.pollerId} AND ${sql.in(
            "shard",
            surplus.map((l) => l.shard)
          )}`
      }
      if (held.length < fair) {
        const free = yield* sql<{ shard: unknown }>`SELECT shard FROM poller_leases
          WHERE (owner IS NULL OR expires_at <= ${now} OR ${sql.in("owner", deadList)}) AND shard < ${o.shards}
          ORDER BY shard`
        // Start at a poller-specific place so racing pollers mostly try different shards.
        const candidates = free.map((r) => Number(r.shard))
        const start = candidates.length === 0 ? 0 : shardOf(o.pollerId, candidates.length)
        const ordered = [...candidates.slice(start), ...candidates.slice(0, start)]
        for (const shard of ordered) {
          if (held.length >= fair) break
          const taken = yield* sql<{ token: unknown }>`UPDATE poller_leases
            SET owner = ${o.pollerId}, token = token + 1, expires_at = ${until}
            WHERE shard = ${shard} AND (owner IS NULL OR expires_at <= ${now} OR ${sql.in("owner", deadList)})
            RETURNING token`
          const row = taken[0]
          if (row !== undefined) held.push({ shard, token: BigInt(row.token as bigint) })
        }
      }
      return held.sort((a, b) => a.shard - b.shard) as ReadonlyArray<Lease>
    }).pipe(retryBusy, orStoreError("balancing poller leases"))

  const release: LeasesService["release"] = (pollerId) =>
    Effect.gen(function* () {
      yield* sql`UPDATE poller_leases SET owner = NULL, expires_at = 0 WHERE owner = ${pollerId}`
      yield* sql`DELETE FROM pollers WHERE poller_id = ${pollerId}`
    }).pipe(retryBusy, orStoreError("releasing poller leases"))

  const rows: LeasesService["rows"] = () =>
    sql<{
      shard: unknown
      owner: unknown
      token: unknown
      expires_at: unknown
    }>`SELECT shard, owner, token, expires_at FROM poller_leases ORDER BY shard`.pipe(
      Effect.map((rs) =>
        rs.map(
          (r): LeaseRow => ({
            shard: Number(r.shard),
            owner: ownerOf(r.owner),
            token: BigInt(r.token as bigint),
            expiresAt: Number(r.expires_at)
          })
        )
      ),
      orStoreError("reading poller leases")
    )

  return { balance, release, rows }
})

/** @since 0.2.0 @category layers */
export const layer: Layer.Layer<Leases, never, SqlClient.SqlClient> = Layer.effect(Leases, make)

/**
 * The fencing check's statement, for the append to run on its held connection: no row
 * means the token is stale. On PostgreSQL `FOR SHARE` makes a takeover (an UPDATE of the
 * row) wait for the in-flight append to commit, and the append wait for a takeover.
 */
export const fenceStatement = (sql: SqlClient.SqlClient, fence: Fence) => {
  const lock = sql.onDialectOrElse({
    pg: () => sql.literal("FOR SHARE"),
    orElse: () => sql.literal("")
  })
  return sql<{
    shard: unknown
  }>`SELECT shard FROM poller_leases WHERE shard = ${fence.shard} AND token = ${Number(fence.token)} ${lock}`
}
