import * as E from "fp-ts/lib/Either.js"
import { describe, expect, it } from "vitest"
import { FORBIDDEN_JSON_KEYS, parsePlainJson } from "../../src/index.js"

/** Every object in a parsed value. */
const objects = (u: unknown, out: Array<object> = []): Array<object> => {
  if (typeof u === "object" && u !== null) {
    out.push(u)
    for (const v of Object.values(u)) objects(v, out)
  }
  return out
}

describe("parsePlainJson", () => {
  it("drops __proto__, constructor and prototype keys at any depth, escaped or not", () => {
    const r = parsePlainJson(
      '{"access_token": "a", "__proto__": {"refresh_token": "evil"}, "x": [{"constructor": {"prototype": {"y": 1}}, "b": 2, "\\u005f_proto__": {"z": 1}}], "prototype": 3}'
    )
    const v = E.isRight(r) ? r.right : undefined
    expect(v).toEqual({ access_token: "a", x: [{ b: 2 }] })
    for (const o of objects(v)) {
      expect(Object.getPrototypeOf(o)).toBe(Array.isArray(o) ? Array.prototype : Object.prototype)
      for (const key of FORBIDDEN_JSON_KEYS) expect(Object.hasOwn(o, key)).toBe(false)
    }
    // What an io-ts copy does with the parsed object: no foreign prototype, no smuggled field.
    const copy = Object.assign({}, v) as Record<string, unknown>
    expect(copy.refresh_token).toBeUndefined()
  })

  it("keeps ordinary JSON as JSON.parse reads it, and never throws on text that is not JSON", () => {
    expect(parsePlainJson('{"expires_in": 1800, "scope": "api"}')).toEqual(
      E.right({ expires_in: 1800, scope: "api" })
    )
    for (const text of ["", "<html>", '{"a": 1,}', "[".repeat(200_000)]) {
      const r = parsePlainJson(text)
      expect(E.isLeft(r) && r.left.message).toMatch(/^not valid JSON/)
    }
  })
})
