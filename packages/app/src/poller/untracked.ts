/**
 * Untracked orders: orders in an account's list that carry this app's tag (so they were
 * entered through this app key), were entered within the lookback, and that no execution
 * follows. A bot that crashed between Schwab's answer and recording it leaves exactly
 * such an order; its fills would be lost from the books, so it is reported (metric, one
 * log line per order, `status --untracked`) and can be adopted (`adopt`).
 */
import { type AccountHash, Decimal, type OrderId, type SchwabOrder } from "@fill-tracker/domain"
import { Executions, LearnedFacts, type StoreError } from "@fill-tracker/store"
import { Effect, Option } from "effect"

/** What decides that an order is this app's and recent enough to report. */
export interface UntrackedOptions {
  /** The tag Schwab puts on orders entered through this app key (the sandbox's: `API_TDAM:SANDBOX`); empty: report nothing. */
  readonly tag: string
  readonly lookbackMs: number
}

/** One untracked order, as reported. */
export interface UntrackedOrder {
  readonly accountHash: AccountHash
  readonly orderId: OrderId
  readonly symbol: string | undefined
  readonly instruction: string | undefined
  readonly quantity: string | undefined
  readonly status: string
  readonly enteredTime: string | undefined
}

/** The orders of `listed` that carry the tag and were entered within the lookback (not yet checked against the store). */
export const taggedRecent = (
  listed: ReadonlyArray<SchwabOrder>,
  options: UntrackedOptions,
  now: number
): ReadonlyArray<SchwabOrder & { readonly orderId: OrderId }> =>
  options.tag === ""
    ? []
    : listed.filter(
        (o): o is SchwabOrder & { readonly orderId: OrderId } =>
          o.orderId !== undefined &&
          o.tag === options.tag &&
          o.enteredTime !== undefined &&
          Date.parse(o.enteredTime) >= now - options.lookbackMs
      )

const describe = (
  accountHash: AccountHash,
  o: SchwabOrder & { readonly orderId: OrderId }
): UntrackedOrder => {
  const leg = o.legs[0]
  const quantity = o.quantity ?? leg?.quantity
  return {
    accountHash,
    orderId: o.orderId,
    symbol: leg?.symbol,
    instruction: leg?.instruction,
    quantity: quantity === undefined ? undefined : Decimal.format(quantity),
    status: o.status.value,
    enteredTime: o.enteredTime
  }
}

/**
 * The untracked orders among `listed`. `knownFollowed` holds ids already seen followed
 * (they stay followed: no event un-follows an order), so a list of thousands of tracked
 * orders costs the store nothing after the first cycle.
 */
export const findUntracked = (
  accountHash: AccountHash,
  listed: ReadonlyArray<SchwabOrder>,
  options: UntrackedOptions,
  now: number,
  knownFollowed: Set<string> = new Set()
): Effect.Effect<ReadonlyArray<UntrackedOrder>, StoreError, Executions> =>
  Effect.gen(function* () {
    const executions = yield* Executions
    const out: Array<UntrackedOrder> = []
    for (const o of taggedRecent(listed, options, now)) {
      if (knownFollowed.has(o.orderId)) continue
      if (Option.isSome(yield* executions.byOrderId(o.orderId))) knownFollowed.add(o.orderId)
      else out.push(describe(accountHash, o))
    }
    return out
  })

/** How often a poller reloads what every poller reported and prunes what left the lookback. */
const REFRESH_MS = 3_600_000

/** What `UntrackedReport.record` answers: the orders to log now, and a store write that failed. */
export interface Reported {
  /** Reported for the first time by any poller: log each of these once. */
  readonly fresh: ReadonlyArray<UntrackedOrder>
  /** Set when a report could not be recorded: that order is tried again next cycle, unlogged. */
  readonly failure: StoreError | undefined
}

/**
 * Kept across cycles by the poller: which ids are known followed, and which untracked ones
 * were already logged, so each order is logged once (not every cycle). The logged ones are
 * claimed in the store (LearnedFacts), so a restart or another poller taking the account
 * over does not log them again; memory only saves asking the store about them each cycle.
 */
export class UntrackedReport {
  readonly followed = new Set<string>()
  /** Reported orders (by any poller, as far as this one knows) with their entered times. */
  private readonly logged = new Map<string, number>()
  private readonly current = new Map<string, UntrackedOrder>()
  private refreshedAt: number | undefined

  /**
   * Takes this account's untracked orders now and answers the ones no poller reported
   * before. On start and then hourly: forgets, in the store and here, the orders entered
   * before the lookback (the report never looks at them again) and reads what the other
   * pollers reported.
   */
  record(
    accountHash: AccountHash,
    found: ReadonlyArray<UntrackedOrder>,
    options: UntrackedOptions,
    now: number
  ): Effect.Effect<Reported, StoreError, LearnedFacts> {
    for (const [id, o] of this.current) if (o.accountHash === accountHash) this.current.delete(id)
    for (const o of found) this.current.set(o.orderId, o)
    return Effect.gen(this, function* () {
      const facts = yield* LearnedFacts
      const since = now - options.lookbackMs
      if (this.refreshedAt === undefined || now - this.refreshedAt >= REFRESH_MS) {
        yield* facts.pruneUntracked(since)
        for (const [id, at] of this.logged) if (at < since) this.logged.delete(id)
        for (const r of yield* facts.reportedUntracked(since)) this.logged.set(r.orderId, r.enteredAt)
        this.refreshedAt = now
      }
      const fresh: Array<UntrackedOrder> = []
      for (const o of found) {
        if (this.logged.has(o.orderId)) continue
        const enteredAt = Date.parse(o.enteredTime ?? "")
        const fact = { orderId: o.orderId, enteredAt: Number.isNaN(enteredAt) ? now : enteredAt }
        const claimed = yield* Effect.either(facts.claimUntracked(fact))
        // The ones claimed so far are still logged: a claim is never taken without its line.
        if (claimed._tag === "Left") return { fresh, failure: claimed.left }
        this.logged.set(o.orderId, fact.enteredAt)
        if (claimed.right) fresh.push(o)
      }
      return { fresh, failure: undefined }
    })
  }

  /** Untracked orders as of the last cycle that listed their account. */
  count(): number {
    return this.current.size
  }
}
