/**
 * Keeps this poller's share of the account shards leased while it runs: a background fiber
 * renews the leases, gives back the surplus over the fair share and takes free or expired
 * ones every quarter of the lease time (and the loop does so before each cycle).
 *
 * A shard being polled is never given back: a cycle polls an account inside `withLease`,
 * which counts the shard busy, and a balance (which holds the same lock) keeps busy shards
 * and removes the ones it gave back before any new poll can start on them. So a newcomer
 * gets its share within a quarter of the lease time, even while a long cycle runs.
 *
 * Lease time against the interval: the lease lives `ttlMs` (the polling interval, at least
 * 5 s) and is renewed every `ttlMs / 4`, independently of how long a cycle takes, so a
 * live poller never loses a lease to a slow cycle. A dead poller's leases expire `ttlMs`
 * after its last renewal and the others take them within another `ttlMs / 4`: its accounts
 * are leased again within 1.25 intervals and polled in the new owner's next cycle.
 *
 * A lease counts as held only until `ttlMs` after the balance that renewed it began (our
 * own clock): if renewals fail (database down, process paused) the poller stops polling
 * those accounts on time, and an append already under way is fenced by the token.
 */
import * as os from "node:os"
import type { AccountHash } from "@fill-tracker/domain"
import { type Lease, Leases, shardOf } from "@fill-tracker/store"
import { Clock, Duration, Effect, Fiber, Ref } from "effect"
import { PollerStatus } from "./PollerStatus.js"
import type { CycleLeases } from "./pollCycle.js"

export interface LeaseOptions {
  readonly pollerId: string
  readonly shards: number
  readonly ttlMs: number
}

export interface LeaseKeeper {
  /** What a cycle asks about accounts. */
  readonly cycle: CycleLeases
  /** Renews, gives back the surplus over the fair share, takes free shards. Never fails. */
  readonly rebalance: Effect.Effect<void>
  /** Stops renewing and gives every lease back, so the others take over at once. */
  readonly release: Effect.Effect<void>
}

/**
 * Owners named `<this host>-<pid>` (the default poller id) whose process is gone: a poller
 * restarted after a crash takes their leases at once instead of waiting out the expiry.
 * A reused pid only makes us wait, never take a live poller's lease.
 */
const deadOnThisHost = (owners: ReadonlyArray<string | null>): ReadonlyArray<string> => {
  const prefix = `${os.hostname()}-`
  return owners.filter((owner): owner is string => {
    if (owner === null || !owner.startsWith(prefix)) return false
    const pid = owner.slice(prefix.length)
    if (!/^\d{1,9}$/.test(pid) || Number(pid) === process.pid) return false
    try {
      process.kill(Number(pid), 0)
      return false
    } catch (e) {
      return (e as { code?: unknown }).code === "ESRCH"
    }
  })
}

interface Held {
  readonly byShard: ReadonlyMap<number, Lease>
  readonly validUntil: number
  /** Accounts being polled, per shard. */
  readonly busy: ReadonlyMap<number, number>
}

const describe = (leases: Iterable<Lease>) =>
  [...leases].map((l) => `${l.shard}@${l.token.toString()}`).join(",")

export const makeLeaseKeeper = (options: LeaseOptions) =>
  Effect.gen(function* () {
    const leases = yield* Leases
    const status = yield* PollerStatus
    // /health names a failing renewal until one succeeds: held leases then lapse on time.
    const renewal = (error: string | undefined) =>
      Ref.update(status, (s) => (s.leaseRenewalError === error ? s : { ...s, leaseRenewalError: error }))
    const held = yield* Ref.make<Held>({ byShard: new Map(), validUntil: 0, busy: new Map() })
    const lock = yield* Effect.makeSemaphore(1)

    const balance = lock.withPermits(1)(
      Effect.gen(function* () {
        const started = yield* Clock.currentTimeMillis
        const busy = [...(yield* Ref.get(held)).busy].filter(([, n]) => n > 0).map(([shard]) => shard)
        const owners = (yield* leases.rows()).map((r) => r.owner)
        const deadOwners = [...new Set(deadOnThisHost(owners))]
        const got = yield* leases.balance({ ...options, release: true, busy, deadOwners })
        const before = (yield* Ref.get(held)).byShard
        yield* Ref.update(held, (h) => ({
          ...h,
          byShard: new Map(got.map((l) => [l.shard, l])),
          validUntil: started + options.ttlMs
        }))
        yield* renewal(undefined)
        const changed = got.length !== before.size || got.some((l) => before.get(l.shard)?.token !== l.token)
        if (changed)
          yield* Effect.logInfo("poller leases changed").pipe(
            Effect.annotateLogs({
              poller: options.pollerId,
              leases: describe(got),
              was: describe(before.values())
            })
          )
      }).pipe(
        Effect.catchAll((e) =>
          Effect.zipRight(
            renewal(e.message),
            Effect.logWarning("renewing poller leases failed; they lapse unless a later try succeeds").pipe(
              Effect.annotateLogs({ poller: options.pollerId, error: e.message })
            )
          )
        )
      )
    )

    const renewer = yield* Effect.forkDaemon(
      Effect.forever(Effect.zipRight(Effect.sleep(Duration.millis(options.ttlMs / 4)), balance))
    )

    const leaseOf = (account: AccountHash) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const h = yield* Ref.get(held)
        return now < h.validUntil ? h.byShard.get(shardOf(account, options.shards)) : undefined
      })

    const inUse = (shard: number, by: 1 | -1) =>
      Ref.update(held, (h) => {
        const busy = new Map(h.busy)
        busy.set(shard, (busy.get(shard) ?? 0) + by)
        return { ...h, busy }
      })

    /** Completes when this tenure of the shard is no longer held (not renewed in time, or lost). */
    const lapse = (lease: Lease): Effect.Effect<void> =>
      Effect.gen(function* () {
        for (;;) {
          const now = yield* Clock.currentTimeMillis
          const h = yield* Ref.get(held)
          if (now >= h.validUntil || h.byShard.get(lease.shard)?.token !== lease.token) return
          yield* Effect.sleep(Duration.millis(h.validUntil - now))
        }
      })

    // Taken under the balance lock, so a balance never gives back a shard that just became busy.
    // The poll is cut when the tenure lapses: past that another poller may own the shard.
    const withLease: CycleLeases["withLease"] = (account, f) =>
      Effect.acquireUseRelease(
        lock.withPermits(1)(
          Effect.tap(leaseOf(account), (lease) => (lease === undefined ? Effect.void : inUse(lease.shard, 1)))
        ),
        (lease) =>
          lease === undefined
            ? f(lease)
            : Effect.raceFirst(
                f(lease),
                // Interruptible even when the poll is not: the race waits for its loser, and an
                // uncuttable watch would sleep on while renewals push its wake-up later.
                Effect.interruptible(
                  Effect.zipRight(
                    lapse(lease),
                    Effect.logWarning("lease lapsed while polling; the rest is left to its new owner").pipe(
                      Effect.annotateLogs({ poller: options.pollerId, shard: lease.shard })
                    )
                  )
                )
              ),
        (lease) => (lease === undefined ? Effect.void : inUse(lease.shard, -1))
      )

    // A shard is held while some poller's lease on it has not expired (by our clock, as the
    // store's balance judges it). Unreadable leases leave the question open: the renewals
    // report that failure.
    const unheld: CycleLeases["unheld"] = (accounts) =>
      Effect.gen(function* () {
        if (accounts.length === 0) return []
        const rows = yield* leases.rows()
        const now = yield* Clock.currentTimeMillis
        const live = new Set(rows.filter((r) => r.owner !== null && r.expiresAt > now).map((r) => r.shard))
        return accounts.filter((a) => !live.has(shardOf(a, options.shards)))
      }).pipe(Effect.orElseSucceed((): ReadonlyArray<AccountHash> => []))

    return {
      cycle: { pollerId: options.pollerId, leaseOf, withLease, unheld },
      rebalance: balance,
      release: Effect.gen(function* () {
        yield* Fiber.interrupt(renewer)
        yield* Ref.update(held, (h) => ({ ...h, byShard: new Map(), validUntil: 0 }))
        yield* leases
          .release(options.pollerId)
          .pipe(
            Effect.catchAll((e) =>
              Effect.logWarning("releasing poller leases failed; they expire on their own").pipe(
                Effect.annotateLogs({ error: e.message })
              )
            )
          )
      })
    } satisfies LeaseKeeper
  })
