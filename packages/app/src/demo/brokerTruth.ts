/**
 * What an honest tracker must have recorded for an order, computed from the sandbox's
 * truth: the chain of replacements followed to its end, every FILL summed exactly, the
 * average rounded half-up to cents once. The demo prints it beside what was recorded;
 * the end-to-end and crash tests assert on it.
 */
import { Decimal } from "@fill-tracker/domain"
import type { Sandbox } from "@fill-tracker/schwab-sandbox"

export interface ExpectedExecution {
  readonly finalOrderId: string
  readonly finalStatus: string
  readonly filledShares: string
  readonly priceCents: bigint | null
  readonly fillCount: number
  /** The fill keys the tracker must hold, one per execution leg. */
  readonly fillKeys: ReadonlyArray<string>
}

export const expectedExecution = (sandbox: Sandbox, orderId: string): ExpectedExecution => {
  let qty = Decimal.zero
  let notional = Decimal.zero
  let fillCount = 0
  const fillKeys: Array<string> = []
  let truth = sandbox.truth(orderId)
  for (let hops = 0; ; hops++) {
    for (const f of truth.fills) {
      const q = Decimal.fromString(f.quantity)
      const p = Decimal.fromString(f.price)
      if (q === undefined || p === undefined)
        throw new Error(`sandbox truth has a bad number: ${f.quantity} @ ${f.price}`)
      qty = Decimal.add(qty, q)
      notional = Decimal.add(notional, Decimal.mul(q, p))
      fillCount += 1
      fillKeys.push(`${f.activityId}:${f.executionIndex}`)
    }
    if (truth.replacedBy === undefined || hops > 20) break
    const next = sandbox.truth(truth.replacedBy)
    if (!next.entered) break
    truth = next
  }
  return {
    finalOrderId: truth.orderId,
    finalStatus: truth.status,
    filledShares: Decimal.format(qty),
    priceCents: Decimal.isZero(qty) ? null : (Decimal.centsOfRatio(notional, qty) ?? null),
    fillCount,
    fillKeys
  }
}
