/**
 * Health signals from parts other than the poller (the account-activity stream, for one):
 * each registers a check that names its problems (which make `/health` degraded) and its
 * warnings (listed, still 200). The health report runs them all on every request.
 */
import { Context, Effect, Layer, Ref, type Scope } from "effect"

/** What one check found; an empty signal is healthy. */
export interface HealthSignal {
  readonly problems?: ReadonlyArray<string>
  readonly warnings?: ReadonlyArray<string>
}

export interface HealthChecksRegistry {
  /** Adds a check for the life of the scope (a stream that stops takes its check with it). */
  readonly add: (name: string, check: Effect.Effect<HealthSignal>) => Effect.Effect<void, never, Scope.Scope>
  /** Every check's findings, each prefixed with its name. */
  readonly run: Effect.Effect<{
    readonly problems: ReadonlyArray<string>
    readonly warnings: ReadonlyArray<string>
  }>
}

export const makeHealthChecks = Effect.gen(function* () {
  const checks = yield* Ref.make<ReadonlyMap<string, Effect.Effect<HealthSignal>>>(new Map())
  const registry: HealthChecksRegistry = {
    add: (name, check) =>
      Effect.acquireRelease(
        Ref.update(checks, (m) => new Map([...m, [name, check]])),
        () =>
          Ref.update(checks, (m) => {
            const next = new Map(m)
            next.delete(name)
            return next
          })
      ),
    run: Effect.gen(function* () {
      const problems: Array<string> = []
      const warnings: Array<string> = []
      for (const [name, check] of yield* Ref.get(checks)) {
        const found = yield* check
        for (const p of found.problems ?? []) problems.push(`${name}: ${p}`)
        for (const w of found.warnings ?? []) warnings.push(`${name}: ${w}`)
      }
      return { problems, warnings }
    })
  }
  return registry
})

export class HealthChecks extends Context.Tag("@fill-tracker/app/HealthChecks")<
  HealthChecks,
  HealthChecksRegistry
>() {
  static readonly layer = Layer.effect(HealthChecks, makeHealthChecks)
}
