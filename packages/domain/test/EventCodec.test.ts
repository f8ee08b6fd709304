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
})
