/**
 * What the poller last did, for `/health`: kept in a Ref the poller (and its lease keeper)
 * writes and the health endpoint reads. Each field is a fact; healthReport.ts judges them.
 */
import { Context, Effect, Layer, Ref } from "effect"

export interface PollerStatusValue {
  readonly startedAt: number
  readonly lastCycleAt: number | undefined
  readonly lastSuccessAt: number | undefined
  readonly lastCycleMs: number | undefined
  /** Cycles in a row that failed, crashed, or could not list or write. */
  readonly consecutiveFailures: number
  readonly lastError: string | undefined
  /** The store's open executions, as the last cycle read them. */
  readonly openExecutions: number
  /** Of those, the ones this poller held and polled in the last cycle. */
  readonly heldExecutions: number
  readonly cycles: number
  /** The last cycle ended in a defect (a bug or a dying service), not a typed failure. */
  readonly lastCycleCrashed: boolean
  /** Why the store failed the last cycle (an append, a read, the rate-limit budget), if it did. */
  readonly storeError: string | undefined
  /** Why the last lease renewal failed, until one succeeds. */
  readonly leaseRenewalError: string | undefined
  /** Cycles in a row in which Schwab refused requests with 401 after a refresh (or wants a new login). */
  readonly unauthorizedCycles: number
  /** The last cycle made list calls and every one failed. */
  readonly everyListFailed: boolean
  /** Open executions (and their accounts) in the last cycle that no live poller held. */
  readonly unheld: { readonly executions: number; readonly accounts: number }
  /** Since when executions have been unheld without a break (undefined: none now). */
  readonly unheldSince: number | undefined
}

/** The status of a poller that has not run a cycle yet. */
export const initialStatus = (now: number): PollerStatusValue => ({
  startedAt: now,
  lastCycleAt: undefined,
  lastSuccessAt: undefined,
  lastCycleMs: undefined,
  consecutiveFailures: 0,
  lastError: undefined,
  openExecutions: 0,
  heldExecutions: 0,
  cycles: 0,
  lastCycleCrashed: false,
  storeError: undefined,
  leaseRenewalError: undefined,
  unauthorizedCycles: 0,
  everyListFailed: false,
  unheld: { executions: 0, accounts: 0 },
  unheldSince: undefined
})

export class PollerStatus extends Context.Tag("@fill-tracker/app/PollerStatus")<
  PollerStatus,
  Ref.Ref<PollerStatusValue>
>() {
  static readonly layer = Layer.effect(
    PollerStatus,
    Effect.flatMap(
      Effect.clockWith((c) => c.currentTimeMillis),
      (now) => Ref.make(initialStatus(now))
    )
  )
}
