/**
 * What the account-activity stream tells the poller: look at this order now, or poll
 * everything now. The stream only says *when* to look; what happened is always read from
 * Schwab's REST answers, so a signal never makes an event by itself.
 */
import type { AccountHash, OrderId } from "@fill-tracker/domain"

export type StreamSignal =
  /** A streamed message named this order (in this account, when its number mapped to a hash). */
  | { readonly _tag: "Order"; readonly orderId: OrderId; readonly accountHash: AccountHash | undefined }
  /** Messages may have been missed (a reconnect, a `seq` gap): poll every account now. */
  | { readonly _tag: "PollAll"; readonly why: "reconnect" | "gap" }

/** The orders a batch of signals names, once each (the same order named twice is one getOrder). */
export const coalesce = (
  signals: ReadonlyArray<StreamSignal>
): { readonly pollAll: boolean; readonly orders: ReadonlyArray<WokenOrder> } => {
  const orders = new Map<string, WokenOrder>()
  let pollAll = false
  for (const s of signals) {
    if (s._tag === "PollAll") pollAll = true
    else if (!orders.has(s.orderId)) orders.set(s.orderId, { orderId: s.orderId, accountHash: s.accountHash })
  }
  return { pollAll, orders: [...orders.values()] }
}

/** An order a streamed message named, to be fetched with getOrder at once. */
export interface WokenOrder {
  readonly orderId: OrderId
  readonly accountHash: AccountHash | undefined
}
