import * as E from "fp-ts/lib/Either.js"
import * as t from "io-ts"
import { describe, expect, it } from "vitest"
import { Decimal, decodeStoredEvent } from "../../src/index.js"

const { DecimalFromString } = Decimal

import { decodeProblems, errorPath, formatErrors } from "../../src/internal/formatErrors.js"

const errorsOf = <A>(codec: t.Decoder<unknown, A>, u: unknown): t.Errors => {
  const r = codec.decode(u)
  if (E.isRight(r)) throw new Error("expected a failure")
  return r.left
}

describe("formatErrors", () => {
  it("writes array indices and keys from the root", () => {
    const codec = t.type({ a: t.array(t.type({ b: DecimalFromString })) })
    expect(formatErrors(errorsOf(codec, { a: [{ b: "1" }, { b: "x" }] }))).toBe(
      'a.1.b: not a decimal number: "x"'
    )
  })

  it("leaves out intersection member indices", () => {
    const codec = t.intersection([t.type({ a: t.string }), t.partial({ b: t.type({ c: t.number }) })])
    const errors = errorsOf(codec, { a: "ok", b: { c: "no" } })
    expect(errorPath(errors[0]!)).toEqual(["b", "c"])
    expect(formatErrors(errors)).toBe('b.c: expected number, got "no"')
  })

  it("leaves out union member indices and keeps the member that got deepest", () => {
    const codec = t.type({
      items: t.array(t.union([t.string, t.type({ price: DecimalFromString })]))
    })
    const errors = errorsOf(codec, { items: ["ok", { price: "abc" }, { price: "1" }] })
    // items.1 fails as a string at the item itself, and as {price} below it: the latter names the field.
    expect(errors).toHaveLength(2)
    expect(decodeProblems(errors).map((p) => p.path)).toEqual(["items.1.price"])
    expect(formatErrors(errors)).toBe('items.1.price: not a decimal number: "abc"')
  })

  it("keeps every failing sibling path, each once", () => {
    const codec = t.type({ a: t.number, b: t.number, c: t.union([t.number, t.null]) })
    expect(formatErrors(errorsOf(codec, { a: "1", b: "2", c: "3" }))).toBe(
      'a: expected number, got "1"; b: expected number, got "2"; c: expected number, got "3"; c: expected null, got "3"'
    )
  })

  it("names the root when the value itself is wrong, and stops at five problems", () => {
    expect(formatErrors(errorsOf(t.type({ a: t.string }), 7))).toBe("<root>: expected { a: string }, got 7")
    const many = t.type(Object.fromEntries([..."abcdefg"].map((k) => [k, t.number])))
    expect(formatErrors(errorsOf(many, {})).split("; ")).toHaveLength(5)
  })

  it("shows a stored event's bad field without the union and intersection indices", () => {
    const r = decodeStoredEvent(
      "LegFilled",
      1,
      JSON.stringify({
        type: "LegFilled",
        executionId: "e1",
        orderId: "1",
        fillKey: "k",
        quantity: "-1",
        price: "1",
        executedAt: "2025-08-29T17:15:18.000Z"
      })
    )
    expect(E.isLeft(r) && r.left.message).toContain("quantity: must not be negative")
    expect(E.isLeft(r) && r.left.message).not.toMatch(/(^|\s|\.)\d+\.quantity/)
  })
})
