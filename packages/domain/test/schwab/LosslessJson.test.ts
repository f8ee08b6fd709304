import fc from "fast-check"
import * as E from "fp-ts/lib/Either.js"
import { isLosslessNumber } from "lossless-json"
import { describe, expect, it } from "vitest"
import { FORBIDDEN_JSON_KEYS, losslessNumberText, parseLosslessJson } from "../../src/index.js"
import { numRuns } from "./arbitraries.js"

describe("parseLosslessJson", () => {
  it("keeps every digit of int64 ids and four-decimal prices", () => {
    const r = parseLosslessJson('{"orderId": 9223372036854775807, "price": 22.7299, "q": 3.0}')
    expect(E.isRight(r)).toBe(true)
    const v = (E.isRight(r) ? r.right : {}) as Record<string, unknown>
    expect(losslessNumberText(v.orderId)).toBe("9223372036854775807")
    expect(losslessNumberText(v.price)).toBe("22.7299")
    expect(losslessNumberText(v.q)).toBe("3.0")
  })

  it("names the position of a malformed or truncated body", () => {
    expect(parseLosslessJson('{"a": 1,}')).toEqual(
      E.left({
        _tag: "JsonParseError",
        message: "not valid JSON: Quoted object key expected but got '}' at position 8",
        position: 8
      })
    )
    const truncated = parseLosslessJson('[{"orderId": 1')
    expect(E.isLeft(truncated) && truncated.left.position).toBe(14)
    expect(E.isLeft(parseLosslessJson(""))).toBe(true)
    expect(E.isLeft(parseLosslessJson("<html>502 Bad Gateway</html>"))).toBe(true)
  })

  it("is not fooled by an object that looks like a lossless number", () => {
    const r = parseLosslessJson('{"isLosslessNumber": true, "value": "5"}')
    expect(losslessNumberText(E.isRight(r) ? r.right : undefined)).toBeUndefined()
    expect(losslessNumberText(5)).toBeUndefined()
  })

  it("reports absurd nesting as an error, not a stack overflow", () => {
    const r = parseLosslessJson("[".repeat(200_000))
    expect(E.isLeft(r) && r.left.message).toMatch(/not valid JSON/)
    const deep = parseLosslessJson(`${"[".repeat(100_000)}${"]".repeat(100_000)}`)
    expect(E.isLeft(deep) && deep.left.message).toBe("not valid JSON: JSON nested too deeply to read")
  })

  it("property: never throws, and agrees with JSON.parse on what is JSON", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify(v))
        ),
        (text) => {
          let valid = true
          try {
            JSON.parse(text)
          } catch {
            valid = false
          }
          expect(E.isRight(parseLosslessJson(text))).toBe(valid)
        }
      ),
      { numRuns }
    )
  })
})

/** Every object in a parsed value: own keys and prototype. */
const objects = (u: unknown, out: Array<object> = []): Array<object> => {
  if (typeof u === "object" && u !== null && !isLosslessNumber(u)) {
    out.push(u)
    for (const v of Object.values(u)) objects(v, out)
  }
  return out
}

describe("parseLosslessJson and prototype keys", () => {
  it("drops __proto__, constructor and prototype keys at any depth, escaped or not", () => {
    const r = parseLosslessJson(
      '{"__proto__": {"polluted": 1}, "a": [{"constructor": {"prototype": {"x": 1}}, "b": 2, "\\u005f_proto__": {"y": 1}}], "prototype": 3}'
    )
    const v = E.isRight(r) ? r.right : undefined
    expect(v).toEqual({ a: [{ b: expect.anything() }] })
    for (const o of objects(v)) {
      expect(Object.getPrototypeOf(o)).toBe(Array.isArray(o) ? Array.prototype : Object.prototype)
      for (const key of FORBIDDEN_JSON_KEYS) expect(Object.hasOwn(o, key)).toBe(false)
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it("property: no forbidden key survives and no parsed object gets a foreign prototype", () => {
    const key = fc.oneof(fc.constantFrom(...FORBIDDEN_JSON_KEYS), fc.string({ maxLength: 6 }))
    const json: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        fc.integer(),
        fc.string({ maxLength: 4 }),
        fc.array(tie("value"), { maxLength: 3 }),
        fc
          .array(fc.tuple(key, tie("value")), { maxLength: 4 })
          .map(
            (entries) =>
              `{${[...new Map(entries)].map(([k, v]) => `${JSON.stringify(k)}:${text(v)}`).join(",")}}`
          )
          .map((raw) => ({ raw }))
      )
    })).value
    // Objects are built as text so a `__proto__` key is really in the body, as an attacker sends it.
    function text(v: unknown): string {
      if (typeof v === "object" && v !== null && "raw" in v) return (v as { raw: string }).raw
      if (Array.isArray(v)) return `[${v.map(text).join(",")}]`
      return JSON.stringify(v)
    }
    fc.assert(
      fc.property(json, (v) => {
        const r = parseLosslessJson(text(v))
        expect(E.isRight(r)).toBe(true)
        for (const o of objects(E.isRight(r) ? r.right : undefined)) {
          expect(Object.getPrototypeOf(o)).toBe(Array.isArray(o) ? Array.prototype : Object.prototype)
          for (const k of FORBIDDEN_JSON_KEYS) expect(Object.hasOwn(o, k)).toBe(false)
        }
      }),
      { numRuns }
    )
  })
})
