/**
 * The placement crash matrix's audit: for every `place` call that was killed, how many
 * Schwab orders it left (counted from the sandbox's orders, matched to the call by account,
 * symbol, instruction and quantity, which are unique per call), how many executions follow
 * each of them (read from the events: a `Submitted` or `Replaced` naming it), how the intent
 * ended, and how many POSTs the call cost over its whole life. Over all runs: untracked
 * orders (nobody follows them), duplicated calls (two or more orders), double counting (an
 * order followed twice, or a fill key twice in a stream), and the harness's comparison of
 * shares, cents and fill keys with the broker's truth.
 */
import type { AccountHash } from "@fill-tracker/domain"
import type { Sandbox } from "@fill-tracker/schwab-sandbox"
import { EventStore, Executions } from "@fill-tracker/store"
import { Effect, Option, Stream } from "effect"
import { type AuditReport, audit, type PlacedOrder } from "./harness.js"
import type { Phase } from "./placementPhases.js"

/** One killed `place` call, as planned and as it went. */
export interface PlacementRun {
  readonly executionId: string
  readonly planned: Phase
  /** The phase the kill's facts show (`classify`), or why they show none. */
  readonly hit: string
  readonly accountHash: string
  readonly symbol: string
  readonly shares: number
  readonly direction: string
  /** Whether the bot ran the same `place` again after the kill (else only the service resolved it). */
  readonly replaced: boolean
  /** POSTs the sandbox saw while this call's processes ran (the killed one and its re-run). */
  readonly posts: number
}

export interface RunVerdict {
  readonly executionId: string
  readonly planned: Phase
  readonly hit: string
  readonly replaced: boolean
  readonly orders: ReadonlyArray<string>
  /** Executions following each of `orders`, in the same order. */
  readonly followers: ReadonlyArray<number>
  /** The execution's state at the end (FILLED, CANCELED, NOT_PLACED, ...). */
  readonly state: string
  /** Who recorded `Submitted` (`placeOrder` re-run, `poller`), or "" when none was. */
  readonly submittedBy: string
  readonly problems: ReadonlyArray<string>
}

export interface MatrixAudit {
  readonly runs: ReadonlyArray<RunVerdict>
  /** Sandbox orders no execution follows. */
  readonly untracked: number
  /** Calls that left two or more Schwab orders. */
  readonly duplicated: number
  /** Orders followed by two or more executions, plus fill keys recorded twice in a stream. */
  readonly doubleCounted: number
  /** Calls that cost more than one POST. */
  readonly resent: number
  /** POSTs the service sent (it must never place). */
  readonly servicePosts: number
  /** Shares, cents, fill keys and ends against the broker, over the executions with an order. */
  readonly broker: AuditReport
}

const key = (account: string, symbol: string, instruction: string, quantity: string) =>
  `${account}/${symbol}/${instruction}/${quantity}`

export const auditMatrix = (
  sandbox: Sandbox,
  runs: ReadonlyArray<PlacementRun>,
  options: { readonly servicePosts: number }
) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const executions = yield* Executions
    const followersOf = new Map<string, Set<string>>()
    const submittedBy = new Map<string, string>()
    yield* store.readAll().pipe(
      Stream.runForEach((r) =>
        Effect.sync(() => {
          const named =
            r.event.type === "Submitted"
              ? r.event.orderId
              : r.event.type === "Replaced"
                ? r.event.replacementOrderId
                : undefined
          if (named === undefined) return
          followersOf.set(named, (followersOf.get(named) ?? new Set()).add(r.streamId))
          if (r.event.type === "Submitted") submittedBy.set(r.streamId, String(r.metadata.source ?? "?"))
        })
      )
    )
    const ordersByCall = new Map<string, Array<string>>()
    for (const id of sandbox.orderIds()) {
      const t = sandbox.truth(id)
      const k = key(t.accountHash, t.symbol, t.instruction, t.quantity)
      ordersByCall.set(k, [...(ordersByCall.get(k) ?? []), id])
    }
    const withOrder: Array<PlacedOrder> = []
    const verdicts: Array<RunVerdict> = []
    for (const run of runs) {
      const orders =
        ordersByCall.get(key(run.accountHash, run.symbol, run.direction, String(run.shares))) ?? []
      const followers = orders.map((o) => followersOf.get(o)?.size ?? 0)
      const row = Option.getOrUndefined(yield* executions.byExecutionId(run.executionId as never))
      const problems: Array<string> = []
      if (run.hit !== run.planned) problems.push(`hit ${run.hit}, planned ${run.planned}`)
      if (orders.length > 1) problems.push(`${orders.length} Schwab orders`)
      if (run.posts > 1) problems.push(`${run.posts} POSTs`)
      if (followers.some((n) => n !== 1)) problems.push(`followers ${followers.join(",")}`)
      if (row === undefined) problems.push("no execution row")
      else if (orders.length === 0) {
        if (row.state !== "NOT_PLACED" || !(row.reason ?? "").startsWith("not placed"))
          problems.push(`Schwab has no order, execution ${row.state} (${row.reason ?? "no reason"})`)
      } else if (orders.length === 1) {
        if (row.orderId !== orders[0]) problems.push(`follows ${row.orderId ?? "nothing"}, not ${orders[0]}`)
        withOrder.push({
          executionId: run.executionId,
          orderId: orders[0]!,
          accountHash: run.accountHash as AccountHash,
          symbol: run.symbol,
          shares: run.shares,
          direction: run.direction === "BUY" || run.direction === "BUY_TO_COVER" ? "BUY" : "SELL",
          referencePrice: "0",
          lifecycle: sandbox.truth(orders[0]!).lifecycle
        })
      }
      verdicts.push({
        executionId: run.executionId,
        planned: run.planned,
        hit: run.hit,
        replaced: run.replaced,
        orders,
        followers,
        state: row?.state ?? "missing",
        submittedBy: submittedBy.get(run.executionId) ?? "",
        problems
      })
    }
    const broker = yield* audit(sandbox, withOrder)
    const followedTwice = [...followersOf.values()].filter((s) => s.size > 1).length
    return {
      runs: verdicts,
      untracked: sandbox.orderIds().filter((id) => (followersOf.get(id)?.size ?? 0) === 0).length,
      duplicated: verdicts.filter((v) => v.orders.length > 1).length,
      doubleCounted: followedTwice + broker.duplicateFills,
      resent: runs.filter((r) => r.posts > 1).length,
      servicePosts: options.servicePosts,
      broker
    } satisfies MatrixAudit
  })

/** True when the matrix found nothing wrong. */
export const clean = (a: MatrixAudit): boolean =>
  a.runs.every((r) => r.problems.length === 0) &&
  a.untracked === 0 &&
  a.duplicated === 0 &&
  a.doubleCounted === 0 &&
  a.resent === 0 &&
  a.servicePosts === 0 &&
  a.broker.mismatches.length === 0 &&
  a.broker.lostFills === 0 &&
  a.broker.replayDifferences === 0
