/**
 * The stream's answer to a lost placement answer: when a streamed message says an order no
 * execution follows was just entered in an account with a placement intent awaiting its
 * id, that intent is resolved at once instead of at the next interval cycle.
 *
 * Resolved exactly as the cycle does (resolveIntents.ts): one list of the account reaching
 * back to the intents, judged by the domain's `resolveIntent`, appended under the lease. A getOrder of the streamed
 * order costs the same one request but could not tell that a second matching order makes
 * the intent ambiguous, so it could follow another order's fills. Nothing is ever sent.
 *
 * Never beside the call that is placing it: an intent whose POST this process is sending
 * is left to that call (when the call ends without an id, PlacementWatch says so and the
 * intent is resolved then); one placed elsewhere is looked for once INTENT_GRACE_MS old,
 * as the cycle would, so a wake before that is a recheck at that time, not a request.
 */
import type { AccountHash, OrderId } from "@fill-tracker/domain"
import { DEFAULT_INTENT_SKEW_MS, DEFAULT_INTENT_WINDOW_MS, flattenOrders } from "@fill-tracker/domain"
import { SchwabClient } from "@fill-tracker/schwab-client"
import {
  type CorruptEventError,
  type EventStore,
  type ExecutionRow,
  Executions,
  type StoreError
} from "@fill-tracker/store"
import { Clock, Effect, Option } from "effect"
import { Metrics } from "../health/Metrics.js"
import type { WokenOrder } from "../stream/StreamSignal.js"
import type { PlacementWatchService } from "./PlacementWatch.js"
import type { CycleLeases } from "./pollCycle.js"
import {
  type DueIntent,
  dueIntents,
  INTENT_GRACE_MS,
  intentListFrom,
  resolveAccountIntents
} from "./resolveIntents.js"

/** Key of an order entered in an account whose number did not map to a hash: it may be any. */
const ANY = "*"

export interface IntentWakeOptions {
  /** When non-empty, only intents in these accounts (the poller's). */
  readonly accounts: ReadonlyArray<AccountHash>
  readonly windowMs?: number
  /** Set when pollers share the database: an account is looked at only under this poller's lease. */
  readonly leases?: CycleLeases
  /** This process's placing calls, when it places (the facade, `run` beside a bot). */
  readonly watch?: PlacementWatchService
}

/**
 * Kept by the poller: when the stream last named an unfollowed order entered in each
 * account, so an intent is only looked for once its order may be listed.
 */
export class IntentWakes {
  private readonly enteredAt = new Map<string, number>()
  /** Times at which an intent too young to look for now becomes due. */
  private readonly rechecks = new Set<number>()

  constructor(private readonly options: IntentWakeOptions) {}

  /** The earliest recheck due, if any. */
  nextRecheckAt(): number | undefined {
    return this.rechecks.size === 0 ? undefined : Math.min(...this.rechecks)
  }

  /**
   * Called with the orders the stream says were just entered, and with none when a placing
   * call of this process ended without an id or a recheck is due: resolves the intents that
   * are due now, and returns the orders found (now followed: the caller fetches them, as
   * their fills may have streamed before anyone followed them).
   */
  wake(
    entered: ReadonlyArray<WokenOrder>
  ): Effect.Effect<
    ReadonlyArray<WokenOrder>,
    StoreError | CorruptEventError,
    Executions | EventStore | Metrics | SchwabClient.SchwabClient
  > {
    const self = this
    return Effect.gen(function* () {
      const executions = yield* Executions
      const metrics = yield* Metrics
      const now = yield* Clock.currentTimeMillis
      self.forget(now)
      for (const at of self.rechecks) if (at <= now) self.rechecks.delete(at)
      // An order an execution follows already (its placement answered) is no intent's.
      for (const o of entered)
        if (Option.isNone(yield* executions.byOrderId(o.orderId as OrderId)))
          self.enteredAt.set(o.accountHash ?? ANY, now)
      if (self.enteredAt.size === 0) return []
      const pending = (yield* executions.query({ status: "PENDING" })).filter(
        (r) => self.options.accounts.length === 0 || self.options.accounts.includes(r.accountHash)
      )
      const due: Array<string> = []
      for (const row of pending) {
        const requested = Date.parse(row.submittedAt)
        if (!self.enteredSince(row.accountHash, requested - DEFAULT_INTENT_SKEW_MS)) continue
        const call = self.options.watch?.callOf(row.executionId) ?? "unknown"
        if (call === "sending") continue
        if (call === "ended" || now - requested >= INTENT_GRACE_MS) due.push(row.executionId)
        else self.rechecks.add(requested + INTENT_GRACE_MS)
      }
      if (due.length === 0) return []
      const chosen = new Set(due)
      metrics.inc(
        "fill_tracker_stream_intent_wakes_total",
        "Placement intents looked for at once because the stream named a new order in their account",
        {},
        chosen.size
      )
      const byAccount = yield* dueIntents(
        [...new Set(pending.filter((r) => chosen.has(r.executionId)).map((r) => r.accountHash))],
        (r: ExecutionRow) => chosen.has(r.executionId)
      )
      const found: Array<WokenOrder> = []
      for (const [account, intents] of byAccount) {
        const leases = self.options.leases
        const resolve = (lease: Parameters<Parameters<CycleLeases["withLease"]>[1]>[0]) =>
          leases !== undefined && lease === undefined
            ? Effect.void
            : Effect.map(self.resolveIn(account, intents, lease), (rows) => {
                for (const r of rows) found.push({ orderId: r.orderId, accountHash: r.accountHash })
              })
        yield* leases === undefined ? resolve(undefined) : leases.withLease(account, resolve)
      }
      return found
    })
  }

  /** One list of the account reaching back to its intents, then the cycle's resolution. */
  private resolveIn(
    account: AccountHash,
    intents: ReadonlyArray<DueIntent>,
    lease: Parameters<Parameters<CycleLeases["withLease"]>[1]>[0]
  ) {
    const windowMs = this.options.windowMs
    return Effect.gen(function* () {
      const client = yield* SchwabClient.SchwabClient
      const listedFrom = Math.min(...intents.map((d) => intentListFrom(d.intent)))
      const now = yield* Clock.currentTimeMillis
      const listed = yield* client
        .listOrders(account, { from: new Date(listedFrom), to: new Date(now + DEFAULT_INTENT_SKEW_MS) })
        .pipe(Effect.option)
      // A list that fails leaves them to the next cycle, as the cycle's own would.
      if (listed._tag === "None") return []
      return yield* resolveAccountIntents(intents, flattenOrders(listed.value.orders), listedFrom, {
        ...(windowMs === undefined ? {} : { windowMs }),
        ...(lease === undefined ? {} : { fence: lease })
      })
    })
  }

  private enteredSince(account: AccountHash, from: number): boolean {
    return (this.enteredAt.get(account) ?? -1) >= from || (this.enteredAt.get(ANY) ?? -1) >= from
  }

  /** An order entered longer ago than any intent window is no pending intent's. */
  private forget(now: number): void {
    const keep = (this.options.windowMs ?? DEFAULT_INTENT_WINDOW_MS) + DEFAULT_INTENT_SKEW_MS
    for (const [key, at] of this.enteredAt) if (now - at > keep) this.enteredAt.delete(key)
  }
}
