import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { TokenBlobStore } from "../src/index.js"
import { storeLayer, tempFile } from "./support/store.js"

describe("TokenBlobStore", () => {
  it.scoped("saves, replaces and loads opaque blobs by name, across a reopen", () =>
    Effect.gen(function* () {
      const file = yield* tempFile
      yield* Effect.provide(
        Effect.gen(function* () {
          const blobs = yield* TokenBlobStore
          assert.isTrue(Option.isNone(yield* blobs.load("schwab")))
          yield* blobs.save("schwab", "v1:abc")
          yield* blobs.save("schwab", "v1:def")
          yield* blobs.save("other", "x")
        }),
        storeLayer(file)
      )
      const loaded = yield* Effect.provide(
        Effect.flatMap(TokenBlobStore, (b) => Effect.all([b.load("schwab"), b.load("other")])),
        storeLayer(file)
      )
      assert.deepStrictEqual(loaded, [Option.some("v1:def"), Option.some("x")])
    })
  )
})
