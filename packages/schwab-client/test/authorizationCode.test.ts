import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import { parseAuthorizationCode } from "../src/internal/authorizationCode.js"

const CODE = "C0.b2F1dGgyLmJkYy5zY2h3YWIuY29t.abc+def@"
const ENCODED = encodeURIComponent(CODE)

describe("parseAuthorizationCode", () => {
  it("decodes the code exactly once in every pasted form", () => {
    expect(ENCODED).toContain("%40")
    for (const input of [
      CODE,
      ENCODED,
      `https://127.0.0.1:8182/callback?code=${ENCODED}&session=9f2`,
      `https://127.0.0.1/?session=9f2&code=${ENCODED}`,
      `https://127.0.0.1/?code=${ENCODED}#frag`,
      `code=${ENCODED}`,
      `  ${ENCODED}\n`
    ])
      expect(parseAuthorizationCode(input)).toEqual(Either.right(CODE))
  })

  it("does not decode twice: an encoded percent stays a percent", () => {
    expect(parseAuthorizationCode("abc%2540")).toEqual(Either.right("abc%40"))
  })

  it("refuses an empty input, a URL without a code, or broken encoding", () => {
    expect(Either.isLeft(parseAuthorizationCode(""))).toBe(true)
    expect(Either.isLeft(parseAuthorizationCode("https://127.0.0.1/?session=1"))).toBe(true)
    expect(Either.isLeft(parseAuthorizationCode("https://127.0.0.1/callback"))).toBe(true)
    expect(Either.isLeft(parseAuthorizationCode("abc%E0%A4%A"))).toBe(true)
  })
})
