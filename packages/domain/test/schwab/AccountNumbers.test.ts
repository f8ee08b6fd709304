import fc from "fast-check"
import * as E from "fp-ts/lib/Either.js"
import { describe, expect, it } from "vitest"
import { decodeAccountNumbers } from "../../src/index.js"
import * as F from "../../src/testing/index.js"
import { numRuns } from "./arbitraries.js"

describe("decodeAccountNumbers", () => {
  it("reads account numbers as digits from strings and JSON integers, with their hashes", () => {
    expect(decodeAccountNumbers(F.accountNumbersBody)).toEqual(
      E.right([
        { accountNumber: F.ACCOUNT_NUMBER, hashValue: F.ACCOUNT_HASH },
        {
          accountNumber: "12345678",
          hashValue: "0A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F9"
        }
      ])
    )
  })

  it("names the bad field without echoing the account number", () => {
    const r = decodeAccountNumbers(F.badAccountNumbersBody)
    expect(r).toEqual(
      E.left({ _tag: "AccountNumbersDecodeError", message: "0.accountNumber: not a non-negative int64 id" })
    )
    expect(JSON.stringify(r)).not.toContain("8765432")
  })

  it("a hash that is not a hash, an object body, or a truncated body fail", () => {
    expect(decodeAccountNumbers('[{"accountNumber": 1, "hashValue": "a b"}]')).toEqual(
      E.left({ _tag: "AccountNumbersDecodeError", message: '0.hashValue: expected AccountHash, got "a b"' })
    )
    expect(E.isLeft(decodeAccountNumbers('{"accountNumber": 1}'))).toBe(true)
    expect(E.isLeft(decodeAccountNumbers(F.accountNumbersBody.slice(0, 40)))).toBe(true)
  })

  it("fields under __proto__ or constructor keys are not read as the account's", () => {
    const hash = F.ACCOUNT_HASH
    const smuggled = `[{"__proto__": {"accountNumber": "99999999", "hashValue": "${hash}"}}]`
    expect(decodeAccountNumbers(smuggled)).toEqual(
      E.left({
        _tag: "AccountNumbersDecodeError",
        message: "0.accountNumber: expected an integer id; 0.hashValue: expected AccountHash, got undefined"
      })
    )
    const beside = `[{"accountNumber": "12345678", "hashValue": "${hash}", "constructor": {"prototype": {"hashValue": "x"}}, "__proto__": {"accountNumber": "99999999"}}]`
    expect(decodeAccountNumbers(beside)).toEqual(E.right([{ accountNumber: "12345678", hashValue: hash }]))
    expect(({} as Record<string, unknown>).accountNumber).toBeUndefined()
  })

  it("property: never throws", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify(v))
        ),
        (text) => {
          const r = decodeAccountNumbers(text)
          expect(E.isLeft(r) ? r.left.message.length > 0 : Array.isArray(r.right)).toBe(true)
        }
      ),
      { numRuns }
    )
  })
})
