/**
 * After a place-order answer was lost: which listed orders could be the one we sent?
 * The order we asked for (the domain's `matchesRequest`: one leg, same symbol, instruction
 * and quantity, same order type, limit, stop, duration and session), entered no earlier
 * than our attempt (less the allowed clock skew), and not an order this client already
 * knows it placed.
 */
import { matchesRequest, type OrderId, type SchwabOrder } from "@fill-tracker/domain"
import type { OrderEntry } from "./orderRequest.js"

export const placementCandidates = (
  orders: ReadonlyArray<SchwabOrder>,
  order: OrderEntry,
  enteredNoEarlierThan: number,
  known: ReadonlySet<string>
): ReadonlyArray<OrderId> =>
  orders.flatMap((o) => {
    const entered = o.enteredTime === undefined ? Number.NaN : Date.parse(o.enteredTime)
    return o.orderId !== undefined &&
      !known.has(o.orderId) &&
      matchesRequest({ ...order, instruction: order.direction }, o) &&
      entered >= enteredNoEarlierThan
      ? [o.orderId]
      : []
  })
