/**
 * After a place-order answer was lost: which listed orders could be the one we sent?
 * Same symbol, instruction and quantity, a single leg, entered no earlier than our attempt
 * (less the allowed clock skew), and not an order this client already knows it placed.
 */
import { Decimal, type OrderId, type SchwabOrder } from "@fill-tracker/domain"
import type { MarketOrder } from "./orderRequest.js"

export const placementCandidates = (
  orders: ReadonlyArray<SchwabOrder>,
  order: MarketOrder,
  enteredNoEarlierThan: number,
  known: ReadonlySet<string>
): ReadonlyArray<OrderId> =>
  orders.flatMap((o) => {
    const leg = o.legs[0]
    const entered = o.enteredTime === undefined ? Number.NaN : Date.parse(o.enteredTime)
    const quantity = leg?.quantity ?? o.quantity
    return o.orderId !== undefined &&
      !known.has(o.orderId) &&
      o.legs.length === 1 &&
      leg?.symbol === order.symbol &&
      leg.instruction === order.direction &&
      quantity !== undefined &&
      Decimal.equals(quantity, order.shares) &&
      entered >= enteredNoEarlierThan
      ? [o.orderId]
      : []
  })
