import fc from "fast-check"
import * as E from "fp-ts/lib/Either.js"
import { describe, expect, it } from "vitest"
import { losslessNumberText, parseLosslessJson } from "../../src/index.js"
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
