/**
 * What the operator page shows, as JSON-safe data: health with its reasons, the refresh
 * token's expiry and the steps to renew it, open and recent executions, recent fills with
 * their detection time, and the detection-latency histogram. The page renders it on the
 * server and its script fetches it again to update in place (`/api/live`).
 *
 * Nothing secret gets here: no token, no app key, and no account, not even its hash (an
 * execution is named by its id and its order id).
 */
import { type ExecutionId, TradeEvent } from "@fill-tracker/domain"
import { EventStore, type ExecutionRow, Executions, type RecordedEvent } from "@fill-tracker/store"
import { Chunk, Effect, Option, Stream } from "effect"
import { currentHealth, type HealthOptions } from "../health/HealthServer.js"
import { Metrics } from "../health/Metrics.js"
import { FillTracker } from "../tracker/FillTracker.js"

/** The re-authorization steps, in order (the same commands `/health` names). */
export const REAUTHORIZE_STEPS = [
  "Run `fill-tracker auth url` on the service's host; it prints Schwab's authorization URL.",
  "Open that URL in a browser, log in to Schwab and approve the app.",
  "Copy the URL Schwab redirects to (it carries the code) and run `fill-tracker auth login --code '<redirect URL>'`.",
  "Reload this page: the refresh token's new expiry is shown here, 7 days on."
] as const

export interface ExecutionView {
  readonly executionId: string
  readonly state: string
  /** null for an intent not placed yet (PENDING) or one that found no order. */
  readonly orderId: string | null
  readonly symbol: string
  readonly direction: string
  readonly filled: string
  readonly averagePrice: string | null
  readonly submittedAt: string
  readonly closedAt: string | null
  readonly reason: string | null
  readonly flags: number
}

export interface FillView {
  readonly position: string
  readonly executionId: string
  readonly orderId: string
  readonly quantity: string
  readonly price: string
  readonly executedAt: string
  readonly recordedAt: string
  /** Broker execution to recorded fill, in milliseconds. */
  readonly detectionMs: number
}

export interface LatencyView {
  /** Per bucket (not cumulative): fills detected within `le` seconds and above the previous bound. */
  readonly buckets: ReadonlyArray<{ readonly le: string; readonly count: number }>
  readonly count: number
  readonly sumSeconds: number
}

const executionView = (r: ExecutionRow): ExecutionView => ({
  executionId: r.executionId,
  state: r.state,
  orderId: r.orderId,
  symbol: r.symbol,
  direction: r.direction,
  filled: `${r.filledShares}/${r.shares}`,
  averagePrice: r.averagePrice,
  submittedAt: r.submittedAt,
  closedAt: r.executedAt ?? r.failedAt ?? null,
  reason: r.reason,
  flags: r.flagCount
})

const fillView = (r: RecordedEvent): Option.Option<FillView> =>
  r.event.type === "LegFilled"
    ? Option.some({
        position: r.position.toString(),
        executionId: r.streamId,
        orderId: r.event.orderId,
        // The codec's text of the exact decimals, as the store keeps them.
        quantity: (TradeEvent.encode(r.event) as { quantity: string }).quantity,
        price: (TradeEvent.encode(r.event) as { price: string }).price,
        executedAt: r.event.executedAt,
        recordedAt: r.recordedAt.toISOString(),
        detectionMs: Math.max(0, r.recordedAt.getTime() - Date.parse(r.event.executedAt))
      })
    : Option.none()

/** Fills to show at most, and events read at most per request (bounded work per poll). */
const RECENT_FILLS = 50
const EVENTS_PER_READ = 2_000

/**
 * Fills recorded after position `after` (the last 50 when `after` is undefined), and the
 * last position read, which the page passes back as `after` next time.
 */
const fillsAfter = (after: bigint | undefined) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const head = (yield* Effect.flatMap(FillTracker, (t) => t.headPosition)) - 1n
    const from = after === undefined ? BigInt(Math.max(0, Number(head) - EVENTS_PER_READ)) : after + 1n
    const read = yield* store
      .readAll({ fromPosition: from, pageSize: EVENTS_PER_READ })
      .pipe(Stream.take(EVENTS_PER_READ), Stream.runCollect, Effect.map(Chunk.toReadonlyArray))
    const fills = read.flatMap((r) => Option.toArray(fillView(r))).slice(-RECENT_FILLS)
    const last = read.at(-1)?.position ?? after ?? head
    return { fills: fills.reverse(), last: last.toString() }
  })

const latency = Effect.flatMap(Metrics, (m) =>
  Effect.promise(async (): Promise<LatencyView> => {
    const metric = m.registry.getSingleMetric("fill_tracker_fill_detection_seconds")
    // A histogram's values name their series (`_bucket`, `_sum`, `_count`); the type omits it.
    const values = (metric === undefined ? [] : (await metric.get()).values) as ReadonlyArray<{
      readonly value: number
      readonly labels: Readonly<Record<string, string | number>>
      readonly metricName?: string
    }>
    const cumulative = values.filter((v) => v.metricName?.endsWith("_bucket"))
    const buckets = cumulative.map((v, i) => ({
      le: String(v.labels.le),
      count: v.value - (i === 0 ? 0 : (cumulative[i - 1]?.value ?? 0))
    }))
    const count = values.find((v) => v.metricName?.endsWith("_count"))?.value ?? 0
    const sumSeconds = values.find((v) => v.metricName?.endsWith("_sum"))?.value ?? 0
    return { buckets, count, sumSeconds }
  })
)

/** Everything the page shows; `after`: the last position the page has already seen. */
export const operatorView = (options: HealthOptions, after?: bigint) =>
  Effect.gen(function* () {
    const h = yield* currentHealth(options)
    const executions = yield* Executions
    const open = yield* executions.openPage(undefined, 200)
    const recent = yield* executions.query({ limit: 50 })
    const { fills, last } = yield* fillsAfter(after)
    return {
      health: {
        status: h.status,
        problems: h.problems,
        warnings: h.warnings,
        lastSuccessAt: h.lastSuccessAt,
        openExecutions: h.openExecutions,
        heldExecutions: h.heldExecutions
      },
      refreshToken: { expiresAt: h.tokens.refreshExpiresAt, reauthorize: REAUTHORIZE_STEPS },
      open: open.map(executionView),
      recent: recent.map(executionView),
      fills,
      last,
      latency: yield* latency
    }
  })

export type OperatorView = Effect.Effect.Success<ReturnType<typeof operatorView>>

/** One execution's summary and every event of it, or none when the id is unknown. */
export const executionHistory = (executionId: string) =>
  Effect.gen(function* () {
    const tracker = yield* FillTracker
    const row = yield* tracker.getExecution(executionId)
    if (Option.isNone(row)) return Option.none()
    const { events } = yield* tracker.history(executionId as ExecutionId)
    return Option.some({
      execution: executionView(row.value),
      events: events.map((r) => {
        const { accountHash: _account, ...fields } = TradeEvent.encode(r.event) as Record<string, unknown>
        return {
          version: r.version,
          position: r.position.toString(),
          recordedAt: r.recordedAt.toISOString(),
          type: r.event.type,
          fields
        }
      })
    })
  })
