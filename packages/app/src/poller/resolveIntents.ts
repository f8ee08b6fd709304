/**
 * Each cycle (the first one on start included), every placement intent older than a few
 * seconds without `Submitted` is resolved from its account's order list: one match →
 * `Submitted` (recovered), none once the window is over → `Failed` not placed, several →
 * `Failed` naming each. Nothing is ever sent again. The fresh ones are left to the call
 * that is placing them, so a poll never races a POST still in flight.
 *
 * The list is the one the cycle fetches anyway (all accounts at once, or the account's
 * own), its window stretched back to cover the intents, so an intent costs no request of
 * its own: an account with intents and no open execution is listed like any other (one
 * request, as its intents alone needed before), and one with open executions is listed
 * once for both. Only an intent older than Schwab's 60-day window cannot be covered; it
 * is left (its own list would be refused as well).
 */
import {
  type AccountHash,
  DEFAULT_INTENT_SKEW_MS,
  DEFAULT_INTENT_WINDOW_MS,
  fold,
  type Instant,
  instantFromDate,
  type PlacementRequested,
  type SchwabOrder
} from "@fill-tracker/domain"
import {
  EventStore,
  type ExecutionRow,
  Executions,
  type Fence,
  isOpenRow,
  type OpenExecutionRow
} from "@fill-tracker/store"
import { Array as Arr, Clock, Effect, Option } from "effect"
import { recordResolution, resolveFromList } from "../tracker/intentLookup.js"

/** How old an intent is before the poller looks for it: its own placeOrder call is still at work before. */
export const INTENT_GRACE_MS = 5_000

/** An unresolved intent and the version of its stream (the resolution is appended there). */
export interface DueIntent {
  readonly intent: PlacementRequested
  readonly version: number
}

/** The earliest entered time a list must start at to hold the intent's order (Schwab's clock may run behind). */
export const intentListFrom = (intent: PlacementRequested): number =>
  Date.parse(intent.requestedAt) - DEFAULT_INTENT_SKEW_MS

/** Whether a PENDING row is old enough to look for: its placing call may still be at work before. */
const pastGrace = (row: ExecutionRow, nowMs: number) => nowMs - Date.parse(row.submittedAt) >= INTENT_GRACE_MS

/**
 * The intents due now (older than the grace, still Pending), by account; only in
 * `accounts` when it is non-empty. A stream wake passes its own `isDue`: the intents whose
 * placing call it knows is over (intentWake.ts).
 */
export const dueIntents = (
  accounts: ReadonlyArray<AccountHash>,
  isDue: (row: ExecutionRow, nowMs: number) => boolean = pastGrace
) =>
  Effect.gen(function* () {
    const executions = yield* Executions
    const store = yield* EventStore
    const nowMs = yield* Clock.currentTimeMillis
    const pending = yield* executions.query({ status: "PENDING" })
    const due = pending.filter(
      (r) => isDue(r, nowMs) && (accounts.length === 0 || accounts.includes(r.accountHash))
    )
    const out = new Map<AccountHash, Array<DueIntent>>()
    for (const row of due) {
      const stream = yield* store.readStream(row.executionId)
      const state = fold(stream.events.map((r) => r.event))
      if (state.status !== "Pending") continue
      const list = out.get(row.accountHash) ?? []
      list.push({ intent: state.intent, version: stream.version })
      out.set(row.accountHash, list)
    }
    return out
  })

export interface ResolveOptions {
  /** How long after the request an intent is looked for before it ends as not placed. */
  readonly windowMs?: number
  /** The poller's lease on the account's shard: the resolution is appended under it. */
  readonly fence?: Fence
  /** Added to the event metadata (which poller, under which lease token). */
  readonly metadata?: Record<string, unknown>
}

/**
 * Resolves one account's due intents from the cycle's list of the account's orders
 * entered from `listedFrom` (epoch ms) on. An intent that list does not reach back to is
 * left unresolved (deciding "not placed" from a list that could not hold its order would
 * be wrong). Returns the rows of the intents found, now Submitted, for the cycle to poll
 * at once with the same list.
 */
export const resolveAccountIntents = (
  intents: ReadonlyArray<DueIntent>,
  listed: ReadonlyArray<SchwabOrder>,
  listedFrom: number,
  options: ResolveOptions = {}
) =>
  Effect.gen(function* () {
    const executions = yield* Executions
    const store = yield* EventStore
    const now: Instant = instantFromDate(new Date(yield* Clock.currentTimeMillis))
    const windowMs = options.windowMs ?? DEFAULT_INTENT_WINDOW_MS
    const [uncovered, covered] = Arr.partition(intents, (d) => intentListFrom(d.intent) >= listedFrom)
    for (const { intent } of uncovered)
      yield* Effect.logWarning(
        "placement intent older than Schwab's list window: it cannot be looked up and stays pending"
      ).pipe(Effect.annotateLogs({ executionId: intent.executionId, requestedAt: intent.requestedAt }))
    const found: Array<OpenExecutionRow> = []
    for (const { intent, version } of covered) {
      const resolution = yield* resolveFromList(executions, intent, listed, now, windowMs)
      if (resolution._tag === "NotYet") continue
      const recorded = yield* recordResolution(store, intent, version, resolution, "poller", options).pipe(
        Effect.as(true),
        // Another poller, or the placing call, resolved it meanwhile (or took the shard): theirs stands.
        Effect.catchTags({
          ConcurrencyError: () => Effect.succeed(false),
          FencedOut: () => Effect.succeed(false)
        })
      )
      if (!recorded) continue
      yield* Effect.logInfo("placement intent resolved from the account's order list").pipe(
        Effect.annotateLogs({
          executionId: intent.executionId,
          outcome: resolution._tag,
          ...(resolution._tag === "Found" ? { orderId: resolution.orderId } : {})
        })
      )
      if (resolution._tag !== "Found") continue
      const row = yield* executions.byExecutionId(intent.executionId)
      if (Option.isSome(row) && isOpenRow(row.value)) found.push(row.value)
    }
    return found
  }).pipe(
    // A store failure leaves the intents for the next cycle; it never fails the cycle.
    Effect.catchAll((e) =>
      Effect.as(
        Effect.logWarning("placement intents not resolved this cycle").pipe(
          Effect.annotateLogs({ cause: "_tag" in e ? e._tag : "Unknown" })
        ),
        [] as ReadonlyArray<OpenExecutionRow>
      )
    )
  )
