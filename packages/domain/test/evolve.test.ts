import { describe, expect, it } from "vitest"
import type {
  CancelRequested,
  Failed,
  Filled,
  FillFlagged,
  Replaced,
  ReplaceRequested
} from "../src/Events.js"
import { evolve, fold } from "../src/evolve.js"
import { initial, isTerminal } from "../src/TradeState.js"
import {
  at,
  dec,
  EXECUTION_ID,
  legFilled,
  ORDER_ID,
  orderId,
  placementRequested,
  submitted
} from "./testing/build.js"

const replaced: Replaced = {
  type: "Replaced",
  executionId: EXECUTION_ID,
  orderId: ORDER_ID,
  replacementOrderId: orderId("2002"),
  replacedAt: at("17:20:00")
}
const flag: FillFlagged = {
  type: "FillFlagged",
  executionId: EXECUTION_ID,
  orderId: ORDER_ID,
  kind: "NonPositivePrice",
  detail: "price 0",
  flaggedAt: at("17:15:00"),
  fillKey: "1:0"
}
const filled: Filled = {
  type: "Filled",
  executionId: EXECUTION_ID,
  orderId: ORDER_ID,
  filledShares: dec("100"),
  notional: dec("1000"),
  averagePrice: dec("10"),
  priceCents: 1000n,
  closedAt: at("17:30:00"),
  legs: []
}
const failed: Failed = {
  type: "Failed",
  executionId: EXECUTION_ID,
  orderId: ORDER_ID,
  brokerStatus: "CANCELED",
  reason: "canceled",
  filledShares: dec("0"),
  failedAt: at("17:30:00"),
  legs: []
}

const { orderId: _none, brokerStatus: _unsaid, ...failedBase } = failed
/** An intent that found no order: Failed without an order id or broker status. */
const notPlaced: Failed = { ...failedBase, reason: "not placed: no order in the account's list" }
const replaceRequested: ReplaceRequested = {
  type: "ReplaceRequested",
  executionId: EXECUTION_ID,
  orderId: ORDER_ID,
  order: placementRequested().order,
  requestedAt: at("17:10:00")
}
const cancelRequested: CancelRequested = {
  type: "CancelRequested",
  executionId: EXECUTION_ID,
  orderId: ORDER_ID,
  requestedAt: at("17:10:00")
}

describe("evolve", () => {
  it("Empty + PlacementRequested is Pending with the intent; Pending + Submitted follows the order and keeps it", () => {
    const intent = placementRequested()
    const pending = evolve(initial, intent)
    expect(pending).toEqual({ status: "Pending", intent })
    expect(evolve(pending, submitted())).toEqual({
      status: "Submitted",
      submission: submitted(),
      orderId: ORDER_ID,
      fills: [],
      flags: [],
      intent
    })
    // Nothing but the submission or an intent's failure changes a Pending state.
    for (const event of [
      intent,
      legFilled("1:0", "1", "1", "17:00:00"),
      replaced,
      flag,
      filled,
      failed,
      replaceRequested,
      cancelRequested
    ])
      expect(evolve(pending, event)).toBe(pending)
  })

  it("Pending + Failed without an order id is PlacementFailed, terminal and absorbing", () => {
    const intent = placementRequested()
    const gone = fold([intent, notPlaced])
    expect(gone).toEqual({ status: "PlacementFailed", intent, failed: notPlaced })
    expect(isTerminal(gone)).toBe(true)
    for (const event of [submitted(), legFilled("1:0", "1", "1", "17:00:00"), filled, failed, intent])
      expect(evolve(gone, event)).toBe(gone)
  })

  it("a Failed without an order id never ends a followed order", () => {
    const state = fold([submitted()])
    expect(evolve(state, notPlaced)).toBe(state)
  })

  it("replace and cancel requests of the followed order are the open request; Replaced sees a replace through", () => {
    const state = fold([submitted()])
    expect(evolve(state, replaceRequested)).toMatchObject({ status: "Submitted", request: replaceRequested })
    expect(evolve(state, cancelRequested)).toMatchObject({ status: "Submitted", request: cancelRequested })
    expect(evolve(state, { ...cancelRequested, orderId: orderId("77") })).toBe(state)
    const after = fold([submitted(), replaceRequested, replaced])
    expect(after).toMatchObject({ status: "Submitted", orderId: "2002" })
    expect("request" in after).toBe(false)
    // The terminal state keeps only what the working one knew of the order and its fills.
    expect(fold([submitted(), cancelRequested, failed])).toEqual({
      status: "Failed",
      submission: submitted(),
      orderId: ORDER_ID,
      fills: [],
      flags: [],
      failed
    })
  })

  it("Empty + Submitted follows the submitted order with no fills; anything else leaves it Empty", () => {
    expect(evolve(initial, submitted())).toEqual({
      status: "Submitted",
      submission: submitted(),
      orderId: ORDER_ID,
      fills: [],
      flags: []
    })
    for (const event of [
      legFilled("1:0", "1", "1", "17:00:00"),
      replaced,
      flag,
      filled,
      failed,
      notPlaced,
      replaceRequested,
      cancelRequested
    ])
      expect(evolve(initial, event)).toBe(initial)
  })

  it("a second Submitted changes nothing", () => {
    const state = fold([submitted()])
    expect(evolve(state, submitted({ orderId: orderId("9") }))).toBe(state)
  })

  it("keeps fills ordered by broker time, then activity id numerically, then key; ignores a repeated key", () => {
    const state = fold([
      submitted(),
      legFilled("10:0", "1", "1", "17:16:00"),
      legFilled("9:0", "1", "1", "17:16:00"),
      legFilled("leg=1;x", "1", "1", "17:16:00"),
      legFilled("50:1", "1", "1", "17:15:00"),
      legFilled("50:0", "1", "1", "17:15:00")
    ])
    if (state.status !== "Submitted") throw new Error("expected Submitted")
    expect(state.fills.map((f) => f.fillKey)).toEqual(["50:0", "50:1", "9:0", "10:0", "leg=1;x"])
    expect(evolve(state, legFilled("9:0", "5", "5", "17:00:00"))).toBe(state)
  })

  it("the same fill key on another order is another fill", () => {
    const state = fold([
      submitted(),
      legFilled("1:0", "1", "1", "17:15:00"),
      legFilled("1:0", "1", "1", "17:15:00", { orderId: orderId("2002") })
    ])
    expect(state.status === "Submitted" && state.fills.length).toBe(2)
  })

  it("Replaced of the followed order follows the replacement; of another order, nothing", () => {
    expect(fold([submitted(), replaced])).toMatchObject({ orderId: "2002" })
    const state = fold([submitted()])
    expect(evolve(state, { ...replaced, orderId: orderId("77") })).toBe(state)
  })

  it("FillFlagged appends a flag", () => {
    expect(fold([submitted(), flag, flag])).toMatchObject({ flags: [flag, flag] })
  })

  it("Filled and Failed are terminal and absorb everything after", () => {
    const done = fold([submitted(), legFilled("1:0", "1", "1", "17:15:00"), filled])
    expect(done).toMatchObject({ status: "Filled", filled })
    for (const event of [submitted(), legFilled("2:0", "1", "1", "17:16:00"), replaced, flag, failed, filled])
      expect(evolve(done, event)).toBe(done)
    const gone = fold([submitted(), failed])
    expect(gone).toMatchObject({ status: "Failed", failed })
    expect(evolve(gone, filled)).toBe(gone)
  })

  it("fold is reduce from the initial state", () => {
    const events = [submitted(), legFilled("1:0", "1", "1", "17:15:00"), replaced, flag]
    expect(fold(events)).toEqual(events.reduce(evolve, initial))
    expect(fold([])).toBe(initial)
  })
})
