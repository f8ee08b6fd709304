/**
 * Brings one execution up to date with a broker snapshot: load its stream, fold, let the
 * domain decide the new events, append them at the version we read.
 *
 * A concurrency error means someone else appended in between (another cycle, the bot):
 * reload and decide again rather than overwrite. A `Replaced` event moves the execution
 * to the replacement order, which is looked up and reconciled in the same call, so a
 * replaced order is followed without waiting a whole interval.
 */
import {
  Decimal,
  type ExecutionId,
  fold,
  type Instant,
  instantFromDate,
  isTerminal,
  type OrderId,
  type ReplacementSearch,
  reconcile,
  type SchwabOrder,
  type TradeEvent
} from "@fill-tracker/domain"
import { EventStore, type Fence } from "@fill-tracker/store"
import { Clock, Effect } from "effect"
import { count, Metrics } from "../health/Metrics.js"

/** Longest chain of replacements followed in one call; the rest continues next cycle. */
const MAX_REPLACEMENT_HOPS = 5
const MAX_CONFLICT_RETRIES = 3

export type SnapshotSource<R> = (orderId: OrderId) => Effect.Effect<SchwabOrder | undefined, never, R>

export interface TrackOptions {
  readonly priceBand: Decimal.Decimal
  /** The lease this poller holds on the execution's account shard: appends are fenced by it. */
  readonly fence?: Fence
  /** Added to the poller's event metadata (e.g. which poller, under which lease token). */
  readonly metadata?: Record<string, unknown>
  /**
   * Where the replacement of a REPLACED order naming none is looked for: the account's
   * list this cycle and the order ids already followed. Asked only for such a snapshot.
   */
  readonly replacementSearch?: (original: SchwabOrder) => Effect.Effect<ReplacementSearch, unknown>
  /** How long an open replace or cancel may find the order still working before it lapses (domain default 2 min). */
  readonly requestWindowMs?: number
}

/** A REPLACED snapshot of the followed order that names no readable replacement. */
export const namesNoReplacement = (order: SchwabOrder): boolean =>
  order.status.value === "REPLACED" &&
  !order.replacingOrders.some((o) => o.orderId !== undefined && o.orderId !== order.orderId)

/** `fenced`: another poller took the account's shard over; nothing was written. */
export type TrackOutcome =
  | "unchanged"
  | "updated"
  | "terminal"
  | "missing"
  | "inconsistent"
  | "conflict"
  | "fenced"

const recordMetrics = (events: ReadonlyArray<TradeEvent>, now: number) =>
  Effect.flatMap(Metrics, (m) =>
    Effect.sync(() => {
      for (const e of events) {
        m.inc("fill_tracker_events_recorded_total", "Events appended, by type", { type: e.type })
        if (e.type === "LegFilled") {
          m.inc("fill_tracker_fills_recorded_total", "Execution legs recorded")
          m.observeLatencyMs(now - Date.parse(e.executedAt))
        }
        if (e.type === "FillFlagged")
          m.inc("fill_tracker_fills_flagged_total", "Fills flagged", { kind: e.kind })
      }
    })
  )

const logEvents = (events: ReadonlyArray<TradeEvent>) =>
  Effect.forEach(events, (e) => {
    switch (e.type) {
      case "LegFilled":
        return Effect.logInfo("fill recorded").pipe(
          Effect.annotateLogs({
            executionId: e.executionId,
            orderId: e.orderId,
            quantity: Decimal.format(e.quantity),
            price: Decimal.format(e.price),
            executedAt: e.executedAt
          })
        )
      case "Filled":
        return Effect.logInfo("execution filled").pipe(
          Effect.annotateLogs({
            executionId: e.executionId,
            orderId: e.orderId,
            shares: Decimal.format(e.filledShares),
            priceCents: e.priceCents.toString()
          })
        )
      case "Failed":
        return Effect.logWarning("execution failed").pipe(
          Effect.annotateLogs({
            executionId: e.executionId,
            orderId: e.orderId,
            brokerStatus: e.brokerStatus,
            reason: e.reason,
            filledShares: Decimal.format(e.filledShares)
          })
        )
      case "FillFlagged":
        return Effect.logWarning("fill flagged").pipe(
          Effect.annotateLogs({
            executionId: e.executionId,
            orderId: e.orderId,
            kind: e.kind,
            detail: e.detail
          })
        )
      case "Replaced":
        return Effect.logInfo("order replaced").pipe(
          Effect.annotateLogs({
            executionId: e.executionId,
            orderId: e.orderId,
            replacement: e.replacementOrderId
          })
        )
      case "RequestLapsed":
        return Effect.logWarning("replace or cancel not carried out by Schwab; the request is closed").pipe(
          Effect.annotateLogs({
            executionId: e.executionId,
            orderId: e.orderId,
            request: e.request,
            requestedAt: e.requestedAt,
            reason: e.reason
          })
        )
      default:
        return Effect.void
    }
  })

export const trackExecution = <R>(
  executionId: ExecutionId,
  snapshot: SnapshotSource<R>,
  options: TrackOptions
) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    let conflicts = 0
    for (let hop = 0; hop <= MAX_REPLACEMENT_HOPS; ) {
      const stream = yield* store.readStream(executionId)
      const state = fold(stream.events.map((r) => r.event))
      if (isTerminal(state)) return "terminal" as TrackOutcome
      // No stream, or an intent with no order yet: intents are resolved from the order list.
      if (state.status !== "Submitted") return "missing" as TrackOutcome
      const order = yield* snapshot(state.orderId)
      if (order === undefined) return "missing" as TrackOutcome
      const nowMs = yield* Clock.currentTimeMillis
      const now: Instant = instantFromDate(new Date(nowMs))
      const search =
        options.replacementSearch !== undefined &&
        order.orderId === state.orderId &&
        namesNoReplacement(order)
          ? yield* options.replacementSearch(order)
          : undefined
      const decided = reconcile(state, order, now, {
        priceBand: options.priceBand,
        ...(search === undefined ? {} : { replacementSearch: search }),
        ...(options.requestWindowMs === undefined ? {} : { requestWindowMs: options.requestWindowMs })
      })
      if (decided._tag === "Left") {
        yield* count("fill_tracker_inconsistencies_total", "Snapshots that contradict recorded history")
        yield* Effect.logError("broker snapshot contradicts recorded history").pipe(
          Effect.annotateLogs({
            executionId,
            orderId: state.orderId,
            inconsistency: JSON.stringify(decided.left)
          })
        )
        return "inconsistent" as TrackOutcome
      }
      const events = decided.right
      if (events.length === 0) return hop === 0 ? ("unchanged" as TrackOutcome) : ("updated" as TrackOutcome)
      const metadata = { source: "poller", ...options.metadata }
      const appended = yield* (
        options.fence === undefined
          ? store.append(executionId, stream.version, events, metadata)
          : store.append(executionId, stream.version, events, metadata, { fence: options.fence })
      ).pipe(
        Effect.as<boolean | "fenced">(true),
        Effect.catchTag("ConcurrencyError", () => Effect.succeed(false)),
        Effect.catchTag("FencedOut", () => Effect.succeed("fenced" as const))
      )
      if (appended === "fenced") {
        yield* count("fill_tracker_appends_fenced_total", "Appends refused because the lease changed hands")
        return "fenced" as TrackOutcome
      }
      if (!appended) {
        conflicts += 1
        yield* count("fill_tracker_append_conflicts_total", "Appends retried after a concurrent write")
        if (conflicts > MAX_CONFLICT_RETRIES) return "conflict" as TrackOutcome
        continue
      }
      yield* recordMetrics(events, nowMs)
      yield* logEvents(events)
      if (!events.some((e) => e.type === "Replaced")) {
        return events.some((e) => e.type === "Filled" || e.type === "Failed")
          ? ("terminal" as TrackOutcome)
          : ("updated" as TrackOutcome)
      }
      hop += 1
    }
    return "updated" as TrackOutcome
  })
