import { decodeOrderList } from "@fill-tracker/domain"
import * as Effect from "effect/Effect"
import { describe, expect, it } from "vitest"
import {
  chunkedAboveChars,
  decodeOrderListInChunks,
  topLevelElements
} from "../src/internal/chunkedOrderList.js"

/** BUY 3 F LIMIT 22.75, filled at once at 22.7299: Schwab's shape (copied from the domain's fixtures). */
const oneFillOrder = `{
  "session": "NORMAL",
  "duration": "DAY",
  "orderType": "LIMIT",
  "complexOrderStrategyType": "NONE",
  "quantity": 3.0,
  "filledQuantity": 3.0,
  "remainingQuantity": 0.0,
  "requestedDestination": "AUTO",
  "destinationLinkName": "NITE",
  "price": 22.75,
  "orderLegCollection": [
    {
      "orderLegType": "EQUITY",
      "legId": 1,
      "instrument": { "assetType": "EQUITY", "cusip": "345370860", "symbol": "F", "instrumentId": 3051207 },
      "instruction": "BUY",
      "positionEffect": "OPENING",
      "quantity": 3.0
    }
  ],
  "orderStrategyType": "SINGLE",
  "orderId": 9007199254740993,
  "cancelable": false,
  "editable": false,
  "status": "FILLED",
  "enteredTime": "2025-08-29T17:15:17+0000",
  "closeTime": "2025-08-29T17:15:18+0000",
  "tag": "API_TDAM:fill-tracker-bot",
  "accountNumber": 87654321,
  "orderActivityCollection": [
    {
      "activityType": "EXECUTION",
      "activityId": 9123456789012345679,
      "executionType": "FILL",
      "quantity": 3.0,
      "orderRemainingQuantity": 0.0,
      "executionLegs": [
        {
          "legId": 1,
          "quantity": 3.0,
          "mismarkedQuantity": 0.0,
          "price": 22.7299,
          "time": "2025-08-29T17:15:18+0000",
          "instrumentId": 3051207
        }
      ]
    }
  ]
}`

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
