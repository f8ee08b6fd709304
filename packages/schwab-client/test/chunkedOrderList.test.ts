import { decodeOrderList } from "@fill-tracker/domain"
import { oneFillOrder } from "@fill-tracker/domain/testing"
import * as Effect from "effect/Effect"
import { describe, expect, it } from "vitest"
import {
  chunkedAboveChars,
  decodeOrderListInChunks,
  topLevelElements
} from "../src/internal/chunkedOrderList.js"

const inChunks = (text: string) => Effect.runSync(decodeOrderListInChunks(text))

/** A tag with the characters a naive splitter would cut at: brackets, braces, commas, escaped quotes. */
const tricky = (order: string, i: number) =>
  order.replace(/^\{/, `{ "x-note": "t${i} [x], {y}, \\"q\\" \\\\",`)

describe("decodeOrderListInChunks", () => {
  it("decodes a big list exactly as the one-shot decoder does, skipped indexes included", () => {
    const elements = Array.from({ length: 450 }, (_, i) =>
      i === 137 || i === 301 ? `{ "orderId": ${1000 + i}, "quantity": "lots" }` : tricky(oneFillOrder, i)
    )
    const text = ` [\n${elements.join(",\n")}\n] `
    expect(text.length).toBeGreaterThan(chunkedAboveChars)
    expect(topLevelElements(text)).toHaveLength(450)
    const whole = decodeOrderList(text)
    const sliced = inChunks(text)
    expect(sliced).toEqual(whole)
    expect(sliced._tag === "Right" && sliced.right.orders.length).toBe(448)
    expect(sliced._tag === "Right" && sliced.right.skipped.map((s) => s.index)).toEqual([137, 301])
  })

  it("leaves bodies that are not one plain array to the one-shot decoder's error", () => {
    const big = `[${Array.from({ length: 200 }, () => oneFillOrder).join(",")}`
    for (const text of [big, `${big}]]`, `{"a": ${JSON.stringify("x".repeat(chunkedAboveChars))}}`, "[]", ""])
      expect(inChunks(text)).toEqual(decodeOrderList(text))
    expect(topLevelElements(big)).toBeUndefined()
    expect(topLevelElements("[ ]")).toEqual([])
  })
})
