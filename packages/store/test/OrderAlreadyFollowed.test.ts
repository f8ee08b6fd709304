/**
 * One Schwab order, one execution: an append that would make a second stream follow an
 * order id (submitted or as a replacement) fails naming the stream that follows it, and
 * writes nothing; two processes racing to record the same order cannot both win.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { EventStore, Executions, OrderAlreadyFollowed } from "../src/index.js"
import { backends, withFreshStore } from "./support/backends.js"
import { executionId, replaced, submitted } from "./support/events.js"

describe.each(backends)("one order, one execution on $name", (backend) => {
  const withStore = withFreshStore(backend)

  it.scoped(
    "a second execution submitting a followed order is refused naming the first; nothing is written",
    () =>
      withStore(
        Effect.gen(function* () {
          const store = yield* EventStore
          const executions = yield* Executions
          yield* store.append(executionId("first"), 0, [submitted("first", "5001")])
          const e = yield* Effect.flip(store.append(executionId("second"), 0, [submitted("second", "5001")]))
          assert.instanceOf(e, OrderAlreadyFollowed)
          assert.deepStrictEqual(
            {
              orderId: e._tag === "OrderAlreadyFollowed" && e.orderId,
              followedBy: "followedBy" in e && e.followedBy
            },
            { orderId: "5001", followedBy: "first" }
          )
          assert.include(e.message, "execution first")
          assert.deepStrictEqual(yield* store.readStream(executionId("second")), { version: 0, events: [] })
          assert.isTrue(Option.isNone(yield* executions.byExecutionId(executionId("second"))))
          // The stream was never claimed: the id is still free for a submission of its own.
          yield* store.append(executionId("second"), 0, [submitted("second", "5002")])
        })
      )
  )

  it.scoped("a replacement that another execution follows is refused; the stream stays where it was", () =>
    withStore(
      Effect.gen(function* () {
        const store = yield* EventStore
        yield* store.append(executionId("a"), 0, [submitted("a", "6001")])
        yield* store.append(executionId("b"), 0, [submitted("b", "6002")])
        const e = yield* Effect.flip(store.append(executionId("a"), 1, [replaced("a", "6001", "6002")]))
        assert.strictEqual(e._tag, "OrderAlreadyFollowed")
        if (e._tag === "OrderAlreadyFollowed") {
          assert.strictEqual(e.followedBy, "b")
          assert.strictEqual(e.streamId, "a")
        }
        const stream = yield* store.readStream(executionId("a"))
        assert.strictEqual(stream.version, 1)
        const row = Option.getOrThrow(yield* (yield* Executions).byExecutionId(executionId("a")))
        assert.strictEqual(row.orderId, "6001")
        // A submitted order that is also this stream's own is no conflict (nor is a retry of it).
        yield* store.append(executionId("a"), 1, [replaced("a", "6001", "6003")])
        yield* store.append(executionId("c"), 0, [submitted("c", "6004")])
      })
    )
  )

  it.scoped("two connections racing to record the same order under two executions: exactly one wins", () =>
    Effect.gen(function* () {
      const location = yield* backend.fresh
      const a = Context.get(yield* Layer.build(backend.layer(location)), EventStore)
      const b = Context.get(yield* Layer.build(backend.layer(location)), EventStore)
      for (let i = 0; i < 20; i++) {
        const orderId = `${7000 + i}`
        const results = yield* Effect.all(
          [
            Effect.either(a.append(executionId(`x-${i}`), 0, [submitted(`x-${i}`, orderId)])),
            Effect.either(b.append(executionId(`y-${i}`), 0, [submitted(`y-${i}`, orderId)]))
          ],
          { concurrency: "unbounded" }
        )
        const wins = results.filter(Either.isRight)
        const losses = results.filter(Either.isLeft).map((r) => r.left)
        assert.strictEqual(wins.length, 1)
        assert.strictEqual(losses[0]?._tag, "OrderAlreadyFollowed")
        const winner = Either.isRight(results[0] as Either.Either<unknown, unknown>) ? `x-${i}` : `y-${i}`
        if (losses[0]?._tag === "OrderAlreadyFollowed") assert.strictEqual(losses[0].followedBy, winner)
      }
    })
  )
})
