import fc from "fast-check"
import * as E from "fp-ts/lib/Either.js"
import { describe, expect, it } from "vitest"
import { TradeEvent } from "../src/Events.js"
import { decodeStoredEvent, EVENT_SCHEMA_VERSION, encodeStoredEvent } from "../src/index.js"
import { numRuns, tradeEvent } from "./testing/arbitraries.js"
import { legFilled, submitted } from "./testing/build.js"

const runs = { numRuns: numRuns(200) }

describe("event codecs", () => {
  it("TradeEvent decodes what it encodes", () => {
    fc.assert(
      fc.property(tradeEvent, (event) => {
        expect(TradeEvent.decode(TradeEvent.encode(event))).toEqual(E.right(event))
      }),
      runs
    )
  })

  it("stored events round-trip through their JSON text", () => {
    fc.assert(
      fc.property(tradeEvent, (event) => {
        const stored = encodeStoredEvent(event)
        expect(stored.type).toBe(event.type)
        expect(stored.version).toBe(EVENT_SCHEMA_VERSION)
        expect(decodeStoredEvent(stored.type, stored.version, stored.data)).toEqual(E.right(event))
      }),
      runs
    )
  })

  it("decodeStoredEvent never throws on arbitrary text, JSON or versions", () => {
    const data = fc.oneof(
      fc.string(),
      fc.json(),
      tradeEvent.map((e) => encodeStoredEvent(e).data)
    )
    fc.assert(
      fc.property(fc.string(), fc.integer(), data, (type, version, text) => {
        const result = decodeStoredEvent(type, version, text)
        if (E.isLeft(result)) expect(result.left._tag).toBe("StoredEventDecodeError")
      }),
      runs
    )
  })

  it("keeps exact decimals as text and names the field that does not decode", () => {
    const stored = encodeStoredEvent(legFilled("88001:0", "3", "22.7299", "17:15:18"))
    expect(JSON.parse(stored.data)).toMatchObject({ quantity: "3", price: "22.7299" })
    const broken = stored.data.replace('"22.7299"', '"abc"')
    const result = decodeStoredEvent("LegFilled", 1, broken)
    expect(E.isLeft(result) && result.left.message).toMatch(/price/)
    expect(E.isLeft(decodeStoredEvent("Submitted", 1, stored.data))).toBe(true)
    expect(E.isLeft(decodeStoredEvent("Submitted", 2, encodeStoredEvent(submitted()).data))).toBe(true)
  })

  it("a PlacementRequested stored before stop prices and order terms were placed decodes as the market order it was", () => {
    // Byte for byte what placeOrder wrote before 0.5.0 (MARKET / NORMAL / DAY, no stopPrice).
    const old =
      '{"type":"PlacementRequested","executionId":"exec-1","accountHash":"HASH123","order":{"symbol":"AAPL","shares":"100","instruction":"BUY","orderType":"MARKET","session":"NORMAL","duration":"DAY"},"requestedAt":"2025-08-29T17:00:00.000Z","referencePrice":"150.25"}'
    const decoded = decodeStoredEvent("PlacementRequested", 1, old)
    expect(E.isRight(decoded) && decoded.right).toMatchObject({
      type: "PlacementRequested",
      order: { orderType: "MARKET", session: "NORMAL", duration: "DAY" }
    })
    expect(
      E.isRight(decoded) && decoded.right.type === "PlacementRequested" && decoded.right.order
    ).not.toHaveProperty("stopPrice")
    // And a new one keeps its stop price exactly.
    const stop = old.replace(
      '"orderType":"MARKET"',
      '"orderType":"STOP_LIMIT","price":"10.5","stopPrice":"10.25"'
    )
    const again = decodeStoredEvent("PlacementRequested", 1, stop)
    expect(E.isRight(again) && JSON.parse(encodeStoredEvent(again.right).data).order).toMatchObject({
      orderType: "STOP_LIMIT",
      price: "10.5",
      stopPrice: "10.25"
    })
  })
})
