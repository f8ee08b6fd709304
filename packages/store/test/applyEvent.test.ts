import { assert, describe, it } from "@effect/vitest"
import type { TradeEvent } from "@fill-tracker/domain"
import * as fc from "fast-check"
import { applyEvent, type ExecutionRow, type RecordedEvent } from "../src/index.js"
import {
  at,
  cancelRequested,
  executionId,
  failed,
  legFilled,
  placementRequested,
  replaced,
  replaceRequested,
  requestLapsed,
  submitted,
  unplaced
} from "./support/events.js"
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

  it("a terminal row takes no later fills, and a stream must start with Submitted or an intent", () => {
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

  it("an intent is a PENDING row with no order id; its Submitted makes it the submitted row", () => {
    const recs = record([
      placementRequested("p-1", { shares: "7", direction: "SELL_SHORT", minute: 5 }),
      submitted("p-1", "1", { shares: "7", direction: "SELL_SHORT", minute: 6 })
    ])
    const pending = fold(recs.slice(0, 1))
    assert.deepStrictEqual(
      [
        pending?.status,
        pending?.state,
        pending?.orderId,
        pending?.originalOrderId,
        pending?.shares,
        pending?.direction,
        pending?.submittedAt
      ],
      ["PENDING", "PENDING", null, null, "7", "SELL_SHORT", "2025-08-29T14:05:00.000Z"]
    )
    // The same row as a stream that starts with the submission, but for version and time.
    const alone = fold(record([submitted("p-1", "1", { shares: "7", direction: "SELL_SHORT", minute: 6 })]))
    assert.deepStrictEqual(
      fold(recs),
      alone && { ...alone, streamVersion: 2, updatedAt: "2025-08-29T15:00:01.000Z" }
    )
  })

  it("a PENDING row takes only its submission or its failure: fills, flags and outcomes change nothing", () => {
    const recs = record([
      placementRequested("p-1"),
      legFilled("p-1", "1", "a", "1", "2"),
      failed("p-1", "1", "CANCELED"),
      cancelRequested("p-1", "1")
    ])
    const row = fold(recs)
    assert.deepStrictEqual(
      [row?.status, row?.state, row?.orderId, row?.filledShares, row?.reason, row?.streamVersion],
      ["PENDING", "PENDING", null, "0", null, 4]
    )
  })

  it("an intent that found no order is NOT_PLACED; one that found several is PLACEMENT_AMBIGUOUS", () => {
    const none = fold(record([placementRequested("p-1"), unplaced("p-1")]))
    assert.deepStrictEqual(
      [none?.status, none?.state, none?.orderId, none?.brokerStatus, none?.failedAt],
      ["FAILED", "NOT_PLACED", null, null, "2025-08-29T14:03:00.000Z"]
    )
    assert.match(none?.reason ?? "", /not placed/)
    const several = fold(record([placementRequested("p-1"), unplaced("p-1", ["11", "12"])]))
    assert.deepStrictEqual([several?.status, several?.state], ["FAILED", "PLACEMENT_AMBIGUOUS"])
    assert.match(several?.reason ?? "", /11, 12/)
    // Terminal: a late submission does not revive it.
    const late = fold(record([placementRequested("p-1"), unplaced("p-1"), submitted("p-1", "1")]))
    assert.deepStrictEqual([late?.state, late?.orderId, late?.streamVersion], ["NOT_PLACED", null, 3])
  })

  it("a replace or cancel of the followed order is the row's request until Replaced, a lapse naming it, or the end", () => {
    const base = fold(record([submitted("p-1", "1")]))
    const rowAfter = (
      events: ReadonlyArray<TradeEvent>
    ):
      | { request: string | null; requestedAt: string | null; orderId: string | null; state: string }
      | undefined => {
      const row = fold(record([submitted("p-1", "1"), ...events]))
      return (
        row && { request: row.request, requestedAt: row.requestedAt, orderId: row.orderId, state: row.state }
      )
    }
    assert.deepStrictEqual(rowAfter([replaceRequested("p-1", "1")]), {
      request: "REPLACE_REQUESTED",
      requestedAt: at(1),
      orderId: "1",
      state: "SUBMITTED"
    })
    // Of another order: nothing. The latest request is the open one.
    assert.deepStrictEqual(rowAfter([cancelRequested("p-1", "9")])?.request, null)
    assert.deepStrictEqual(rowAfter([replaceRequested("p-1", "1"), cancelRequested("p-1", "1", 2)]), {
      request: "CANCEL_REQUESTED",
      requestedAt: at(2),
      orderId: "1",
      state: "SUBMITTED"
    })
    // A lapse closes only the request it names (kind and time), and says so until the next one.
    assert.deepStrictEqual(
      rowAfter([cancelRequested("p-1", "1"), requestLapsed("p-1", "1", "Cancel")])?.request,
      "CANCEL_LAPSED"
    )
    assert.deepStrictEqual(
      rowAfter([cancelRequested("p-1", "1", 2), requestLapsed("p-1", "1", "Cancel", 1)])?.request,
      "CANCEL_REQUESTED"
    )
    assert.deepStrictEqual(
      rowAfter([replaceRequested("p-1", "1"), requestLapsed("p-1", "1", "Cancel")])?.request,
      "REPLACE_REQUESTED"
    )
    assert.deepStrictEqual(rowAfter([requestLapsed("p-1", "1", "Cancel")]), {
      request: null,
      requestedAt: null,
      orderId: "1",
      state: "SUBMITTED"
    })
    // Seen through: Replaced moves to the replacement; the order's end closes it.
    assert.deepStrictEqual(rowAfter([replaceRequested("p-1", "1"), replaced("p-1", "1", "2")]), {
      request: null,
      requestedAt: null,
      orderId: "2",
      state: "SUBMITTED"
    })
    assert.deepStrictEqual(rowAfter([cancelRequested("p-1", "1"), failed("p-1", "1", "CANCELED")]), {
      request: null,
      requestedAt: null,
      orderId: "1",
      state: "CANCELED"
    })
    // A Failed without an order id ends no order and changes nothing but the version.
    assert.deepStrictEqual(
      fold(record([submitted("p-1", "1"), unplaced("p-1")])),
      base && { ...base, streamVersion: 2, updatedAt: "2025-08-29T15:00:01.000Z" }
    )
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
