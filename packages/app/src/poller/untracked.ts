/**
 * Untracked orders: orders in an account's list that carry this app's tag (so they were
 * entered through this app key), were entered within the lookback, and that no execution
 * follows. A bot that crashed between Schwab's answer and recording it leaves exactly
 * such an order; its fills would be lost from the books, so it is reported (metric, one
 * log line per order, `status --untracked`) and can be adopted (`adopt`).
 */
import { type AccountHash, Decimal, type OrderId, type SchwabOrder } from "@fill-tracker/domain"
import { Executions, type StoreError } from "@fill-tracker/store"
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

/**
 * Kept across cycles by the poller: which ids are known followed, and which untracked ones
 * were already logged, so each order is logged once (not every cycle).
 */
export class UntrackedReport {
  readonly followed = new Set<string>()
  private readonly logged = new Set<string>()
  private readonly current = new Map<string, UntrackedOrder>()

  /** This account's untracked orders now; answers the ones not logged before. */
  update(accountHash: AccountHash, found: ReadonlyArray<UntrackedOrder>): ReadonlyArray<UntrackedOrder> {
    for (const [id, o] of this.current) if (o.accountHash === accountHash) this.current.delete(id)
    const fresh: Array<UntrackedOrder> = []
    for (const o of found) {
      this.current.set(o.orderId, o)
      if (!this.logged.has(o.orderId)) {
        this.logged.add(o.orderId)
        fresh.push(o)
      }
    }
    return fresh
  }

  /** Untracked orders as of the last cycle that listed their account. */
  count(): number {
    return this.current.size
  }
}
