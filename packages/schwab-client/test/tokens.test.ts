/**
 * The token endpoint's answer is outside input: its `__proto__`/`constructor`/`prototype` keys
 * are dropped before the schema reads it, as the order bodies' are.
 */
import * as Either from "effect/Either"
import { describe, expect, it } from "vitest"
import { decodeTokenResponse, oauthErrorCode } from "../src/internal/tokens.js"

describe("token endpoint answers with prototype keys", () => {
  it("a token under __proto__ is no token, and one beside it is read alone", () => {
    expect(decodeTokenResponse('{"__proto__": {"access_token": "evil", "expires_in": 5}}')).toEqual(
      Either.left({ path: "access_token" })
    )
    const r = decodeTokenResponse(
      '{"access_token": "a", "\\u005f_proto__": {"refresh_token": "evil"}, "constructor": {"prototype": {"expires_in": 1}}}'
    )
    expect(r).toEqual(Either.right({ access_token: "a" }))
    const decoded = Either.getOrThrow(r)
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype)
    expect(Object.assign({}, decoded)).toEqual({ access_token: "a" })
  })

  it("an OAuth error code is read from the answer's own key only", () => {
    expect(oauthErrorCode('{"error": "invalid_grant"}')).toBe("invalid_grant")
    expect(oauthErrorCode('{"__proto__": {"error": "invalid_grant"}}')).toBeUndefined()
    expect(oauthErrorCode('["invalid_grant"]')).toBeUndefined()
    expect(oauthErrorCode("not json")).toBeUndefined()
  })
})
