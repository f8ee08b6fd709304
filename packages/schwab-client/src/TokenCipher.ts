/**
 * Encrypts the token blob before it reaches the TokenStore: AES-256-GCM, a fresh random
 * 12-byte nonce per write, and a version prefix so the format can change later.
 *
 * Layout: `v1.` + base64url(nonce ‖ ciphertext ‖ 16-byte tag). GCM's tag makes any change
 * to the stored text (or a wrong key) fail decryption instead of yielding garbage tokens.
 *
 * @since 0.1.0
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { TokenDecryptionError } from "./SchwabError.js"

const VERSION = "v1."
const NONCE_BYTES = 12
const TAG_BYTES = 16
// Binds the ciphertext to its purpose: a blob encrypted for something else with the same key is refused.
const AAD = Buffer.from("fill-tracker/schwab-tokens/v1")

/** Encrypts `plaintext` (the serialised tokens) for storage. @since 0.1.0 @category constructors */
export const encrypt = (
  key: Redacted.Redacted<Uint8Array>,
  plaintext: Redacted.Redacted<string>
): Effect.Effect<string, TokenDecryptionError> =>
  Effect.try({
    try: () => {
      const nonce = randomBytes(NONCE_BYTES)
      const cipher = createCipheriv("aes-256-gcm", Redacted.value(key), nonce, { authTagLength: TAG_BYTES })
      cipher.setAAD(AAD)
      const body = Buffer.concat([cipher.update(Redacted.value(plaintext), "utf8"), cipher.final()])
      return VERSION + Buffer.concat([nonce, body, cipher.getAuthTag()]).toString("base64url")
    },
    catch: (cause) => new TokenDecryptionError({ reason: "BadKey", cause })
  })

/** Decrypts a stored blob; any tampering, a wrong key or an unknown version is a TokenDecryptionError. @since 0.1.0 @category constructors */
export const decrypt = (
  key: Redacted.Redacted<Uint8Array>,
  blob: string
): Effect.Effect<Redacted.Redacted<string>, TokenDecryptionError> =>
  Effect.suspend(() => {
    if (!blob.startsWith(VERSION)) return Effect.fail(new TokenDecryptionError({ reason: "UnknownVersion" }))
    const raw = blob.slice(VERSION.length)
    if (!/^[A-Za-z0-9_-]*$/.test(raw)) return Effect.fail(new TokenDecryptionError({ reason: "Malformed" }))
    const bytes = Buffer.from(raw, "base64url")
    // The last base64 character carries spare bits that decoding ignores; only the
    // canonical text is accepted, so every changed character is detected, not just most.
    if (bytes.length < NONCE_BYTES + TAG_BYTES || bytes.toString("base64url") !== raw)
      return Effect.fail(new TokenDecryptionError({ reason: "Malformed" }))
    return Effect.try({
      try: () => {
        const nonce = bytes.subarray(0, NONCE_BYTES)
        const tag = bytes.subarray(bytes.length - TAG_BYTES)
        const body = bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)
        const decipher = createDecipheriv("aes-256-gcm", Redacted.value(key), nonce, {
          authTagLength: TAG_BYTES
        })
        decipher.setAAD(AAD)
        decipher.setAuthTag(tag)
        return Redacted.make(Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8"))
      },
      // The cause is node's "Unsupported state or unable to authenticate data": it holds no secret.
      catch: (cause) => new TokenDecryptionError({ reason: "Tampered", cause })
    })
  })
