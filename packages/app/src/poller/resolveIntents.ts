/**
 * Each cycle (the first one on start included), every placement intent older than a few
 * seconds without `Submitted` is resolved from its account's order list: one match →
 * `Submitted` (recovered), none once the window is over → `Failed` not placed, several →
 * `Failed` naming each. Nothing is ever sent again. The fresh ones are left to the call
 * that is placing them, so a poll never races a POST still in flight.
 */
import {
  type AccountHash,
  DEFAULT_INTENT_WINDOW_MS,
  fold,
  instantFromDate,
  type PlacementRequested
} from "@fill-tracker/domain"
import { SchwabClient } from "@fill-tracker/schwab-client"
import { EventStore, Executions } from "@fill-tracker/store"
import { Array as Arr, Clock, Effect } from "effect"
import { listForIntent, recordResolution, resolveFromList } from "../tracker/intentLookup.js"

/** How old an intent is before the poller looks for it: its own placeOrder call is still at work before. */
export const INTENT_GRACE_MS = 5_000

export interface IntentOptions {
  /** When non-empty, only intents in these accounts. */
  readonly accounts: ReadonlyArray<AccountHash>
  /** How long after the request an intent is looked for before it ends as not placed. */
  readonly windowMs?: number
  /** Whether this poller polls the account now (its shard's lease); every account without leases. */
  readonly holds?: (account: AccountHash) => Effect.Effect<boolean>
}

export const resolvePendingIntents = (options: IntentOptions) =>
  Effect.gen(function* () {
    const client = yield* SchwabClient.SchwabClient
    const executions = yield* Executions
    const store = yield* EventStore
    const nowMs = yield* Clock.currentTimeMillis
    const pending = yield* executions.query({ status: "PENDING" })
    const due = pending.filter(
      (r) =>
        nowMs - Date.parse(r.submittedAt) >= INTENT_GRACE_MS &&
        (options.accounts.length === 0 || options.accounts.includes(r.accountHash))
    )
    const windowMs = options.windowMs ?? DEFAULT_INTENT_WINDOW_MS
    let resolved = 0
    for (const [account, rows] of Object.entries(Arr.groupBy(due, (r) => r.accountHash))) {
      if (options.holds !== undefined && !(yield* options.holds(account as AccountHash))) continue
      const intents: Array<{ intent: PlacementRequested; version: number }> = []
      for (const row of rows) {
        const stream = yield* store.readStream(row.executionId)
        const state = fold(stream.events.map((r) => r.event))
        if (state.status === "Pending") intents.push({ intent: state.intent, version: stream.version })
      }
      const [oldest] = [...intents].sort((a, b) => a.intent.requestedAt.localeCompare(b.intent.requestedAt))
      if (oldest === undefined) continue
      const now = instantFromDate(new Date(nowMs))
      // One list for the account, from the oldest intent's request on.
      const listed = yield* listForIntent(client, oldest.intent, now)
      for (const { intent, version } of intents) {
        const resolution = yield* resolveFromList(executions, intent, listed, now, windowMs)
        if (resolution._tag === "NotYet") continue
        yield* recordResolution(store, intent, version, resolution, "poller").pipe(
          // Another poller, or the placing call, resolved it meanwhile: theirs stands.
          Effect.catchTag("ConcurrencyError", () => Effect.void)
        )
        resolved++
        yield* Effect.logInfo("placement intent resolved from the account's order list").pipe(
          Effect.annotateLogs({
            executionId: intent.executionId,
            outcome: resolution._tag,
            ...(resolution._tag === "Found" ? { orderId: resolution.orderId } : {})
          })
        )
      }
    }
    return resolved
  }).pipe(
    // A list that fails leaves the intents for the next cycle; it never fails the cycle.
    Effect.catchAll((e) =>
      Effect.as(
        Effect.logWarning("placement intents not resolved this cycle").pipe(
          Effect.annotateLogs({ cause: "_tag" in e ? e._tag : "Unknown" })
        ),
        0
      )
    )
  )
