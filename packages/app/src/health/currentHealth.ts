/**
 * The health report as `/health` serves it at this moment: the poller's status, the token
 * expiries and every registered check, judged by `healthReport` on the Effect clock.
 */
import { Clock, Effect, Option, Ref } from "effect"
import { PollerStatus } from "../poller/PollerStatus.js"
import { HealthChecks } from "./HealthChecks.js"
import { type HealthReportOptions, healthReport, type TokenExpiries } from "./healthReport.js"

export interface HealthOptions extends HealthReportOptions {
  readonly port: number
  readonly tokenExpiries: Effect.Effect<TokenExpiries>
}

/** The report as `/health` serves it now, with every registered check's findings. */
export const currentHealth = (options: HealthOptions) =>
  Effect.gen(function* () {
    const status = yield* Ref.get(yield* PollerStatus)
    const tokens = yield* options.tokenExpiries
    const checks = yield* Effect.serviceOption(HealthChecks)
    const others = Option.isSome(checks) ? yield* checks.value.run : undefined
    return healthReport(status, tokens, yield* Clock.currentTimeMillis, options, others)
  })
