/**
 * A replace or cancel whose answer was lost is resolved from the followed order's snapshot:
 * REPLACED and terminal statuses are outcomes (`reconcile` decides them), a plainly working
 * order a bounded time after the request closes the request with `RequestLapsed`, and a
 * request Schwab is carrying out (PENDING_*) or may still act on never lapses.
 */
import fc from "fast-check"
import * as E from "fp-ts/lib/Either.js"
import { describe, expect, it } from "vitest"
import * as D from "../src/Decimal.js"
import type { CancelRequested, ReplaceRequested, RequestLapsed, TradeEvent } from "../src/Events.js"
import { evolve, fold } from "../src/evolve.js"
import type { Instant } from "../src/ids.js"
import { reconcile } from "../src/reconcile.js"
import { DEFAULT_REQUEST_WINDOW_MS, lapsedRequest } from "../src/requestLapse.js"
import type { SchwabOrder } from "../src/SchwabOrder.js"
import { classifyStatus } from "../src/schwab/OrderStatus.js"
import type { TradeState, Working } from "../src/TradeState.js"
import { fillActivities, numRuns, snapshotOf } from "./testing/arbitraries.js"
import {
  at,
  EXECUTION_ID,
  fill,
  ORDER_ID,
  order,
  orderId,
  placementRequested,
  status,
  submitted
} from "./testing/build.js"

const runs = { numRuns: numRuns(200) }
const REQUESTED = at("17:10:00")
const after = (ms: number): Instant => new Date(Date.parse(REQUESTED) + ms).toISOString() as Instant

const replaceRequested: ReplaceRequested = {
  type: "ReplaceRequested",
  executionId: EXECUTION_ID,
  orderId: ORDER_ID,
  order: placementRequested().order,
  requestedAt: REQUESTED
}
const cancelRequested: CancelRequested = {
  type: "CancelRequested",
  executionId: EXECUTION_ID,
  orderId: ORDER_ID,
  requestedAt: REQUESTED
}

const working = (request: ReplaceRequested | CancelRequested): Working => {
  const state = fold([submitted(), request])
  if (state.status !== "Submitted") throw new Error("expected Submitted")
  return state
}

const decide = (state: TradeState, snapshot: SchwabOrder, now: Instant): ReadonlyArray<TradeEvent> => {
  const result = reconcile(state, snapshot, now)
  if (E.isLeft(result)) throw new Error(result.left.message)
  return result.right
}

describe("lapsedRequest", () => {
  it("a cancel whose order still works after the window lapses, naming the request; before the window, nothing", () => {
    const state = working(cancelRequested)
    expect(lapsedRequest(state, order(), after(DEFAULT_REQUEST_WINDOW_MS))).toBeUndefined()
    const lapse = lapsedRequest(state, order(), after(DEFAULT_REQUEST_WINDOW_MS + 1))
    expect(lapse).toEqual({
      type: "RequestLapsed",
      executionId: EXECUTION_ID,
      orderId: ORDER_ID,
      request: "Cancel",
      requestedAt: REQUESTED,
      reason: expect.stringMatching(
        /^cancel of order 1003931001 not carried out: Schwab still shows it WORKING/
      ),
      lapsedAt: after(DEFAULT_REQUEST_WINDOW_MS + 1)
    })
  })

  it("a replace lapses only while the order names no replacement; PENDING_REPLACE and PENDING_CANCEL never lapse", () => {
    const late = after(10 * DEFAULT_REQUEST_WINDOW_MS)
    const state = working(replaceRequested)
    expect(lapsedRequest(state, order(), late)).toMatchObject({ request: "Replace" })
    expect(
      lapsedRequest(state, order({ replacingOrders: [order({ orderId: orderId("2002") })] }), late)
    ).toBeUndefined()
    for (const s of ["PENDING_REPLACE", "PENDING_CANCEL", "PENDING_RECALL", "UNKNOWN", "SOMETHING_NEW"])
      expect(lapsedRequest(state, order({ status: status(s) }), late)).toBeUndefined()
  })

  it("a custom window is honoured and named in the reason", () => {
    const lapse = lapsedRequest(working(replaceRequested), order(), after(5_001), 5_000)
    expect(lapse?.reason).toContain("more than 5 s after the request")
  })

  it("without an open request, or for another order's snapshot, nothing", () => {
    const plain = fold([submitted()])
    if (plain.status !== "Submitted") throw new Error("expected Submitted")
    expect(lapsedRequest(plain, order(), after(DEFAULT_REQUEST_WINDOW_MS * 5))).toBeUndefined()
    expect(
      lapsedRequest(
        working(cancelRequested),
        order({ orderId: orderId("77") }),
        after(DEFAULT_REQUEST_WINDOW_MS * 5)
      )
    ).toBeUndefined()
  })
})

describe("reconcile closes requests Schwab never acted on", () => {
  it("the lapse comes after the snapshot's new fills; folded, the request is gone and a new one may open", () => {
    const state = working(cancelRequested)
    const snapshot = order({ activities: [fill("1", { quantity: "10", price: "150", time: "17:05:00" })] })
    const events = decide(state, snapshot, after(DEFAULT_REQUEST_WINDOW_MS + 1))
    expect(events.map((e) => e.type)).toEqual(["LegFilled", "RequestLapsed"])
    const next = events.reduce(evolve, state as TradeState)
    expect(next).toMatchObject({ status: "Submitted", fills: [{ fillKey: "1:0" }] })
    expect("request" in next).toBe(false)
    const again = evolve(next, { ...replaceRequested, requestedAt: after(DEFAULT_REQUEST_WINDOW_MS + 2) })
    expect(again).toMatchObject({ request: { type: "ReplaceRequested" } })
  })

  it("a cancel that Schwab carried out is the CANCELED outcome with what executed, never a lapse", () => {
    const snapshot = order({
      status: status("CANCELED"),
      closeTime: at("17:10:02"),
      activities: [fill("1", { quantity: "10", price: "150", time: "17:05:00" })]
    })
    const events = decide(working(cancelRequested), snapshot, after(DEFAULT_REQUEST_WINDOW_MS * 3))
    expect(events.map((e) => e.type)).toEqual(["LegFilled", "Failed"])
    expect(events[1]).toMatchObject({ brokerStatus: "CANCELED" })
    expect(events[1]?.type === "Failed" && D.format(events[1].filledShares)).toBe("10")
  })

  it("a replace that Schwab carried out follows the replacement it names, never a lapse", () => {
    const snapshot = snapshotOf([], "REPLACED")
    const events = decide(working(replaceRequested), snapshot, after(DEFAULT_REQUEST_WINDOW_MS * 3))
    expect(events).toMatchObject([{ type: "Replaced", replacementOrderId: "2002" }])
  })

  it("property: a lapse exactly when the order plainly works, names no replacement and the window is over; then nothing more", () => {
    const statuses = fc.constantFrom(
      "WORKING",
      "QUEUED",
      "ACCEPTED",
      "AWAITING_PARENT_ORDER",
      "PENDING_CANCEL",
      "PENDING_REPLACE",
      "FILLED",
      "CANCELED",
      "REJECTED",
      "EXPIRED",
      "REPLACED",
      "UNKNOWN",
      "SOMETHING_NEW"
    )
    fc.assert(
      fc.property(
        fc.constantFrom(replaceRequested, cancelRequested),
        statuses,
        fc.integer({ min: -60_000, max: 3 * DEFAULT_REQUEST_WINDOW_MS }),
        fillActivities(0, 3),
        (request, statusValue, offset, activities) => {
          const state = working(request)
          const snapshot = snapshotOf(activities, statusValue)
          const now = after(offset)
          const events = decide(state, snapshot, now)
          const lapses = events.filter((e): e is RequestLapsed => e.type === "RequestLapsed")
          const expected =
            classifyStatus(snapshot.status) === "working" &&
            !statusValue.startsWith("PENDING_") &&
            offset > DEFAULT_REQUEST_WINDOW_MS
          expect(lapses.length).toBe(expected ? 1 : 0)
          if (expected) {
            expect(events.at(-1)).toBe(lapses[0])
            expect(lapses[0]).toMatchObject({ requestedAt: REQUESTED, orderId: ORDER_ID })
          }
          // Idempotent: the same snapshot once more decides nothing.
          const next = events.reduce(evolve, state as TradeState)
          if (expected) expect("request" in next).toBe(false)
          expect(decide(next, snapshot, now)).toEqual([])
        }
      ),
      runs
    )
  })

  it("property: a lapse that does not name the open request (kind, time or order) changes nothing", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(replaceRequested, cancelRequested),
        fc.constantFrom("kind", "time", "order"),
        (request, differ) => {
          const state = working(request)
          const kind = request.type === "ReplaceRequested" ? "Replace" : "Cancel"
          const lapse: RequestLapsed = {
            type: "RequestLapsed",
            executionId: EXECUTION_ID,
            orderId: differ === "order" ? orderId("77") : ORDER_ID,
            request: differ === "kind" ? (kind === "Replace" ? "Cancel" : "Replace") : kind,
            requestedAt: differ === "time" ? after(1) : REQUESTED,
            reason: "not carried out",
            lapsedAt: after(DEFAULT_REQUEST_WINDOW_MS + 1)
          }
          expect(evolve(state, lapse)).toBe(state)
          expect(
            evolve(state, { ...lapse, orderId: ORDER_ID, request: kind, requestedAt: REQUESTED })
          ).toEqual(fold([submitted()]))
        }
      ),
      runs
    )
  })
})
