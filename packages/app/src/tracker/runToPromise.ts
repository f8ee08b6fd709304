/**
 * How the Promise facade settles: with the value, or rejected with the typed error itself.
 * `ManagedRuntime.runPromise` rejects with Effect's FiberFailure wrapper, on which a bot's
 * `instanceof InvalidSubmission` and `e._tag` fail; `Cause.squash` gives the first typed
 * failure (else the first defect, else an interruption), which is what the bot branches on.
 */
import { Cause, type Effect, Exit, type ManagedRuntime } from "effect"

export const runToPromise = async <A, E, R, ER>(
  runtime: ManagedRuntime.ManagedRuntime<R, ER>,
  effect: Effect.Effect<A, E, R>
): Promise<A> => {
  const exit = await runtime.runPromiseExit(effect)
  if (Exit.isSuccess(exit)) return exit.value
  throw Cause.squash(exit.cause)
}
