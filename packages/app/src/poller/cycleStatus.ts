/**
 * How one cycle's outcome changes the poller's status. Pure, so every rule of what counts
 * as a failure is one function to read and test: a cycle that crashed, could not write to
 * the store, or could not list any account is a failure, not a success with zero polled.
 */

import type { PollerStatusValue } from "./PollerStatus.js"
import type { CycleReport } from "./pollCycle.js"

export type CycleOutcome =
  | { readonly _tag: "Completed"; readonly report: CycleReport }
  /** A typed failure of the whole cycle (its timeout, the store's open executions unreadable). */
  | { readonly _tag: "Failed"; readonly error: string; readonly storeError: string | undefined }
  /** A defect: a bug, or a service that died (the store under the rate limit or the tokens). */
  | { readonly _tag: "Crashed"; readonly error: string; readonly storeError: string | undefined }

export const afterCycle = (
  s: PollerStatusValue,
  outcome: CycleOutcome,
  startedAt: number,
  endedAt: number
): PollerStatusValue => {
  const timing = { cycles: s.cycles + 1, lastCycleAt: endedAt, lastCycleMs: endedAt - startedAt }
  if (outcome._tag !== "Completed")
    return {
      ...s,
      ...timing,
      consecutiveFailures: s.consecutiveFailures + 1,
      lastError: outcome._tag === "Crashed" ? `cycle crashed: ${outcome.error}` : outcome.error,
      lastCycleCrashed: outcome._tag === "Crashed",
      storeError: outcome.storeError
    }
  const r = outcome.report
  const everyListFailed = r.listRequests > 0 && r.accountFailures >= r.listRequests
  // Leases that cannot be renewed lapse: the cycle then polls nothing and must not pass for a success.
  const healthy = r.accountFailures === 0 && r.storeError === undefined && s.leaseRenewalError === undefined
  return {
    ...s,
    ...timing,
    lastSuccessAt: healthy ? endedAt : s.lastSuccessAt,
    consecutiveFailures: healthy ? 0 : s.consecutiveFailures + 1,
    lastError: healthy
      ? undefined
      : r.storeError !== undefined
        ? `the store failed: ${r.storeError}`
        : r.accountFailures > 0
          ? `${r.accountFailures} account(s) could not be listed`
          : `poller leases cannot be renewed: ${s.leaseRenewalError}`,
    lastCycleCrashed: false,
    storeError: r.storeError,
    openExecutions: r.storeOpen,
    heldExecutions: r.open,
    unauthorizedCycles: r.unauthorized > 0 ? s.unauthorizedCycles + 1 : 0,
    everyListFailed,
    unheld: r.unheld,
    unheldSince: r.unheld.executions > 0 ? (s.unheldSince ?? endedAt) : undefined
  }
}
