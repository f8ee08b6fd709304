/**
 * Remembers, per execution, the broker snapshot that last changed nothing, so a cycle can
 * skip reading the stream and reconciling an order whose snapshot and recorded history are
 * both the same as last time. With thousands of open working orders that read is most of a
 * cycle's cost.
 *
 * Safe by construction: the key is the execution's stream version (from the read model)
 * plus a fingerprint of everything in the snapshot that reconcile reads. Same history and
 * same snapshot give the same decision, which was "nothing new"; any new event (by anyone)
 * bumps the version, any broker change alters the fingerprint.
 */
import type { Decimal, ExecutionId, SchwabOrder } from "@fill-tracker/domain"

const d = (x: Decimal.Decimal | undefined): string => (x === undefined ? "" : `${x.units}e-${x.scale}`)

/** Everything reconcile reads from an order, as text; children and replacements by id. */
export const snapshotFingerprint = (o: SchwabOrder): string => {
  const parts: Array<string> = [
    o.orderId ?? "",
    o.status._tag,
    o.status.value,
    d(o.quantity),
    d(o.filledQuantity),
    d(o.remainingQuantity),
    o.closeTime ?? "",
    o.enteredTime ?? "",
    o.statusDescription ?? ""
  ]
  for (const leg of o.legs)
    parts.push(`L${leg.legId ?? ""}/${leg.instruction ?? ""}/${d(leg.quantity)}/${leg.symbol ?? ""}`)
  for (const a of o.activities) {
    parts.push(`A${a.activityId ?? ""}/${a.executionType ?? ""}/${a.activityType ?? ""}`)
    for (const x of a.executionLegs)
      parts.push(`X${x.index}/${x.legId ?? ""}/${d(x.quantity)}/${d(x.price)}/${x.time ?? ""}`)
  }
  for (const r of o.replacingOrders) parts.push(`R${r.orderId ?? ""}/${r.status.value}`)
  return parts.join("|")
}

export class SnapshotMemo {
  private readonly seen = new Map<ExecutionId, string>()

  private key = (streamVersion: number, order: SchwabOrder) =>
    `${streamVersion}#${snapshotFingerprint(order)}`

  /** Whether this exact history and snapshot already produced no new events. */
  unchanged(executionId: ExecutionId, streamVersion: number, order: SchwabOrder): boolean {
    return this.seen.get(executionId) === this.key(streamVersion, order)
  }

  remember(executionId: ExecutionId, streamVersion: number, order: SchwabOrder): void {
    this.seen.set(executionId, this.key(streamVersion, order))
  }

  /** Drops executions no longer open, so the memo never outgrows the open set. */
  retain(open: ReadonlySet<ExecutionId>): void {
    for (const id of this.seen.keys()) if (!open.has(id)) this.seen.delete(id)
  }
}
