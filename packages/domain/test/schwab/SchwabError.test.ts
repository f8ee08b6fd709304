import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { decodeSchwabError } from "../../src/index.js"
import * as F from "../../src/testing/index.js"
import { numRuns } from "./arbitraries.js"

describe("decodeSchwabError", () => {
  it('reads {"message", "errors": [string]}', () => {
    expect(decodeSchwabError(F.serviceErrorBody)).toEqual({
      message: "Order not found",
      errors: ["No order exists with orderId 9007199254740993 for this account"]
    })
  })

  it('reads {"errors": [{"id","status","title","detail"}]}, status as text or number', () => {
    expect(decodeSchwabError(F.jsonApiErrorBody)).toEqual({
      errors: ["Bad Request: Missing header", "Bad Request: Invalid fromEnteredTime"]
    })
    expect(decodeSchwabError('{"errors": [{"status": 429}, {"id": "x"}, {}]}')).toEqual({
      errors: ["429", "x"]
    })
  })

  it("reads an OAuth error and keeps its code", () => {
    const body = decodeSchwabError(F.oauthErrorBody)
    expect(body.code).toBe("unsupported_token_type")
    expect(body.errors).toEqual(["unsupported_token_type"])
    expect(body.message).toContain("refresh_token_authentication_error")
    expect(decodeSchwabError('{"error": "invalid_client"}')).toEqual({
      message: "invalid_client",
      errors: ["invalid_client"],
      code: "invalid_client"
    })
  })

  it("reads a gateway fault", () => {
    expect(
      decodeSchwabError(
        '{"fault": {"faultstring": "Rate limit quota violation", "detail": {"errorcode": "x"}}}'
      )
    ).toEqual({ message: "Rate limit quota violation", errors: [] })
  })

  it("an empty or unreadable body gives an empty result", () => {
    for (const body of ["", "   ", "<html>502</html>", "null", "42", "{}", '{"message": 5}'])
      expect(decodeSchwabError(body)).toEqual({ errors: [] })
  })

  it("property: never throws and always gives a list of strings", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc
            .record(
              { message: fc.jsonValue(), errors: fc.jsonValue(), error: fc.jsonValue() },
              { requiredKeys: [] }
            )
            .map((v) => JSON.stringify(v))
        ),
        (text) => {
          const body = decodeSchwabError(text)
          expect(body.errors.every((e) => typeof e === "string" && e.length > 0)).toBe(true)
          expect(body.message === undefined || typeof body.message === "string").toBe(true)
        }
      ),
      { numRuns }
    )
  })
})

describe("decodeSchwabError on a huge body", () => {
  it("keeps about 1 KB of a 100 KB body: the headline cut, the errors that fit and how many more", () => {
    const body = JSON.stringify({
      message: "m".repeat(20_000),
      errors: Array.from({ length: 200 }, (_, i) => `error ${i}: ${"x".repeat(400)}`)
    })
    expect(body.length).toBeGreaterThan(100_000)
    const e = decodeSchwabError(body)
    const quoted = [e.message ?? "", ...e.errors].join("; ")
    expect(quoted.length).toBeLessThan(1_200)
    expect(e.errors[0]).toMatch(/^error 0: x+$/)
    expect(e.errors.at(-1)).toBe("... and 199 more")
  })
})
