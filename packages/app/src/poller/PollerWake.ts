/**
 * Tells a running poller that the bot just recorded a submission, so the fresh-order
 * schedule can include it before the next cycle reads the store. Only in-process: a
 * submission recorded elsewhere is picked up at the next cycle as usual.
 */
import { Context, Effect, Layer, Option, Queue } from "effect"

export class PollerWake extends Context.Tag("@fill-tracker/app/PollerWake")<
  PollerWake,
  Queue.Queue<number>
>() {
  // Sliding: if nobody is polling, old submission times are dropped, never block the bot.
  static readonly layer = Layer.effect(PollerWake, Queue.sliding<number>(1024))
}

/** Signals a submission at `submittedAtMs` when a poller runs in this process. */
export const signalSubmission = (submittedAtMs: number) =>
  Effect.flatMap(Effect.serviceOption(PollerWake), (wake) =>
    Option.isSome(wake) ? Effect.asVoid(Queue.offer(wake.value, submittedAtMs)) : Effect.void
  )
