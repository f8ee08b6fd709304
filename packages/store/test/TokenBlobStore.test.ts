import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { TokenBlobStore } from "../src/index.js"
import { backends } from "./support/backends.js"

describe.each(backends)("TokenBlobStore on $name", (backend) => {
  it.scoped("saves, replaces and loads opaque blobs by name, across a reopen", () =>
    Effect.gen(function* () {
      const location = yield* backend.fresh
      yield* Effect.provide(
        Effect.gen(function* () {
          const blobs = yield* TokenBlobStore
          assert.isTrue(Option.isNone(yield* blobs.load("schwab")))
          yield* blobs.save("schwab", "v1:abc")
          yield* blobs.save("schwab", "v1:def")
          yield* blobs.save("other", "x")
        }),
        backend.layer(location)
      )
      const loaded = yield* Effect.provide(
        Effect.flatMap(TokenBlobStore, (b) => Effect.all([b.load("schwab"), b.load("other")])),
        backend.layer(location)
      )
      assert.deepStrictEqual(loaded, [Option.some("v1:def"), Option.some("x")])
    })
  )
})
