/**
 * Which placements this process is sending now, and which ended without an order id (the
 * answer lost, or a failure): the poller resolves an intent from its account's list only
 * once no call of ours is at work on it, so a stream wake never races the POST (whose own
 * `Submitted` would then meet a concurrency error). An intent placed by another process is
 * judged by its age instead (INTENT_GRACE_MS), as the interval cycle does.
 */
import type { AccountHash, ExecutionId } from "@fill-tracker/domain"
import { Context, Effect, Layer, Option, Queue } from "effect"

export interface PlacementWatchService {
  /**
   * Runs `send` (the POST and the recording of its outcome) with the intent marked as in
   * flight; when it fails, the intent is marked ended and its account told to the poller.
   */
  readonly sending: <A, E, R>(
    executionId: ExecutionId,
    accountHash: AccountHash,
    send: Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E, R>
  /** What this process knows of the intent's call: sending, ended without an id, or nothing. */
  readonly callOf: (executionId: ExecutionId) => "sending" | "ended" | "unknown"
  /** Accounts in which a placement call just ended without an order id. */
  readonly ended: Queue.Dequeue<AccountHash>
}

/** Ended calls are kept this long at most (past any intent window worth waiting for). */
const KEEP_ENDED_MS = 60 * 60_000

export class PlacementWatch extends Context.Tag("@fill-tracker/app/PlacementWatch")<
  PlacementWatch,
  PlacementWatchService
>() {
  static readonly layer = Layer.effect(
    PlacementWatch,
    Effect.gen(function* () {
      // Sliding: if nobody polls, old accounts are dropped, never block the bot.
      const ended = yield* Queue.sliding<AccountHash>(1024)
      const inFlight = new Set<string>()
      const endedAt = new Map<string, number>()
      const forget = (now: number) => {
        for (const [id, at] of endedAt) if (now - at > KEEP_ENDED_MS) endedAt.delete(id)
      }
      return {
        ended,
        callOf: (id) => (inFlight.has(id) ? "sending" : endedAt.has(id) ? "ended" : "unknown"),
        sending: (id, account, send) =>
          Effect.suspend(() => {
            inFlight.add(id)
            return send
          }).pipe(
            Effect.onExit((exit) =>
              Effect.suspend(() => {
                inFlight.delete(id)
                if (exit._tag === "Success") return Effect.void
                const now = Date.now()
                forget(now)
                endedAt.set(id, now)
                return Queue.offer(ended, account)
              })
            )
          )
      } satisfies PlacementWatchService
    })
  )
}

/** `send` watched when a PlacementWatch is in the graph, else as it is. */
export const watchSending = <A, E, R>(
  executionId: ExecutionId,
  accountHash: AccountHash,
  send: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.flatMap(Effect.serviceOption(PlacementWatch), (watch) =>
    Option.isSome(watch) ? watch.value.sending(executionId, accountHash, send) : send
  )
