import * as SqlClient from "@effect/sql/SqlClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import { Checkpoints } from "../src/index.js"
import { backends } from "./support/backends.js"

const received = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  Effect.map(sql<{ position: number }>`SELECT position FROM received ORDER BY position`, (rows) =>
    rows.map((r) => Number(r.position))
  )
)

const receive = (position: bigint) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql`INSERT INTO received (position) VALUES (${Number(position)})`
  )

describe.each(backends)("Checkpoints on $name", (backend) => {
  it.scoped("a new name starts at 0; save only moves forward; the checkpoint survives a reopen", () =>
    Effect.gen(function* () {
      const location = yield* backend.fresh
      const first = yield* Effect.provide(
        Effect.gen(function* () {
          const c = yield* Checkpoints
          const fresh = yield* c.load("bot")
          yield* c.save("bot", 5n)
          const afterFive = yield* c.load("bot")
          yield* c.save("bot", 3n)
          yield* c.save("bot", 5n)
          const afterOlder = yield* c.load("bot")
          yield* c.save("other", 0n)
          return [fresh, afterFive, afterOlder, yield* c.load("other")]
        }),
        backend.layer(location)
      )
      assert.deepStrictEqual(first, [0n, 6n, 6n, 1n])
      const reopened = yield* Effect.provide(
        Effect.flatMap(Checkpoints, (c) => Effect.all([c.load("bot"), c.load("other"), c.load("never")])),
        backend.layer(location)
      )
      assert.deepStrictEqual(reopened, [6n, 1n, 0n])
    })
  )

  it.scoped(
    "withCheckpoint commits the handler's writes with the advance, rolls both back on failure, skips a redelivery",
    () =>
      Effect.gen(function* () {
        const location = yield* backend.fresh
        yield* Effect.provide(
          Effect.gen(function* () {
            const sql = yield* SqlClient.SqlClient
            const c = yield* Checkpoints
            yield* sql`CREATE TABLE received (position INTEGER PRIMARY KEY)`

            assert.deepStrictEqual(
              yield* c.withCheckpoint("bot", 1n, Effect.as(receive(1n), "one")),
              Option.some("one")
            )
            assert.strictEqual(yield* c.load("bot"), 2n)

            // The handler wrote, then failed: its row and the advance are both rolled back.
            const failed = yield* Effect.exit(
              c.withCheckpoint("bot", 2n, Effect.zipRight(receive(2n), Effect.fail("boom")))
            )
            assert.deepStrictEqual(failed, Exit.fail("boom"))
            assert.strictEqual(yield* c.load("bot"), 2n)
            assert.deepStrictEqual(yield* received, [1])

            // A redelivery of a handled position does not run the handler again.
            let ran = 0
            const again = yield* c.withCheckpoint(
              "bot",
              1n,
              Effect.zipRight(
                Effect.sync(() => ran++),
                receive(1n)
              )
            )
            assert.isTrue(Option.isNone(again))
            assert.strictEqual(ran, 0)

            yield* c.withCheckpoint("bot", 2n, receive(2n))
            yield* c.withCheckpoint("bot", 4n, receive(4n))
            assert.deepStrictEqual(yield* received, [1, 2, 4])
            assert.strictEqual(yield* c.load("bot"), 5n)
          }),
          backend.layer(location)
        )
      })
  )

  it.scoped("refuses an empty name and a negative position", () =>
    Effect.gen(function* () {
      const location = yield* backend.fresh
      const errors = yield* Effect.provide(
        Effect.flatMap(Checkpoints, (c) =>
          Effect.all([Effect.flip(c.save("", 1n)), Effect.flip(c.withCheckpoint("bot", -1n, Effect.void))])
        ),
        backend.layer(location)
      )
      assert.deepStrictEqual(
        errors.map((e) => e.reason),
        ["InvalidArgument", "InvalidArgument"]
      )
    })
  )
})
