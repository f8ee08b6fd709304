import * as Effect from "effect/Effect"
import * as Runtime from "effect/Runtime"

/**
 * The last word on shutdown. `run` stops cooperatively (the in-flight cycle gets the grace,
 * then is cut, then the scope closes the health server, the stream and the database), but a
 * finalizer that never returns would keep the process alive for good: a pooled connection
 * still busy with a query the cut cycle left keeps the pool's end waiting, and a supervisor
 * then sees a service that neither runs nor exits. Armed when stopping starts, this exits
 * the process `afterMs` later whatever is still closing. Nothing recorded is at risk: every
 * append is one transaction, and a transaction cut by the exit is rolled back by the
 * database. A plain timer, outside Effect, because it must fire while Effect's finalizers are
 * stuck; unref'd, so a shutdown that finishes in time exits at once.
 */
export const armShutdownBackstop = (
  afterMs: number,
  exit: (code: number) => void = (code) => process.exit(code)
): Effect.Effect<void> =>
  Effect.gen(function* () {
    // The logger configured for the service (pretty or JSON, on stderr) comes with the runtime.
    const runtime = yield* Effect.runtime<never>()
    const timer = setTimeout(() => {
      Runtime.runSync(runtime)(
        Effect.logWarning("shutdown did not finish within the grace period: exiting with it unfinished").pipe(
          Effect.annotateLogs({ afterMs })
        )
      )
      // A requested stop, cut at its bound as promised: exit 0, as a stop in time does.
      exit(0)
    }, afterMs)
    timer.unref()
  })
