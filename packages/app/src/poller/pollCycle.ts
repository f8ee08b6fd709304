/**
 * One poll cycle: every open execution asked about with as few Schwab requests as
 * possible — one `GET /orders` for every account (per account one `listOrders` when a
 * single account is open, or the all-accounts answer may be cut) covering the open
 * orders' entered times, then
 * `getOrder` only for an order the list did not return (older than the list window,
 * or missing from it). One order's failure is logged and counted; the others go on.
 */
import {
  type AccountHash,
  type Decimal,
  flattenOrders,
  type OrderId,
  type ReplacementSearch,
  replacementCandidates,
  type SchwabOrder
} from "@fill-tracker/domain"
import { SchwabClient } from "@fill-tracker/schwab-client"
import { Executions, type Lease, type OpenExecutionRow, type StoreError } from "@fill-tracker/store"
import { Array as Arr, Clock, Effect, Option } from "effect"
import { count, Metrics } from "../health/Metrics.js"
import type { WokenOrder } from "../stream/StreamSignal.js"
import { isAuthorizationError, storeErrorIn } from "./cycleFailures.js"
import { EnteredTimes } from "./enteredTimes.js"
import { heldRows } from "./heldRows.js"
import { openExecutions, wokenExecutions } from "./openExecutions.js"
import { type DueIntent, dueIntents, intentListFrom, resolveAccountIntents } from "./resolveIntents.js"
import type { SnapshotMemo } from "./snapshotMemo.js"
import { timeSlicedScheduler } from "./timeSlicedScheduler.js"
import { namesNoReplacement, type TrackOutcome, trackExecution } from "./trackExecution.js"
import { findUntracked, type UntrackedOptions, type UntrackedReport } from "./untracked.js"

/** Schwab rejects list windows over 60 days; stay a day inside it. */
const MAX_LIST_WINDOW_MS = 59 * 24 * 3_600_000
/**
 * The all-accounts list asks for at most this many orders; an answer this long may be cut,
 * and then each account lists its own (Schwab's default and the most it documents).
 */
const ALL_ACCOUNTS_MAX_RESULTS = 3000
/** A wake's replacement search never ends in "none found" (about 30 years). */
const WAKE_NEVER_GIVES_UP_MS = 1e12
/** Entered times are the broker's; allow for clock skew between it and us. */
const SKEW_MS = 5 * 60_000

export interface CycleOptions {
  readonly concurrency: number
  readonly priceBand: Decimal.Decimal
  /** When non-empty, only executions in these account hashes are polled. */
  readonly accounts: ReadonlyArray<AccountHash>
  /** Set when pollers share the database: only accounts whose shard this poller leases are polled. */
  readonly leases?: CycleLeases
  /** Kept across cycles by the poller: skips executions whose history and snapshot are unchanged. */
  readonly memo?: SnapshotMemo
  /** Report untracked orders carrying this app's tag (see untracked.ts); the report is kept across cycles. */
  readonly untracked?: { readonly options: UntrackedOptions; readonly report: UntrackedReport }
  /** Kept across cycles by the poller: Schwab's entered times of the followed orders, for the list window. */
  readonly enteredTimes?: EnteredTimes
  /** How long after an unnamed REPLACED order closed its replacement is looked for (domain default 5 min). */
  readonly replacementSearchMs?: number
  /**
   * How long after its request a placement intent is looked for before it ends as not
   * placed, and a replace or cancel may find the order still working before it lapses
   * (default 2 min each).
   */
  readonly intentWindowMs?: number
  /**
   * A wake from the account-activity stream: only the open executions following these
   * orders, each with one getOrder (no list), the rest left to the regular cycles.
   */
  readonly focus?: ReadonlyArray<WokenOrder>
  /** maxResults of the all-accounts list (default 3000); an answer this long falls back to per-account lists. */
  readonly allAccountsMaxResults?: number
}

/** Which accounts this poller may poll now, and under which lease. */
export interface CycleLeases {
  readonly pollerId: string
  /** The lease on the account's shard while this poller holds it, else undefined. */
  readonly leaseOf: (account: AccountHash) => Effect.Effect<Lease | undefined>
  /**
   * Runs `f` with the account's lease (undefined: not ours), kept from being given back
   * meanwhile, and cut short if the lease lapses.
   */
  readonly withLease: <E, R>(
    account: AccountHash,
    f: (lease: Lease | undefined) => Effect.Effect<void, E, R>
  ) => Effect.Effect<void, E, R>
  /** Of these accounts, the ones whose shard no live poller holds (this one included). */
  readonly unheld: (accounts: ReadonlyArray<AccountHash>) => Effect.Effect<ReadonlyArray<AccountHash>>
}

export interface CycleReport {
  /** Open executions this poller held and polled. */
  readonly open: number
  /** Open executions in the store, whoever polls them (a wake: those following the orders it names). */
  readonly storeOpen: number
  /** Open executions (and their accounts) whose shard no live poller holds. */
  readonly unheld: { readonly executions: number; readonly accounts: number }
  /** Submission times (ms) of the executions still open after this cycle, for the fresh-order schedule. */
  readonly openSubmittedAt: ReadonlyArray<number>
  readonly outcomes: Readonly<Record<TrackOutcome | "error", number>>
  readonly listRequests: number
  readonly getRequests: number
  /**
   * Executions whose stream was read and reconciled; the rest were skipped by the memo
   * (unchanged history and snapshot). Counted so a cycle that re-reads every open order is seen.
   */
  readonly reconciled: number
  readonly accountFailures: number
  /** Requests Schwab refused with 401 after a refresh, or that need a new login. */
  readonly unauthorized: number
  /** Why an append (or another store call while tracking) failed, if one did. */
  readonly storeError: string | undefined
}

const emptyOutcomes = (): Record<TrackOutcome | "error", number> => ({
  unchanged: 0,
  updated: 0,
  terminal: 0,
  missing: 0,
  inconsistent: 0,
  conflict: 0,
  fenced: 0,
  error: 0
})

const errorKind = (e: unknown): string =>
  typeof e === "object" && e !== null && "_tag" in e ? String((e as { _tag: unknown })._tag) : "Unknown"

/** Whether the row has a replace or cancel open (it may lapse with time alone, the snapshot unchanged). */
const awaitsRequest = (row: OpenExecutionRow): boolean =>
  row.request === "REPLACE_REQUESTED" || row.request === "CANCEL_REQUESTED"

/** Whether a streamed message named the order this execution follows (in its account, when known). */
const wokenBy = (focus: ReadonlyMap<string, WokenOrder>, row: OpenExecutionRow): boolean => {
  const woken = focus.get(row.orderId)
  return woken !== undefined && (woken.accountHash === undefined || woken.accountHash === row.accountHash)
}

export const pollCycle = (options: CycleOptions) =>
  Effect.gen(function* () {
    const client = yield* SchwabClient.SchwabClient
    const executions = yield* Executions
    const metrics = yield* Metrics
    const focus = options.focus
    if (focus === undefined) metrics.inc("fill_tracker_cycles_total", "Poll cycles started")
    // Intents are resolved from the lists this cycle fetches (see resolveIntents.ts); a wake lists nothing.
    const intents: ReadonlyMap<AccountHash, ReadonlyArray<DueIntent>> = focus === undefined
      ? yield* dueIntents(options.accounts)
      : new Map()
    const all = focus === undefined ? yield* openExecutions : yield* wokenExecutions(focus)
    const tracked =
      options.accounts.length === 0 ? all : all.filter((r) => options.accounts.includes(r.accountHash))
    const woken = focus === undefined ? undefined : new Map(focus.map((w) => [w.orderId, w]))
    const selected = woken === undefined ? tracked : tracked.filter((r) => wokenBy(woken, r))
    const leases = options.leases
    const open: ReadonlyArray<OpenExecutionRow> =
      leases === undefined ? selected : yield* heldRows(selected, leases.leaseOf)
    const unheldAccounts =
      leases === undefined ? [] : yield* leases.unheld([...new Set(selected.map((r) => r.accountHash))])
    const unheld = {
      executions: selected.filter((r) => unheldAccounts.includes(r.accountHash)).length,
      accounts: unheldAccounts.length
    }
    const outcomes = emptyOutcomes()
    const openSubmittedAt: Array<number> = []
    let listRequests = 0
    let getRequests = 0
    let reconciled = 0
    let accountFailures = 0
    let unauthorized = 0
    let storeError: string | undefined
    // A store call off the tracking path that failed: the cycle goes on, health reports it.
    const storeFailed = (what: string) => (e: StoreError) =>
      Effect.zipRight(
        Effect.sync(() => {
          storeError ??= e.message
        }),
        Effect.logWarning(what).pipe(Effect.annotateLogs({ error: e.message }))
      )
    const schwabFailed = (e: unknown) =>
      Effect.zipRight(
        Effect.sync(() => {
          if (isAuthorizationError(e)) unauthorized += 1
        }),
        count("fill_tracker_schwab_errors_total", "Schwab request failures by kind", { kind: errorKind(e) })
      )
    if (focus === undefined) {
      metrics.set("fill_tracker_open_executions", "Open executions in the store", all.length)
      metrics.set("fill_tracker_held_executions", "Open executions this poller holds and polls", open.length)
      options.memo?.retain(new Set(open.map((r) => r.executionId)))
    } else
      metrics.inc(
        "fill_tracker_stream_wakes_total",
        "Orders fetched at once because the stream named them",
        {},
        open.length
      )

    // Without one kept by the poller (a single cycle), only this cycle's snapshots are known.
    const entered = options.enteredTimes ?? new EnteredTimes()
    if (focus === undefined) entered.retain(new Set(open.map((r) => r.orderId)))
    // What this or another poller learned before (a restart, an account taken over). Unread,
    // the window falls back to the recorded submissions: a getOrder more, never a lost fill.
    yield* entered.load(open).pipe(Effect.catchAll(storeFailed("reading learned entered times failed")))
    /**
     * Where a list starts: at the earliest entered time of the open orders it is for, less
     * the skew allowance, and early enough for the intents it resolves (within 60 days).
     */
    const listFrom = (
      listable: ReadonlyArray<OpenExecutionRow>,
      intentFroms: ReadonlyArray<number>,
      now: number
    ) =>
      Math.max(
        Math.min(...listable.map((r) => entered.of(r) - SKEW_MS), ...intentFroms),
        now - MAX_LIST_WINDOW_MS
      )
    const byAccount: Record<string, ReadonlyArray<OpenExecutionRow>> = Arr.groupBy(open, (r) => r.accountHash)
    // An account with intents and no open execution is listed (and leased) all the same.
    for (const account of intents.keys()) byAccount[account] ??= []
    /** The earliest entered time the account's intents need listed, if it has any. */
    const intentsFrom = (account: AccountHash): ReadonlyArray<number> =>
      (intents.get(account) ?? []).map((d) => intentListFrom(d.intent))
    const logSkipped = (
      skipped: ReadonlyArray<{ index: number; orderId?: string; path: string; message: string }>
    ) =>
      Effect.forEach(
        skipped,
        (s) => {
          metrics.inc(
            "fill_tracker_orders_skipped_total",
            "List elements that did not decode and were skipped"
          )
          return Effect.logWarning("skipped an order list element that does not decode").pipe(
            Effect.annotateLogs({
              index: s.index,
              orderId: s.orderId ?? "unreadable",
              path: s.path,
              problem: s.message
            })
          )
        },
        { discard: true }
      )

    /**
     * Several accounts: one `GET /orders` for all of them, each order put under its
     * account's hash, instead of one list per account. Undefined (each account lists its
     * own) when the answer may be cut at maxResults, or the request failed.
     */
    const listEveryAccount = Effect.gen(function* () {
      if (focus !== undefined || Object.keys(byAccount).length < 2) return undefined
      const now = yield* Clock.currentTimeMillis
      const listable = open.filter((r) => entered.of(r) >= now - MAX_LIST_WINDOW_MS + SKEW_MS)
      const maxResults = options.allAccountsMaxResults ?? ALL_ACCOUNTS_MAX_RESULTS
      const intentFroms = [...intents.keys()].flatMap(intentsFrom)
      // As many open orders in the window as the answer may hold: it would be cut, so do not ask.
      if ((listable.length === 0 && intentFroms.length === 0) || listable.length >= maxResults)
        return undefined
      const from = listFrom(listable, intentFroms, now)
      listRequests += 1
      const listed = yield* client
        .listAllOrders({
          from: new Date(from),
          to: new Date(now + SKEW_MS),
          maxResults
        })
        .pipe(
          Effect.tapError((e) =>
            Effect.zipRight(
              schwabFailed(e),
              Effect.logWarning("listing every account's orders failed; each account lists its own").pipe(
                Effect.annotateLogs({
                  error: errorKind(e),
                  message: String((e as { message?: unknown }).message)
                })
              )
            )
          ),
          Effect.option
        )
      if (listed._tag === "None") return undefined
      if (listed.value.elements >= maxResults) {
        yield* Effect.logInfo(
          "the all-accounts order list may be cut at maxResults; each account lists its own"
        ).pipe(Effect.annotateLogs({ elements: listed.value.elements }))
        return undefined
      }
      yield* logSkipped(listed.value.skipped)
      const shared = new Map<string, Map<string, SchwabOrder>>()
      for (const { order, accountHash } of listed.value.orders) {
        // An order of an account this authorization does not list belongs to no execution here.
        if (accountHash === undefined) continue
        const orders = shared.get(accountHash) ?? new Map<string, SchwabOrder>()
        shared.set(accountHash, orders)
        for (const o of flattenOrders([order])) if (o.orderId !== undefined) orders.set(o.orderId, o)
      }
      return { shared, from }
    })
    const listedEvery = yield* listEveryAccount
    const everyAccount = listedEvery?.shared

    /** Untracked orders among an account's listed orders: counted, each logged once (see untracked.ts). */
    const reportUntracked = (
      accountHash: AccountHash,
      rows: ReadonlyArray<OpenExecutionRow>,
      orders: ReadonlyArray<SchwabOrder>,
      now: number
    ) => {
      const untracked = options.untracked
      if (untracked === undefined) return Effect.void
      // The open executions' orders are followed: no store lookup for them.
      for (const r of rows) untracked.report.followed.add(r.orderId)
      return findUntracked(accountHash, orders, untracked.options, now, untracked.report.followed).pipe(
        Effect.flatMap((found) => untracked.report.record(accountHash, found, untracked.options, now)),
        Effect.flatMap(({ fresh, failure }) =>
          Effect.forEach(fresh, (o) =>
            Effect.logWarning(
              "an order carrying this app's tag is followed by no execution: its fills are in nobody's books (fill-tracker status --untracked; fill-tracker adopt)"
            ).pipe(
              Effect.annotateLogs({
                orderId: o.orderId,
                symbol: o.symbol ?? "",
                instruction: o.instruction ?? "",
                quantity: o.quantity ?? "",
                status: o.status,
                enteredTime: o.enteredTime ?? ""
              })
            )
          ).pipe(Effect.zipRight(failure === undefined ? Effect.void : Effect.fail(failure)))
        ),
        Effect.catchAll(storeFailed("looking for untracked orders failed"))
      )
    }

    const pollAccount = (
      accountHash: AccountHash,
      rows: ReadonlyArray<OpenExecutionRow>,
      lease: Lease | undefined
    ) =>
      Effect.gen(function* () {
        // Checked again per account: a lease lost since the cycle began is left to its new owner.
        if (leases !== undefined && lease === undefined) return
        const owner =
          lease === undefined || leases === undefined
            ? undefined
            : { poller: leases.pollerId, shard: lease.shard, leaseToken: lease.token.toString() }
        if (owner !== undefined)
          yield* Effect.logDebug("polling account").pipe(Effect.annotateLogs({ ...owner, open: rows.length }))
        const now = yield* Clock.currentTimeMillis
        // A wake asks for its few orders one by one: a list would cost as much and say less.
        const listable =
          focus !== undefined ? [] : rows.filter((r) => entered.of(r) >= now - MAX_LIST_WINDOW_MS + SKEW_MS)
        const fromShared = everyAccount === undefined ? undefined : everyAccount.get(accountHash)
        const byId = new Map<string, SchwabOrder>(fromShared ?? [])
        // Where this cycle's list of the account starts (undefined: nothing listed for it).
        let listedFrom: number | undefined = listedEvery?.from
        const intentFroms = focus !== undefined ? [] : intentsFrom(accountHash)
        if (everyAccount === undefined && (listable.length > 0 || intentFroms.length > 0)) {
          const from = listFrom(listable, intentFroms, now)
          listedFrom = from
          listRequests += 1
          const listed = yield* client
            .listOrders(accountHash, { from: new Date(from), to: new Date(now + SKEW_MS) })
            .pipe(
              Effect.tapError((e) =>
                Effect.zipRight(
                  schwabFailed(e),
                  Effect.logWarning("listOrders failed; this account is skipped this cycle").pipe(
                    Effect.annotateLogs({
                      error: errorKind(e),
                      message: String((e as { message?: unknown }).message)
                    })
                  )
                )
              ),
              Effect.option
            )
          if (listed._tag === "None") {
            accountFailures += 1
            outcomes.error += rows.length
            if (owner !== undefined)
              yield* Effect.logDebug("polled account").pipe(
                Effect.annotateLogs({ ...owner, open: rows.length })
              )
            return
          }
          yield* logSkipped(listed.value.skipped)
          for (const o of flattenOrders(listed.value.orders))
            if (o.orderId !== undefined) byId.set(o.orderId, o)
        }
        // The account's intents, from the list just read (one found is polled below, in this cycle).
        const accountIntents = focus === undefined ? (intents.get(accountHash) ?? []) : []
        const resolved =
          accountIntents.length === 0 || listedFrom === undefined
            ? []
            : yield* resolveAccountIntents(accountIntents, [...byId.values()], listedFrom, {
                ...(options.intentWindowMs === undefined ? {} : { windowMs: options.intentWindowMs }),
                ...(lease === undefined ? {} : { fence: lease }),
                ...(owner === undefined ? {} : { metadata: owner })
              })
        const tracked = resolved.length === 0 ? rows : [...rows, ...resolved]
        if (listedFrom !== undefined) {
          for (const r of tracked) entered.learn(byId.get(r.orderId))
          // After the intents: an order just resolved is followed, not untracked.
          yield* reportUntracked(accountHash, tracked, [...byId.values()], now)
        }
        const snapshot = (orderId: OrderId) => {
          const hit = byId.get(orderId)
          if (hit !== undefined) return Effect.succeed<SchwabOrder | undefined>(hit)
          getRequests += 1
          return client.getOrder(accountHash, orderId).pipe(
            Effect.tap((o) =>
              Effect.sync(() => {
                byId.set(orderId, o)
                entered.learn(o)
              })
            ),
            Effect.map((o): SchwabOrder | undefined => o),
            Effect.catchAll((e) =>
              Effect.zipRight(
                schwabFailed(e),
                Effect.as(
                  Effect.logWarning("getOrder failed").pipe(
                    Effect.annotateLogs({
                      orderId,
                      error: errorKind(e),
                      message: String((e as { message?: unknown }).message)
                    })
                  ),
                  undefined
                )
              )
            )
          )
        }
        // The replacement of an order REPLACED naming none is in this account's list: the
        // orders listed (and fetched) this cycle, less those any execution already follows.
        const replacementSearch = (original: SchwabOrder) =>
          Effect.gen(function* () {
            const listed = [...byId.values()]
            const open = replacementCandidates(original, { listed, followed: new Set() })
            const followed = new Set<string>(original.orderId === undefined ? [] : [original.orderId])
            for (const id of open) if (Option.isSome(yield* executions.byOrderId(id))) followed.add(id)
            // A wake lists nothing: its few fetched orders cannot show that no replacement
            // exists, so only a cycle with the account's list may give up looking.
            const searchMs = focus !== undefined ? WAKE_NEVER_GIVES_UP_MS : options.replacementSearchMs
            return {
              listed,
              followed,
              ...(searchMs === undefined ? {} : { searchMs })
            } satisfies ReplacementSearch
          })
        const memo = options.memo
        yield* Effect.forEach(
          tracked,
          (row: OpenExecutionRow) => {
            // Same recorded history, same snapshot as a cycle that changed nothing: skip.
            const listedNow = row.orderId === null ? undefined : byId.get(row.orderId)
            if (
              memo !== undefined &&
              listedNow !== undefined &&
              memo.unchanged(row.executionId, row.streamVersion, listedNow)
            )
              return Effect.sync(() => {
                outcomes.unchanged += 1
                openSubmittedAt.push(Date.parse(row.submittedAt))
              })
            reconciled += 1
            return trackExecution(row.executionId, snapshot, {
              priceBand: options.priceBand,
              ...(options.intentWindowMs === undefined ? {} : { requestWindowMs: options.intentWindowMs }),
              ...(lease === undefined ? {} : { fence: lease }),
              ...(owner === undefined ? {} : { metadata: owner }),
              replacementSearch
            }).pipe(
              Effect.tap((outcome) =>
                Effect.sync(() => {
                  outcomes[outcome] += 1
                  if (outcome !== "terminal") openSubmittedAt.push(Date.parse(row.submittedAt))
                  // An unnamed REPLACED order is looked at again every cycle: its replacement
                  // may be listed later, and the search time runs out; the memo would skip it.
                  // So is an open replace or cancel: it lapses once its window is over.
                  if (
                    outcome === "unchanged" &&
                    memo !== undefined &&
                    listedNow !== undefined &&
                    !namesNoReplacement(listedNow) &&
                    !awaitsRequest(row)
                  )
                    memo.remember(row.executionId, row.streamVersion, listedNow)
                })
              ),
              Effect.catchAllCause((cause) =>
                Effect.zipRight(
                  Effect.sync(() => {
                    outcomes.error += 1
                    storeError ??= storeErrorIn(cause)
                  }),
                  Effect.logError("tracking an execution failed", cause).pipe(
                    Effect.annotateLogs({ executionId: row.executionId })
                  )
                )
              )
            )
          },
          { concurrency: options.concurrency, discard: true }
        )
        if (owner !== undefined)
          yield* Effect.logDebug("polled account").pipe(Effect.annotateLogs({ ...owner, open: rows.length }))
      })
    yield* Effect.forEach(
      Object.entries(byAccount),
      ([hash, rows]) =>
        leases === undefined
          ? pollAccount(hash as AccountHash, rows, undefined)
          : leases.withLease(hash as AccountHash, (lease) => pollAccount(hash as AccountHash, rows, lease)),
      { concurrency: 2, discard: true }
    )
    yield* entered.save.pipe(Effect.catchAll(storeFailed("recording learned entered times failed")))
    if (options.untracked !== undefined && focus === undefined)
      metrics.set(
        "fill_tracker_untracked_orders",
        "Orders carrying this app's tag, entered within the lookback, that no execution follows",
        options.untracked.report.count()
      )
    return {
      open: open.length,
      storeOpen: all.length,
      unheld,
      openSubmittedAt,
      outcomes,
      listRequests,
      getRequests,
      reconciled,
      accountFailures,
      unauthorized,
      storeError
    } satisfies CycleReport
  }).pipe(
    // The host's event loop gets a turn every few ms however many orders are open.
    Effect.withScheduler(timeSlicedScheduler())
  )
