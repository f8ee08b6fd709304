import * as fc from "fast-check"
import * as E from "fp-ts/lib/Either.js"
import { describe, expect, it } from "vitest"
import { encodeStoredEvent, TradeEvent } from "../src/index.js"
import { fastDecodeEvent } from "../src/internal/fastEventDecode.js"
import { numRuns, placementRequestedArb, tradeEvent } from "./testing/arbitraries.js"

// The fast path is only an optimisation: on every input it must either step aside
// (undefined) or agree exactly with the io-ts codec.
const viaIoTs = (json: unknown) => TradeEvent.decode(json)

/** Each type's optional keys: a wrong value is also tried where an event has none. */
const optionalKeys: Record<string, ReadonlyArray<string>> = {
  PlacementRequested: ["referencePrice"],
  Submitted: ["referencePrice"],
  LegFilled: ["legId", "activityId", "symbol", "instruction"],
  Failed: [
    "orderId",
    "brokerStatus",
    "notional",
    "averagePrice",
    "priceCents",
    "replacementOrderId",
    "candidateOrderIds"
  ],
  FillFlagged: ["fillKey", "price", "referencePrice"]
}

/** Wrong values put under a key. */
const mutation = fc.oneof(
  fc.constant<unknown>(undefined),
  fc.constant<unknown>(null),
  fc.constant<unknown>(""),
  fc.constant<unknown>("abc"),
  fc.constant<unknown>("-1"),
  fc.constant<unknown>("1e400"),
  fc.integer(),
  fc.constant<unknown>([]),
  fc.string(),
  fc.constant<unknown>(["x"]),
  fc.constant<unknown>({})
)

describe("fastDecodeEvent", () => {
  it("decodes every event the encoder writes exactly as the io-ts codec does", () => {
    fc.assert(
      fc.property(tradeEvent, (event) => {
        const stored = encodeStoredEvent(event)
        const json = JSON.parse(stored.data)
        const fast = fastDecodeEvent(stored.type, json)
        const slow = viaIoTs(JSON.parse(stored.data))
        expect(fast).toBeDefined()
        expect(E.isRight(slow) && slow.right).toEqual(fast)
      }),
      { numRuns: numRuns(300) }
    )
  })

  it("never accepts what the io-ts codec refuses, on mutated payloads", () => {
    fc.assert(
      fc.property(tradeEvent, fc.nat(), mutation, (event, pick, value) => {
        const stored = encodeStoredEvent(event)
        const json = JSON.parse(stored.data) as Record<string, unknown>
        // Present keys, and the optional ones an event may lack (a wrong value added there too).
        const keys = [...new Set([...Object.keys(json), ...(optionalKeys[stored.type] ?? [])])]
        const key = keys[pick % keys.length]!
        json[key] = value
        const fast = fastDecodeEvent(stored.type, json)
        const slow = viaIoTs(json)
        if (fast !== undefined) expect(E.isRight(slow) && slow.right).toEqual(fast)
      }),
      { numRuns: numRuns(2000) }
    )
  })

  it("never accepts what the io-ts codec refuses inside an event's order request", () => {
    const orderKeys = [
      "symbol",
      "shares",
      "instruction",
      "orderType",
      "session",
      "duration",
      "price",
      "stopPrice",
      "tag"
    ]
    fc.assert(
      fc.property(fc.oneof(placementRequestedArb, tradeEvent), fc.nat(), mutation, (event, pick, value) => {
        const stored = encodeStoredEvent(event)
        const json = JSON.parse(stored.data) as Record<string, unknown>
        const order = json.order
        if (typeof order !== "object" || order === null) return
        ;(order as Record<string, unknown>)[orderKeys[pick % orderKeys.length]!] = value
        const fast = fastDecodeEvent(stored.type, json)
        const slow = viaIoTs(json)
        if (fast !== undefined) expect(E.isRight(slow) && slow.right).toEqual(fast)
      }),
      { numRuns: numRuns(1000) }
    )
  })
})
