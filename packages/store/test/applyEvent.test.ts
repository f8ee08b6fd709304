import { assert, describe, it } from "@effect/vitest"
import type { TradeEvent } from "@fill-tracker/domain"
import * as fc from "fast-check"
import { applyEvent, type ExecutionRow, type RecordedEvent } from "../src/index.js"
import { executionId, failed, legFilled, submitted } from "./support/events.js"
import { history, numRuns } from "./support/histories.js"

const record = (events: ReadonlyArray<TradeEvent>): ReadonlyArray<RecordedEvent> =>
  events.map((event, i) => ({
    position: BigInt(i + 1),
    streamId: executionId("p-1"),
    version: i + 1,
    event,
    metadata: {},
    recordedAt: new Date(Date.UTC(2025, 7, 29, 15, 0, i))
  }))

const fold = (recs: ReadonlyArray<RecordedEvent>): ExecutionRow | undefined =>
  recs.reduce<ExecutionRow | undefined>(applyEvent, undefined)

describe("applyEvent", () => {
  it("sums single-leg fills exactly and rounds the average to cents once", () => {
    const row = fold(
      record([
        submitted("p-1", "1", { shares: "3" }),
        legFilled("p-1", "1", "a", "1", "0.1", { legId: "1" }),
        legFilled("p-1", "1", "b", "2", "0.2", { legId: "1" })
      ])
    )
    // 0.1 + 0.4 = 0.5 over 3 shares: 0.1666… exactly to 12 digits, 17 cents.
    assert.deepStrictEqual(
      [
        row?.state,
        row?.filledShares,
        row?.notional,
        row?.averagePrice,
        row?.priceCents,
        row?.legId,
        row?.legs
      ],
      ["PARTIALLY_FILLED", "3", "0.5", "0.166666666667", 17n, "1", null]
    )
  })

  it("keeps multi-leg fills per leg, never summed across legs", () => {
    const row = fold(
      record([
        submitted("p-1", "1", { shares: "1" }),
        legFilled("p-1", "1", "a", "1", "2.5", { legId: "1" }),
        legFilled("p-1", "1", "b", "1", "1.25", { legId: "2" })
      ])
    )
    assert.strictEqual(row?.filledShares, "1")
    assert.strictEqual(row?.averagePrice, null)
    assert.deepStrictEqual(
      row?.legs?.map((l) => [l.legId, l.filledQuantity, l.averagePrice, l.priceCents]),
      [
        ["1", "1", "2.5", "250"],
        ["2", "1", "1.25", "125"]
      ]
    )
  })

  it("a terminal row takes no later fills, and a stream must start with Submitted", () => {
    const recs = record([
      submitted("p-1", "1"),
      failed("p-1", "1", "EXPIRED"),
      legFilled("p-1", "1", "late", "5", "1")
    ])
    const row = fold(recs)
    assert.deepStrictEqual(
      [row?.status, row?.state, row?.filledShares, row?.streamVersion],
      ["FAILED", "EXPIRED", "0", 3]
    )
    assert.isUndefined(applyEvent(undefined, recs[2] as RecordedEvent))
  })

  it("property: applying every event twice gives the same row as applying it once", () =>
    fc.assert(
      fc.property(history("p-1", 100), fc.array(fc.nat(), { minLength: 1 }), (events, repeats) => {
        const recs = record(events)
        const once = fold(recs)
        let row: ExecutionRow | undefined
        recs.forEach((rec, i) => {
          row = applyEvent(row, rec)
          // A re-delivered event (and any earlier one) leaves the row unchanged.
          const again = recs[(repeats[i % repeats.length] ?? 0) % (i + 1)] as RecordedEvent
          assert.deepStrictEqual(applyEvent(row, again), row)
          row = applyEvent(row, rec)
        })
        assert.deepStrictEqual(row, once)
        assert.strictEqual(once?.streamVersion, events.length)
      }),
      { numRuns: numRuns(200) }
    ))
})
