import fc from "fast-check"
import * as E from "fp-ts/lib/Either.js"
import { describe, expect, it } from "vitest"
import * as D from "../src/Decimal.js"
import { decodeStoredEvent, encodeStoredEvent } from "../src/EventCodec.js"
import type { Submitted, TradeEvent } from "../src/Events.js"
import { evolve, fold } from "../src/evolve.js"
import type { Instant } from "../src/ids.js"
import { reconcile } from "../src/reconcile.js"
import type { OrderActivity, SchwabOrder } from "../src/SchwabOrder.js"
import { followsOrder, initial, isTerminal, type TradeState } from "../src/TradeState.js"
import {
  anyStatus,
  fillActivities,
  instant,
  nonFillActivity,
  numRuns,
  placementRequestedArb,
  price,
  quantity,
  snapshotOf,
  submittedForOrder,
  tradeEvent
} from "./testing/arbitraries.js"
import { dec, EXECUTION_ID, leg, NOW, ORDER_ID, submitted } from "./testing/build.js"

const runs = { numRuns: numRuns(100) }

const decide = (state: TradeState, order: SchwabOrder, now: Instant = NOW): ReadonlyArray<TradeEvent> => {
  const result = reconcile(state, order, now)
  if (E.isLeft(result)) throw new Error(result.left.message)
  return result.right
}

/** What must not depend on how snapshots arrived: fills, status, followed order, outcome, flags. */
const essence = (state: TradeState) =>
  !followsOrder(state)
    ? state
    : {
        status: state.status,
        orderId: state.orderId,
        fills: state.fills,
        outcome: state.status === "Filled" ? state.filled : state.status === "Failed" ? state.failed : null,
        flags: state.flags.map((f) => `${f.kind}:${f.fillKey ?? ""}`).sort()
      }

/** Feeds snapshots one by one, keeping the state incrementally; returns it and the event log. */
const feed = (sub: Submitted, snapshots: ReadonlyArray<SchwabOrder>) => {
  let state = evolve(initial, sub)
  const log: Array<TradeEvent> = [sub]
  for (const snapshot of snapshots) {
    for (const event of decide(state, snapshot)) {
      state = evolve(state, event)
      log.push(event)
    }
  }
  return { state, log }
}

/** Activities in arrival order, the statuses of the snapshots before the last, and the last status. */
const history = fc
  .record({
    activities: fillActivities(1, 6),
    working: fc.constantFrom("WORKING", "QUEUED", "PENDING_CANCEL", "UNKNOWN"),
    last: anyStatus,
    sub: submittedForOrder
  })
  .chain((r) =>
    fc
      .shuffledSubarray([...r.activities], { minLength: r.activities.length, maxLength: r.activities.length })
      .map((arrival) => ({ ...r, arrival }))
  )

const growing = (h: { arrival: ReadonlyArray<OrderActivity>; working: string; last: string }) =>
  h.arrival.map((_, i) =>
    snapshotOf(h.arrival.slice(0, i + 1), i === h.arrival.length - 1 ? h.last : h.working)
  )

describe("reconcile properties", () => {
  it("is idempotent: a snapshot applied, then seen again, yields nothing", () => {
    fc.assert(
      fc.property(submittedForOrder, fillActivities(0, 6), anyStatus, (sub, activities, status) => {
        const snapshot = snapshotOf(activities, status)
        const state = fold([sub, ...decide(fold([sub]), snapshot)])
        expect(reconcile(state, snapshot, NOW)).toEqual(E.right([]))
      }),
      runs
    )
  })

  it("feeding a growing sequence of snapshots one by one ends where feeding only the last does", () => {
    fc.assert(
      fc.property(history, (h) => {
        const snapshots = growing(h)
        const oneByOne = feed(h.sub, snapshots).state
        const lastOnly = feed(h.sub, snapshots.slice(-1)).state
        expect(essence(oneByOne)).toEqual(essence(lastOnly))
      }),
      runs
    )
  })

  it("folding the stored event log equals the incrementally kept state", () => {
    fc.assert(
      fc.property(history, (h) => {
        const { state, log } = feed(h.sub, growing(h))
        const stored = log.map(encodeStoredEvent)
        const read = stored.map((s) => decodeStoredEvent(s.type, s.version, s.data))
        expect(read.every(E.isRight)).toBe(true)
        expect(fold(read.flatMap((r) => (E.isRight(r) ? [r.right] : [])))).toEqual(state)
      }),
      runs
    )
  })

  it("terminal states absorb every later event and accept their own snapshot again", () => {
    const terminal = fc
      .record({
        sub: submittedForOrder,
        activities: fillActivities(1, 4),
        status: fc.constantFrom("CANCELED", "REJECTED", "EXPIRED", "FILLED")
      })
      .map(({ sub, activities, status }) => {
        const snapshot = snapshotOf(activities, status, {
          quantity: dec("1"),
          legs: [leg({ quantity: dec("1") })]
        })
        return { snapshot, state: fold([sub, ...decide(fold([sub]), snapshot)]) }
      })
    fc.assert(
      fc.property(terminal, fc.array(tradeEvent, { maxLength: 8 }), ({ snapshot, state }, later) => {
        expect(isTerminal(state)).toBe(true)
        expect(later.reduce(evolve, state)).toBe(state)
        expect(reconcile(state, snapshot, NOW)).toEqual(E.right([]))
      }),
      runs
    )
  })

  it("an intent before the submission, and replace/cancel requests between snapshots, change no decision", () => {
    const requests = fc.array(fc.constantFrom("none", "replace", "cancel"), { minLength: 6, maxLength: 6 })
    fc.assert(
      fc.property(history, placementRequestedArb, requests, (h, intent, asks) => {
        const snapshots = growing(h)
        const plain = feed(h.sub, snapshots).log
        let state = fold([{ ...intent, executionId: h.sub.executionId }, h.sub])
        const decided: Array<TradeEvent> = [h.sub]
        snapshots.forEach((snapshot, i) => {
          const ask = asks[i % asks.length]
          if (state.status === "Submitted" && ask !== "none") {
            const base = { executionId: h.sub.executionId, orderId: state.orderId, requestedAt: NOW }
            state = evolve(
              state,
              ask === "replace"
                ? { type: "ReplaceRequested", ...base, order: intent.order }
                : { type: "CancelRequested", ...base }
            )
          }
          for (const event of decide(state, snapshot)) {
            state = evolve(state, event)
            decided.push(event)
          }
        })
        expect(decided).toEqual(plain)
      }),
      runs
    )
  })

  it("an intent that found no order absorbs every later event and has no order to reconcile", () => {
    const {
      orderId: _o,
      brokerStatus: _b,
      ...rest
    } = {
      type: "Failed" as const,
      executionId: EXECUTION_ID,
      orderId: ORDER_ID,
      brokerStatus: "",
      reason: "not placed",
      filledShares: D.zero,
      failedAt: NOW,
      legs: []
    }
    fc.assert(
      fc.property(placementRequestedArb, fc.array(tradeEvent, { maxLength: 8 }), (intent, later) => {
        const state = fold([intent, rest])
        expect(state.status).toBe("PlacementFailed")
        expect(later.reduce(evolve, state)).toBe(state)
        expect(E.isLeft(reconcile(state, snapshotOf([], "FILLED"), NOW))).toBe(true)
      }),
      runs
    )
  })

  it("shuffling activities never changes the result", () => {
    const shuffled = fillActivities(1, 6).chain((acts) =>
      fc
        .shuffledSubarray([...acts], { minLength: acts.length, maxLength: acts.length })
        .map((other) => [acts, other] as const)
    )
    fc.assert(
      fc.property(submittedForOrder, shuffled, anyStatus, (sub, [acts, other], status) => {
        const state = fold([sub])
        expect(reconcile(state, snapshotOf(other, status), NOW)).toEqual(
          reconcile(state, snapshotOf(acts, status), NOW)
        )
      }),
      runs
    )
  })

  it("inserting non-FILL activities never changes the fills, filled quantity or average", () => {
    const withNoise = fc
      .tuple(
        fillActivities(0, 5),
        fc.array(fc.tuple(nonFillActivity, fc.nat()), { minLength: 1, maxLength: 4 })
      )
      .map(([acts, noise]) => {
        const mixed = [...acts]
        for (const [activity, at] of noise) mixed.splice(at % (mixed.length + 1), 0, activity)
        return [acts, mixed] as const
      })
    fc.assert(
      fc.property(submittedForOrder, withNoise, anyStatus, (sub, [acts, mixed], status) => {
        const state = fold([sub])
        expect(reconcile(state, snapshotOf(mixed, status), NOW)).toEqual(
          reconcile(state, snapshotOf(acts, status), NOW)
        )
      }),
      runs
    )
  })

  it("a spread's legs are summed per leg, never across legs, whatever the activity order", () => {
    const execution = fc.record({ legId: fc.constantFrom("1", "2"), quantity, price, time: instant })
    const spreadActivities = fc
      .array(fc.array(execution, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 5 })
      .map((activities) =>
        activities.map(
          (legs, i): OrderActivity => ({
            activityId: String(700 + i),
            executionType: "FILL",
            executionLegs: legs.map((l, index) => ({ index, ...l }))
          })
        )
      )
      .chain((acts) =>
        fc
          .shuffledSubarray(acts, { minLength: acts.length, maxLength: acts.length })
          .map((other) => [acts, other] as const)
      )
    const legs = [
      leg({ legId: "1", instruction: "BUY_TO_OPEN" }),
      leg({ legId: "2", instruction: "SELL_TO_OPEN" })
    ]
    fc.assert(
      fc.property(spreadActivities, anyStatus, ([acts, other], status) => {
        const state = fold([submitted()])
        const events = decide(state, snapshotOf(acts, status, { legs }))
        expect(decide(state, snapshotOf(other, status, { legs }))).toEqual(events)
        const after = fold([submitted(), ...events])
        if (!followsOrder(after)) throw new Error("submitted")
        const perLeg = (id: string) =>
          D.sum(acts.flatMap((a) => a.executionLegs.filter((l) => l.legId === id).map((l) => l.quantity)))
        const outcome = events.find((e) => e.type === "Filled" || e.type === "Failed")
        if (outcome?.type === "Filled" || outcome?.type === "Failed")
          for (const summary of outcome.legs) expect(summary.filledQuantity).toEqual(perLeg(summary.legId))
      }),
      runs
    )
  })

  it("the Filled average lies between the lowest and highest fill price, and so do its cents", () => {
    fc.assert(
      fc.property(submittedForOrder, fillActivities(1, 6), (sub, activities) => {
        const legs = activities.flatMap((a) => a.executionLegs)
        const total = D.sum(legs.map((l) => l.quantity))
        const snapshot = snapshotOf(activities, "FILLED", {
          quantity: total,
          legs: [leg({ quantity: total })]
        })
        const filled = decide(fold([sub]), snapshot).find((e) => e.type === "Filled")
        if (filled?.type !== "Filled") throw new Error("expected Filled when the fills add up")
        const prices = legs.map((l) => l.price)
        const lo = prices.reduce(D.min)
        const hi = prices.reduce(D.max)
        expect(filled.filledShares).toEqual(total)
        expect(D.compare(lo, filled.averagePrice)).toBeLessThanOrEqual(0)
        expect(D.compare(filled.averagePrice, hi)).toBeLessThanOrEqual(0)
        expect(filled.priceCents >= D.toCents(lo) && filled.priceCents <= D.toCents(hi)).toBe(true)
      }),
      runs
    )
  })
})
