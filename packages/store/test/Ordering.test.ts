/**
 * Readers never skip an event: several appenders on several connections write while a reader
 * pages `readAll` from its last position over and over; every position it collected, in
 * order, must be the final full set. On PostgreSQL this fails without the append lock (a
 * position can commit after a higher one the reader already passed).
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import { EventStore } from "../src/index.js"
import { backends } from "./support/backends.js"
import { executionId, flagged, legFilled, submitted } from "./support/events.js"

describe.each(backends)("global order on $name", (backend) => {
  it.scoped(
    "a reader paging readAll from its last position during concurrent appends misses nothing",
    () =>
      Effect.gen(function* () {
        const location = yield* backend.fresh
        // PostgreSQL: one pool per appender (separate connections). SQLite: one connection per
        // process is the rule (README), so the appenders share it.
        const writers = backend.name === "postgres" ? 4 : 1
        const appenders = yield* Effect.forEach(Array.from({ length: 4 }), (_, i) =>
          i < writers ? Layer.build(backend.layer(location)) : Effect.succeed(undefined)
        )
        const first = appenders[0]
        if (first === undefined) return assert.fail("no appender")
        const reader = backend.name === "postgres" ? yield* Layer.build(backend.layer(location)) : first
        const streamsPerWriter = 40
        const done = yield* Ref.make(false)

        const write = (w: number) =>
          Effect.gen(function* () {
            const store = Context.get(appenders[w] ?? first, EventStore)
            for (let s = 0; s < streamsPerWriter; s++) {
              const name = `o-${w}-${s}`
              const order = `${10_000 + w * 1_000 + s}`
              yield* store.append(executionId(name), 0, [submitted(name, order)])
              yield* store.append(executionId(name), 1, [
                legFilled(name, order, "k", "1", "10"),
                flagged(name, order)
              ])
            }
          })

        const read = Effect.gen(function* () {
          const store = Context.get(reader, EventStore)
          const seen: Array<bigint> = []
          let next = 0n
          let lastRound = false
          while (true) {
            const finished = yield* Ref.get(done)
            const page = Chunk.toReadonlyArray(
              yield* Stream.runCollect(store.readAll({ fromPosition: next, pageSize: 5 }))
            )
            for (const e of page) seen.push(e.position)
            if (page.length > 0) next = (page.at(-1)?.position ?? next) + 1n
            // One more full read after the writers finished picks up the tail.
            if (lastRound) return seen
            if (finished) lastRound = true
            yield* Effect.yieldNow()
          }
        })

        const [, seen] = yield* Effect.all(
          [
            Effect.ensuring(
              Effect.forEach(Array.from({ length: 4 }), (_, w) => write(w), { concurrency: "unbounded" }),
              Ref.set(done, true)
            ),
            read
          ],
          { concurrency: "unbounded" }
        )
        const all = yield* Effect.provideService(
          Effect.flatMap(
            SqlClient.SqlClient,
            (sql) => sql<{ position: unknown }>`SELECT position FROM events ORDER BY position`
          ),
          SqlClient.SqlClient,
          Context.get(reader, SqlClient.SqlClient)
        )
        const expected = all.map((r) => BigInt(r.position as bigint | string | number))
        assert.strictEqual(expected.length, 4 * streamsPerWriter * 3)
        assert.deepStrictEqual(seen, expected)
      }),
    60_000
  )
})
