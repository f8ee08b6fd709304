/**
 * The rows of the accounts this poller holds a lease on, asking `leaseOf` once per account.
 * It was `Effect.filter` over the rows, a lease look-up per row; Effect's sequential
 * filter also rebuilds its kept list at every element, so at 10,000 open orders one cycle
 * allocated gigabytes (4 GB over the event-loop proof's span, the largest allocation site
 * in its heap profile) and its GC pauses were most of the host's event-loop delay.
 */
import type { AccountHash } from "@fill-tracker/domain"
import { Effect } from "effect"
import type { CycleLeases } from "./pollCycle.js"

export const heldRows = <Row extends { readonly accountHash: AccountHash }>(
  rows: ReadonlyArray<Row>,
  leaseOf: CycleLeases["leaseOf"]
): Effect.Effect<ReadonlyArray<Row>> =>
  Effect.gen(function* () {
    const held = new Set<AccountHash>()
    for (const account of new Set(rows.map((r) => r.accountHash)))
      if ((yield* leaseOf(account)) !== undefined) held.add(account)
    return held.size === 0 ? [] : rows.filter((r) => held.has(r.accountHash))
  })
