/**
 * Schwab's entered time of each followed order, learned from its first snapshot and kept
 * across cycles by the poller. The list window starts from these rather than from the
 * recorded `submittedAt`: an execution recorded late (its `submittedAt` after Schwab's
 * entered time by more than the skew allowance) would otherwise fall out of the window and
 * cost a `getOrder` of its own every cycle.
 */
import type { SchwabOrder } from "@fill-tracker/domain"
import type { OpenExecutionRow } from "@fill-tracker/store"

export class EnteredTimes {
  private readonly byOrder = new Map<string, number>()

  /** Keeps the snapshot's entered time, if it has one. */
  learn(order: SchwabOrder | undefined): void {
    if (order?.orderId === undefined || order.enteredTime === undefined) return
    const at = Date.parse(order.enteredTime)
    if (!Number.isNaN(at)) this.byOrder.set(order.orderId, at)
  }

  /** When the row's followed order was entered: Schwab's time once seen, else the recorded submission. */
  of(row: Pick<OpenExecutionRow, "orderId" | "submittedAt">): number {
    return this.byOrder.get(row.orderId) ?? Date.parse(row.submittedAt)
  }

  /** Forgets orders no open execution follows, so the map never outgrows the open set. */
  retain(followed: ReadonlySet<string>): void {
    for (const id of this.byOrder.keys()) if (!followed.has(id)) this.byOrder.delete(id)
  }
}
