import { assert, describe, it } from "@effect/vitest"
import { encodeStoredEvent } from "@fill-tracker/domain"
import { CorruptEventError } from "../src/errors.js"
import { decodeEventRow, type EventRow, pageDecoder } from "../src/internal/eventRows.js"
import { submitted } from "./support/events.js"

const stored = encodeStoredEvent(submitted("r-1", "4001"))
/** A good row in `eventColumns` order, with one column replaced. */
const row = (change: Partial<Record<number, unknown>> = {}): EventRow => {
  const base: Array<unknown> = [
    7,
    "r-1",
    1,
    stored.type,
    stored.version,
    stored.data,
    "{}",
    "2025-08-29T14:00:00.000Z"
  ]
  for (const [k, v] of Object.entries(change)) base[Number(k)] = v
  return base
}

/** What is wrong, the change, the detail it names, the position it names (-1: none readable). */
const malformed: ReadonlyArray<[string, Partial<Record<number, unknown>>, string, bigint]> = [
  ["a negative position", { 0: -7 }, "position or stream version", -7n],
  ["a negative bigint position", { 0: -7n }, "position or stream version", -7n],
  ["a fractional position", { 0: 7.5 }, "position or stream version", -1n],
  ["a position that is not digits", { 0: "7a" }, "position or stream version", -1n],
  ["stream version 0", { 2: 0 }, "position or stream version", 7n],
  ["a stream id that is not an execution id", { 1: "has space" }, "not an execution id", 7n],
  ["an event type that is not text", { 3: 5 }, "wrong type", 7n],
  ["a schema version that is not an integer", { 4: "x" }, "wrong type", 7n],
  ["a recorded_at that is not a time", { 7: "yesterday" }, "recorded_at is not a time", 7n],
  ["a recorded_at that is not text", { 7: 1 }, "recorded_at is not a time", 7n]
]

describe("event rows", () => {
  it("decode for callers and for a fold: the same event, the fold's without position or metadata", () => {
    const full = decodeEventRow(row({ 6: '{"by":"bot"}' }))
    const folded = pageDecoder("fold")(row())
    assert.isFalse(full instanceof CorruptEventError)
    assert.isFalse(folded instanceof CorruptEventError)
    if (full instanceof CorruptEventError || folded instanceof CorruptEventError) return
    assert.strictEqual(full.position, 7n)
    assert.deepStrictEqual(full.metadata, { by: "bot" })
    assert.deepStrictEqual(folded, {
      streamId: full.streamId,
      version: full.version,
      event: full.event,
      recordedAt: full.recordedAt
    })
    const big = decodeEventRow(row({ 0: "9007199254740995" }))
    assert.isTrue(!(big instanceof CorruptEventError) && big.position === 9007199254740995n)
  })

  for (const [what, change, detail, position] of malformed)
    it(`a row with ${what} is a MalformedRow error naming its position, for callers and for a fold`, () => {
      for (const decode of [decodeEventRow, pageDecoder("fold")]) {
        const e = decode(row(change))
        assert.isTrue(e instanceof CorruptEventError, what)
        if (!(e instanceof CorruptEventError)) return
        assert.strictEqual(e.reason, "MalformedRow")
        assert.include(e.detail, detail)
        assert.strictEqual(e.position, position)
      }
    })

  it("metadata that is not a JSON object is a MalformedRow error for callers; a fold does not read it", () => {
    for (const metadata of ["[1]", "not json", "null"]) {
      const e = decodeEventRow(row({ 6: metadata }))
      assert.isTrue(
        e instanceof CorruptEventError && e.reason === "MalformedRow" && e.position === 7n,
        metadata
      )
      assert.isFalse(pageDecoder("fold")(row({ 6: metadata })) instanceof CorruptEventError)
    }
  })

  it("an undecodable payload is an UndecodablePayload error naming its position", () => {
    for (const decode of [decodeEventRow, pageDecoder("fold")]) {
      const e = decode(row({ 5: '{"type":"Submitted"}' }))
      assert.isTrue(e instanceof CorruptEventError && e.reason === "UndecodablePayload" && e.position === 7n)
    }
  })
})
