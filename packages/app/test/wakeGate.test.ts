/**
 * The wake gate's fibers stay interruptible whoever starts them. A wake asked for while a
 * cycle or another wake ran is started when that one ends, from its finalizer; finalizers
 * are uninterruptible and a fork inherits that. Such a wake ignored its own timeout, and
 * the lease race inside it waited for ever on a loser it could not cut: the wake kept its
 * slot, the next cycle waited for every slot, and the poller went blind (seen in a CI run:
 * the demo's last orders never ended, and a PostgreSQL poller stopped taking over shards).
 */
import * as fs from "node:fs"
import * as path from "node:path"
import type { AccountHash, OrderId } from "@fill-tracker/domain"
import { Store } from "@fill-tracker/store"
import { Deferred, Effect, Layer, Option } from "effect"
import { describe, expect, it } from "vitest"
import { makeLeaseKeeper } from "../src/poller/leaseKeeper.js"
import { PollerStatus } from "../src/poller/PollerStatus.js"
import { makeWakeGate } from "../src/poller/wakeGate.js"
import { tempDir } from "./support.js"

const order = (orderId: string) => ({ orderId: orderId as OrderId, accountHash: undefined })

describe("wake gate", () => {
  it("runs every wake interruptibly: one started directly, after another wake, after a cycle", async () => {
    const seen = await Effect.runPromise(
      Effect.gen(function* () {
        const seen: Array<string> = []
        const releaseFirst = yield* Deferred.make<void>()
        const firstIn = yield* Deferred.make<void>()
        let runs = 0
        const gate = yield* makeWakeGate(
          (orders) =>
            Effect.checkInterruptible((interruptible) =>
              Effect.suspend(() => {
                runs += 1
                seen.push(`${orders.map((o) => o.orderId).join(",")}:${interruptible}`)
                return runs === 1
                  ? Effect.zipRight(Deferred.succeed(firstIn, undefined), Deferred.await(releaseFirst))
                  : Effect.void
              })
            ),
          2
        )
        // a: launched directly, held; named again meanwhile, so its end starts it again.
        yield* gate.launch([order("a")])
        yield* Deferred.await(firstIn)
        yield* gate.launch([order("a")])
        yield* Deferred.succeed(releaseFirst, undefined)
        yield* gate.idle
        // b: named while a cycle runs, so the cycle's end starts it.
        yield* gate.exclusive(gate.launch([order("b")]))
        yield* gate.idle
        return seen
      })
    )
    expect(seen).toEqual(["a:true", "a:true", "b:true"])
  })

  it("cuts a hung wake that a cycle's end started", async () => {
    const ended = await Effect.runPromise(
      Effect.gen(function* () {
        const started = yield* Deferred.make<void>()
        const gate = yield* makeWakeGate(
          () => Effect.zipRight(Deferred.succeed(started, undefined), Effect.never),
          2
        )
        yield* gate.exclusive(gate.launch([order("h")]))
        yield* Deferred.await(started)
        // Uninterruptible, this waited for ever.
        yield* gate.interrupt
        yield* gate.idle
        return "cut"
      })
    )
    expect(ended).toBe("cut")
  })
})

describe("lease keeper", () => {
  it("ends a poll under a lease when the poll ends, even when its caller is uninterruptible", async () => {
    const dir = tempDir("lease-race")
    try {
      const account = "A".repeat(64) as AccountHash
      const result = await Effect.runPromise(
        Effect.gen(function* () {
          // A lease living 10 minutes: the lapse watch sleeps until then, renewed on and on.
          const keeper = yield* makeLeaseKeeper({ pollerId: "solo", shards: 1, ttlMs: 600_000 })
          yield* keeper.rebalance
          const held = yield* keeper.cycle.leaseOf(account)
          // The race inside withLease waits for its loser; uncuttable, the watch slept on.
          const polled = yield* Effect.uninterruptible(
            keeper.cycle.withLease(account, (lease) => Effect.succeed(lease?.shard))
          )
          yield* keeper.release
          return { held: Option.fromNullable(held).pipe(Option.isSome), polled }
        }).pipe(
          Effect.provide(Layer.mergeAll(Store.layerFromUrl(path.join(dir, "store.db")), PollerStatus.layer))
        )
      )
      expect(result).toEqual({ held: true, polled: 0 })
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
