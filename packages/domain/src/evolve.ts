/**
 * The reducer: how each event changes an execution's state. Total on any input — an event
 * that cannot apply leaves the state as it was, so replaying any stored log never throws.
 *
 * @since 0.1.0
 */
import type { TradeEvent } from "./Events.js"
import { insertFill } from "./fills.js"
import { initial, type Pending, type TradeState, type Working } from "./TradeState.js"

const submittedFrom = (
  event: Extract<TradeEvent, { type: "Submitted" }>,
  intent?: Pending["intent"]
): Working => ({
  status: "Submitted",
  submission: event,
  orderId: event.orderId,
  fills: [],
  flags: [],
  ...(intent === undefined ? {} : { intent })
})

const working = (state: Working, event: TradeEvent): TradeState => {
  switch (event.type) {
    case "PlacementRequested":
    case "Submitted":
      return state
    case "LegFilled": {
      const fills = insertFill(state.fills, event)
      return fills === state.fills ? state : { ...state, fills }
    }
    case "Replaced": {
      if (event.orderId !== state.orderId) return state
      // The replace it sees through (if one was requested) is done; a cancel of the old
      // order no longer applies to the one now followed.
      const { request: _done, ...rest } = state
      return { ...rest, orderId: event.replacementOrderId }
    }
    case "ReplaceRequested":
    case "CancelRequested":
      return event.orderId === state.orderId ? { ...state, request: event } : state
    case "RequestLapsed": {
      // Closes only the request it names: an older lapse recorded late never drops a newer request.
      const open = state.request
      if (open === undefined || !closes(event, open, state.orderId)) return state
      const { request: _lapsed, ...rest } = state
      return rest
    }
    case "FillFlagged":
      return { ...state, flags: [...state.flags, event] }
    case "Filled":
      return { ...endOf(state), status: "Filled", filled: event }
    case "Failed":
      // A Failed without an order id ends an intent, never a followed order.
      return event.orderId === undefined ? state : { ...endOf(state), status: "Failed", failed: event }
    default:
      // Compile time: every event type is handled. Run time: an unknown one changes nothing.
      exhaustive(event)
      return state
  }
}

/** Whether a lapse names the open request: same order, same kind, same request time. */
const closes = (
  lapse: Extract<TradeEvent, { type: "RequestLapsed" }>,
  open: NonNullable<Working["request"]>,
  followed: Working["orderId"]
): boolean =>
  lapse.orderId === followed &&
  open.orderId === followed &&
  lapse.requestedAt === open.requestedAt &&
  lapse.request === (open.type === "ReplaceRequested" ? "Replace" : "Cancel")

/** The fields a terminal state keeps of the working one. */
const endOf = (s: Working) => ({
  submission: s.submission,
  orderId: s.orderId,
  fills: s.fills,
  flags: s.flags
})

/**
 * Folds one event into the state.
 *
 * - Empty + PlacementRequested → Pending (the intent, no order yet).
 * - Empty or Pending + Submitted → Submitted, following the submitted order id.
 * - Pending + Failed without an order id → PlacementFailed (terminal).
 * - LegFilled adds the fill (a fill key already recorded for its order is ignored); fills
 *   stay ordered by broker time, then activity id, then key.
 * - ReplaceRequested / CancelRequested of the followed order → the open request.
 * - Replaced of the followed order → follow the replacement id (the request is done).
 * - RequestLapsed naming the open request (order, kind, request time) → no open request.
 * - FillFlagged adds the flag.
 * - Filled / Failed (with an order id) → terminal; terminal states absorb every later event.
 *
 * @since 0.1.0
 * @category reducers
 */
export const evolve = (state: TradeState, event: TradeEvent): TradeState => {
  switch (state.status) {
    case "Filled":
    case "Failed":
    case "PlacementFailed":
      return state
    case "Empty":
      return event.type === "PlacementRequested"
        ? { status: "Pending", intent: event }
        : event.type === "Submitted"
          ? submittedFrom(event)
          : state
    case "Pending":
      return event.type === "Submitted"
        ? submittedFrom(event, state.intent)
        : event.type === "Failed" && event.orderId === undefined
          ? { status: "PlacementFailed", intent: state.intent, failed: event }
          : state
    case "Submitted":
      return working(state, event)
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
