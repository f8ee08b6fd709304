/**
 * Schwab's entered time of each followed order, learned from its first snapshot and kept
 * across cycles by the poller. The list window starts from these rather than from the
 * recorded `submittedAt`: an execution recorded late (its `submittedAt` after Schwab's
 * entered time by more than the skew allowance) would otherwise fall out of the window and
 * cost a `getOrder` of its own every cycle.
 *
 * Kept in the store too (LearnedFacts), so a restart, or another poller taking the account
 * over, starts from what was learned instead of paying one `getOrder` per such execution
 * again: `load` reads the orders this poller does not know yet, `save` writes what it
 * learned. Memory stays the first place asked, so a cycle whose orders are all known costs
 * the store nothing.
 */
import type { OrderId, SchwabOrder } from "@fill-tracker/domain"
import { LearnedFacts, type OpenExecutionRow, type StoreError } from "@fill-tracker/store"
import { Effect } from "effect"

export class EnteredTimes {
  private readonly byOrder = new Map<string, number>()
  /** Learned here and not yet written to the store (kept until a write succeeds). */
  private readonly unsaved = new Map<OrderId, number>()
  private pruned = false

  /** Keeps the snapshot's entered time, if it has one. */
  learn(order: SchwabOrder | undefined): void {
    if (order?.orderId === undefined || order.enteredTime === undefined) return
    const at = Date.parse(order.enteredTime)
    if (Number.isNaN(at) || this.byOrder.get(order.orderId) === at) return
    this.byOrder.set(order.orderId, at)
    this.unsaved.set(order.orderId, at)
  }

  /** When the row's followed order was entered: Schwab's time once seen, else the recorded submission. */
  of(row: Pick<OpenExecutionRow, "orderId" | "submittedAt">): number {
    return this.byOrder.get(row.orderId) ?? Date.parse(row.submittedAt)
  }

  /** Forgets orders no open execution follows, so the map never outgrows the open set. */
  retain(followed: ReadonlySet<string>): void {
    for (const id of this.byOrder.keys()) if (!followed.has(id)) this.byOrder.delete(id)
    for (const id of this.unsaved.keys()) if (!followed.has(id)) this.unsaved.delete(id)
  }

  /**
   * Reads from the store the entered times of these rows' orders that memory lacks: all of
   * them after a start, an account's after it moved here from another poller, a new
   * order's until its first snapshot. The first load also forgets, in the store, the
   * orders no open execution follows any more (a restart happens on every deploy).
   */
  load(
    rows: ReadonlyArray<Pick<OpenExecutionRow, "orderId">>
  ): Effect.Effect<void, StoreError, LearnedFacts> {
    const unknown = [...new Set(rows.map((r) => r.orderId).filter((id) => !this.byOrder.has(id)))]
    return Effect.gen(this, function* () {
      const facts = yield* LearnedFacts
      if (!this.pruned) {
        yield* facts.pruneEnteredTimes()
        this.pruned = true
      }
      if (unknown.length === 0) return
      for (const [orderId, at] of yield* facts.enteredTimes(unknown))
        if (!this.byOrder.has(orderId)) this.byOrder.set(orderId, at)
    })
  }

  /** Writes the entered times learned since the last successful save. */
  get save(): Effect.Effect<void, StoreError, LearnedFacts> {
    return Effect.gen(this, function* () {
      if (this.unsaved.size === 0) return
      const facts = [...this.unsaved].map(([orderId, enteredAt]) => ({ orderId, enteredAt }))
      yield* (yield* LearnedFacts).learnEnteredTimes(facts)
      for (const f of facts) if (this.unsaved.get(f.orderId) === f.enteredAt) this.unsaved.delete(f.orderId)
    })
  }
}
