/**
 * What the poller last did, for `/health`: kept in a Ref the poller writes and the
 * health endpoint reads.
 */
import { Context, Effect, Layer, Ref } from "effect"

export interface PollerStatusValue {
  readonly startedAt: number
  readonly lastCycleAt: number | undefined
  readonly lastSuccessAt: number | undefined
  readonly lastCycleMs: number | undefined
  readonly consecutiveFailures: number
  readonly lastError: string | undefined
  readonly openExecutions: number
  readonly cycles: number
}

export class PollerStatus extends Context.Tag("@fill-tracker/app/PollerStatus")<
  PollerStatus,
  Ref.Ref<PollerStatusValue>
>() {
  static readonly layer = Layer.effect(
    PollerStatus,
    Effect.flatMap(
      Effect.clockWith((c) => c.currentTimeMillis),
      (now) =>
        Ref.make<PollerStatusValue>({
          startedAt: now,
          lastCycleAt: undefined,
          lastSuccessAt: undefined,
          lastCycleMs: undefined,
          consecutiveFailures: 0,
          lastError: undefined,
          openExecutions: 0,
          cycles: 0
        })
    )
  )
}
