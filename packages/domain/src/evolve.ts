/**
 * The reducer: how each event changes an execution's state. Total on any input — an event
 * that cannot apply leaves the state as it was, so replaying any stored log never throws.
 *
 * @since 0.1.0
 */
import type { TradeEvent } from "./Events.js"
import { insertFill } from "./fills.js"
import { initial, type TradeState } from "./TradeState.js"

/**
 * Folds one event into the state.
 *
 * - Pending + Submitted → Submitted, following the submitted order id.
 * - LegFilled adds the fill (a fill key already recorded for its order is ignored); fills
 *   stay ordered by broker time, then activity id, then key.
 * - Replaced of the followed order → follow the replacement id.
 * - FillFlagged adds the flag.
 * - Filled / Failed → terminal; terminal states absorb every later event.
 *
 * @since 0.1.0
 * @category reducers
 */
export const evolve = (state: TradeState, event: TradeEvent): TradeState => {
  if (state.status === "Filled" || state.status === "Failed") return state
  if (state.status === "Pending") {
    return event.type === "Submitted"
      ? { status: "Submitted", submission: event, orderId: event.orderId, fills: [], flags: [] }
      : state
  }
  switch (event.type) {
    case "Submitted":
      return state
    case "LegFilled": {
      const fills = insertFill(state.fills, event)
      return fills === state.fills ? state : { ...state, fills }
    }
    case "Replaced":
      return event.orderId === state.orderId ? { ...state, orderId: event.replacementOrderId } : state
    case "FillFlagged":
      return { ...state, flags: [...state.flags, event] }
    case "Filled":
      return { ...state, status: "Filled", filled: event }
    case "Failed":
      return { ...state, status: "Failed", failed: event }
    default:
      // Compile time: every event type is handled. Run time: an unknown one changes nothing.
      exhaustive(event)
      return state
  }
}

const exhaustive = (_event: never): void => {}

/**
 * The state an event log folds to: `events.reduce(evolve, initial)`.
 *
 * @since 0.1.0
 * @category reducers
 */
export const fold = (events: Iterable<TradeEvent>): TradeState => {
  let state = initial
  for (const event of events) state = evolve(state, event)
  return state
}
