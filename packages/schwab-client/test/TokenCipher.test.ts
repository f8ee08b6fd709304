import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as fc from "fast-check"
import * as TokenCipher from "../src/TokenCipher.js"

const key = Redacted.make(new Uint8Array(32).map((_, i) => i))
const otherKey = Redacted.make(new Uint8Array(32).map((_, i) => 255 - i))

describe("TokenCipher", () => {
  it.effect("round-trips any text", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(fc.string({ unit: "binary" }), async (text) => {
          const out = await Effect.runPromise(
            Effect.flatMap(TokenCipher.encrypt(key, Redacted.make(text)), (blob) =>
              TokenCipher.decrypt(key, blob)
            )
          )
          expect(Redacted.value(out)).toBe(text)
        }),
        { numRuns: 200 }
      )
    )
  )

  it.effect("uses a fresh nonce: the same text encrypts differently, with a version prefix", () =>
    Effect.gen(function* () {
      const a = yield* TokenCipher.encrypt(key, Redacted.make("token"))
      const b = yield* TokenCipher.encrypt(key, Redacted.make("token"))
      expect(a).not.toBe(b)
      expect(a.startsWith("v1.")).toBe(true)
      expect(a).not.toContain("token")
    })
  )

  it.effect("any changed character is detected", () =>
    Effect.gen(function* () {
      const blob = yield* TokenCipher.encrypt(key, Redacted.make('{"accessToken":"abc"}'))
      for (let i = 3; i < blob.length; i++) {
        const c = blob[i] === "A" ? "B" : "A"
        const e = yield* Effect.flip(TokenCipher.decrypt(key, blob.slice(0, i) + c + blob.slice(i + 1)))
        expect(e._tag).toBe("TokenDecryptionError")
      }
    })
  )

  it.effect("a wrong key, a cut blob, junk or an unknown version fail with a reason", () =>
    Effect.gen(function* () {
      const blob = yield* TokenCipher.encrypt(key, Redacted.make("x"))
      expect((yield* Effect.flip(TokenCipher.decrypt(otherKey, blob))).reason).toBe("Tampered")
      expect((yield* Effect.flip(TokenCipher.decrypt(key, blob.slice(0, 20)))).reason).toBe("Malformed")
      expect((yield* Effect.flip(TokenCipher.decrypt(key, "v1.not base64!"))).reason).toBe("Malformed")
      expect((yield* Effect.flip(TokenCipher.decrypt(key, `v2.${blob.slice(3)}`))).reason).toBe(
        "UnknownVersion"
      )
    })
  )
})
