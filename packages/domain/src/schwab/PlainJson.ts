/**
 * JSON text parsed with `JSON.parse`, for answers whose numbers need no exact digits (the
 * token endpoint's `expires_in`), under the same prototype guard as `parseLosslessJson`.
 *
 * @since 0.1.0
 */
import * as E from "fp-ts/lib/Either.js"
import { FORBIDDEN_JSON_KEYS, type JsonParseError } from "./LosslessJson.js"

// A reviver that answers `undefined` deletes the key, at every depth and after `\u` escapes
// are decoded, so a `"\u005f_proto__"` key is dropped as surely as a plain one.
const dropForbidden = (key: string, value: unknown): unknown =>
  FORBIDDEN_JSON_KEYS.has(key) ? undefined : value

/**
 * Parses JSON text with `JSON.parse`, dropping every key in `FORBIDDEN_JSON_KEYS` wherever
 * it appears: `JSON.parse` keeps `__proto__` as an own key, and a later `Object.assign`
 * copy (io-ts does one) would make its value the copy's prototype. Never throws.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parsePlainJson = (text: string): E.Either<JsonParseError, unknown> => {
  try {
    return E.right(JSON.parse(text, dropForbidden))
  } catch (e) {
    return E.left({
      _tag: "JsonParseError",
      message: `not valid JSON: ${e instanceof Error ? e.message : String(e)}`
    })
  }
}
