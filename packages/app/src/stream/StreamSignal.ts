/**
 * What the account-activity stream tells the poller: look at this order now, or poll
 * everything now. The stream only says *when* to look; what happened is always read from
 * Schwab's REST answers, so a signal never makes an event by itself.
 */
import type { AccountHash, OrderId } from "@fill-tracker/domain"

export type StreamSignal =
  /** A streamed message named this order (in this account, when its number mapped to a hash). */
  | { readonly _tag: "Order"; readonly orderId: OrderId; readonly accountHash: AccountHash | undefined }
  /**
   * A streamed message said this order was just entered (created or accepted): it may be
   * the order of a placement intent still awaiting its id in that account.
   */
  | { readonly _tag: "NewOrder"; readonly orderId: OrderId; readonly accountHash: AccountHash | undefined }
  /** Messages may have been missed (a reconnect, a `seq` gap): poll every account now. */
  | { readonly _tag: "PollAll"; readonly why: "reconnect" | "gap" }

/** What a batch of signals asks for, each order once (the same order named twice is one getOrder). */
export interface CoalescedSignals {
  readonly pollAll: boolean
  /** Orders to fetch with getOrder (an open execution may follow them). */
  readonly orders: ReadonlyArray<WokenOrder>
  /** Orders just entered (a placement intent may await their id). */
  readonly newOrders: ReadonlyArray<WokenOrder>
}

/** Coalesces a batch of signals: each order once per kind. */
export const coalesce = (signals: ReadonlyArray<StreamSignal>): CoalescedSignals => {
  const orders = new Map<string, WokenOrder>()
  const newOrders = new Map<string, WokenOrder>()
  let pollAll = false
  for (const s of signals) {
    if (s._tag === "PollAll") pollAll = true
    else {
      const into = s._tag === "Order" ? orders : newOrders
      if (!into.has(s.orderId)) into.set(s.orderId, { orderId: s.orderId, accountHash: s.accountHash })
    }
  }
  return { pollAll, orders: [...orders.values()], newOrders: [...newOrders.values()] }
}

/** An order a streamed message named, to be fetched with getOrder at once. */
export interface WokenOrder {
  readonly orderId: OrderId
  readonly accountHash: AccountHash | undefined
}
