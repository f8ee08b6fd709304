import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as TestClock from "effect/TestClock"
import { EventStore, type Lease, Leases, shardOf } from "../src/index.js"
import { backends } from "./support/backends.js"
import { executionId, legFilled, submitted } from "./support/events.js"

const TTL = 1_000

const balance = (pollerId: string, shards: number, release = true, ttlMs = TTL) =>
  Effect.flatMap(Leases, (l) => l.balance({ pollerId, shards, ttlMs, release }))

/**
 * The racing test runs on the real clock: with the 1 s TTL a poller slowed past a second
 * under load found an earlier one's fresh leases already expired and took them, and the
 * test saw a shard granted twice. An hour never expires within the test, so only the race
 * decides.
 */
const LIVE_TTL = 3_600_000

const pairs = (leases: ReadonlyArray<Lease>) => leases.map((l) => [l.shard, Number(l.token)])

describe.each(backends)("Leases on $name", (backend) => {
  it.scoped("a lone poller owns every shard; renewing keeps the token", () =>
    Effect.gen(function* () {
      const location = yield* backend.fresh
      const run = <A, E>(e: Effect.Effect<A, E, Leases>) => Effect.provide(e, backend.layer(location))
      const first = yield* run(balance("a", 4))
      assert.deepStrictEqual(pairs(first), [
        [0, 1],
        [1, 1],
        [2, 1],
        [3, 1]
      ])
      yield* TestClock.adjust(TTL / 2)
      assert.deepStrictEqual(pairs(yield* run(balance("a", 4))), pairs(first))
      yield* TestClock.adjust(TTL / 2)
      // Renewed at TTL/2, so still held at TTL, with the same token.
      assert.deepStrictEqual(pairs(yield* run(balance("a", 4))), pairs(first))
    })
  )

  it.scoped("a second poller gets its fair share once the first releases the surplus", () =>
    Effect.gen(function* () {
      const location = yield* backend.fresh
      const a = <A, E>(e: Effect.Effect<A, E, Leases>) => Effect.provide(e, backend.layer(location))
      const b = <A, E>(e: Effect.Effect<A, E, Leases>) => Effect.provide(e, backend.layer(location))
      assert.strictEqual((yield* a(balance("a", 4))).length, 4)
      // Two live pollers now, but every shard is held: b waits.
      assert.deepStrictEqual(yield* b(balance("b", 4)), [])
      const kept = yield* a(balance("a", 4))
      assert.strictEqual(kept.length, 2)
      const taken = yield* b(balance("b", 4))
      assert.strictEqual(taken.length, 2)
      assert.deepStrictEqual(
        [...kept, ...taken].map((l) => l.shard).sort(),
        [0, 1, 2, 3],
        "every shard has exactly one owner"
      )
      // A changed owner means a new token: a's tenure was 1, b's is 2.
      for (const l of taken) assert.strictEqual(l.token, 2n)
      const rows = yield* a(Effect.flatMap(Leases, (l) => l.rows()))
      assert.deepStrictEqual(
        rows.map((r) => r.owner),
        [0, 1, 2, 3].map((s) => (kept.some((k) => k.shard === s) ? "a" : "b"))
      )
    })
  )

  it.scoped("a busy shard is kept even over the fair share; the others are given back", () =>
    Effect.gen(function* () {
      const location = yield* backend.fresh
      const a = <A, E>(e: Effect.Effect<A, E, Leases>) => Effect.provide(e, backend.layer(location))
      const b = <A, E>(e: Effect.Effect<A, E, Leases>) => Effect.provide(e, backend.layer(location))
      assert.strictEqual((yield* a(balance("a", 4))).length, 4)
      assert.deepStrictEqual(yield* b(balance("b", 4)), [])
      // Fair share 2; shards 2 and 3 are being polled, so 0 and 1 go back.
      const kept = yield* a(
        Effect.flatMap(Leases, (l) =>
          l.balance({ pollerId: "a", shards: 4, ttlMs: TTL, release: true, busy: [2, 3] })
        )
      )
      assert.deepStrictEqual(
        kept.map((l) => l.shard),
        [2, 3]
      )
      assert.deepStrictEqual(
        (yield* b(balance("b", 4))).map((l) => l.shard),
        [0, 1]
      )
    })
  )

  it.scoped("a dead poller's shards are taken over after the expiry, with higher tokens", () =>
    Effect.gen(function* () {
      const location = yield* backend.fresh
      const a = <A, E>(e: Effect.Effect<A, E, Leases>) => Effect.provide(e, backend.layer(location))
      const b = <A, E>(e: Effect.Effect<A, E, Leases>) => Effect.provide(e, backend.layer(location))
      const before = yield* a(balance("a", 3))
      assert.deepStrictEqual(yield* b(balance("b", 3)), [])
      yield* TestClock.adjust(TTL - 1)
      assert.deepStrictEqual(yield* b(balance("b", 3)), [], "not before the lease expires")
      yield* TestClock.adjust(1)
      const after = yield* b(balance("b", 3))
      assert.deepStrictEqual(
        after.map((l) => l.shard),
        [0, 1, 2]
      )
      for (const l of after)
        assert.isTrue(l.token > (before.find((x) => x.shard === l.shard)?.token ?? 0n), "token grows")
      // The old owner comes back: its lapsed leases are not renewed, and nothing is free.
      assert.deepStrictEqual(yield* a(balance("a", 3)), [])
    })
  )

  it.scoped("a poller known dead loses its leases and its heartbeat at once, with new tokens", () =>
    Effect.gen(function* () {
      const location = yield* backend.fresh
      const a = <A, E>(e: Effect.Effect<A, E, Leases>) => Effect.provide(e, backend.layer(location))
      const b = <A, E>(e: Effect.Effect<A, E, Leases>) => Effect.provide(e, backend.layer(location))
      assert.strictEqual((yield* a(balance("host-1", 2))).length, 2)
      assert.deepStrictEqual(yield* b(balance("host-2", 2)), [], "alive and unexpired: nothing to take")
      const taken = yield* b(
        Effect.flatMap(Leases, (l) =>
          l.balance({ pollerId: "host-2", shards: 2, ttlMs: TTL, release: true, deadOwners: ["host-1"] })
        )
      )
      assert.deepStrictEqual(pairs(taken), [
        [0, 2],
        [1, 2]
      ])
    })
  )

  it.scoped("a fenced append fails with FencedOut once the shard changed hands, writing nothing", () =>
    Effect.gen(function* () {
      const location = yield* backend.fresh
      const a = <A, E>(e: Effect.Effect<A, E, Leases | EventStore>) =>
        Effect.provide(e, backend.layer(location))
      const b = <A, E>(e: Effect.Effect<A, E, Leases | EventStore>) =>
        Effect.provide(e, backend.layer(location))
      const id = executionId("exec-fence")
      const [old] = yield* a(balance("a", 1))
      assert.isDefined(old)
      const fenceA = { shard: 0, token: old!.token }
      yield* a(
        Effect.flatMap(EventStore, (s) =>
          s.append(id, 0, [submitted("exec-fence", "1001")], undefined, { fence: fenceA })
        )
      )
      yield* TestClock.adjust(TTL)
      const [fresh] = yield* b(balance("b", 1))
      assert.isDefined(fresh)
      const stale = yield* a(
        Effect.flatMap(EventStore, (s) =>
          s.append(id, 1, [legFilled("exec-fence", "1001", "k1", "5", "10.00")], undefined, { fence: fenceA })
        ).pipe(Effect.either)
      )
      assert.isTrue(Either.isLeft(stale) && stale.left._tag === "FencedOut", "stale owner fenced out")
      const stream = yield* a(Effect.flatMap(EventStore, (s) => s.readStream(id)))
      assert.strictEqual(stream.version, 1, "the fenced append wrote nothing")
      // The new owner appends at the same expected version.
      const ok = yield* b(
        Effect.flatMap(EventStore, (s) =>
          s.append(
            id,
            1,
            [legFilled("exec-fence", "1001", "k1", "5", "10.00")],
            { poller: "b" },
            {
              fence: { shard: 0, token: fresh!.token }
            }
          )
        )
      )
      assert.strictEqual(ok.nextExpectedVersion, 2)
    })
  )

  it.live("pollers racing for the same free shards never share one", () =>
    Effect.gen(function* () {
      const location = yield* backend.fresh
      const ids = ["p1", "p2", "p3", "p4", "p5"]
      const results = yield* Effect.forEach(
        ids,
        (id) => Effect.provide(balance(id, 12, false, LIVE_TTL), backend.layer(location)),
        { concurrency: "unbounded" }
      )
      const shards = results.flatMap((r) => r.map((l) => l.shard))
      assert.strictEqual(new Set(shards).size, shards.length, "no shard granted twice")
      for (const r of results) assert.isAtMost(r.length, 12)
    }).pipe(Effect.scoped)
  )
})

describe("shardOf", () => {
  it("is stable and within range", () => {
    for (const key of ["HASH0", "HASH1", "a", ""]) {
      const s = shardOf(key, 7)
      assert.isTrue(s >= 0 && s < 7)
      assert.strictEqual(shardOf(key, 7), s)
    }
    assert.strictEqual(shardOf("anything", 1), 0)
  })
})
