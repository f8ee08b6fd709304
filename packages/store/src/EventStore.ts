/**
 * The event store: append with an expected version, read one stream, read everything in
 * global order as a paged `Stream`.
 *
 * `append` claims the stream's version, inserts the events and applies them to the
 * executions read model inside ONE transaction, so a fill is written with its row or not
 * at all. The claim is the transaction's first statement and it is a write
 * (`UPDATE streams ... WHERE version = expected` or `INSERT ... ON CONFLICT DO NOTHING`):
 * on SQLite that takes the write lock before anything is read (no stale-snapshot upgrade),
 * and on PostgreSQL the row lock makes a racing writer re-check the version. Either way
 * exactly one of two appenders at the same expected version wins; the other gets
 * `ConcurrencyError` and its transaction rolls back.
 *
 * @since 0.1.0
 */

import * as SqlClient from "@effect/sql/SqlClient"
import type { Connection } from "@effect/sql/SqlConnection"
import type { SqlError } from "@effect/sql/SqlError"
import { type ExecutionId, encodeStoredEvent, type OrderId, type TradeEvent } from "@fill-tracker/domain"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import { followedOrderIds, orderIdsFollowedBy, RowFold } from "./applyEvent.js"
import { ConcurrencyError, type CorruptEventError, OrderAlreadyFollowed, StoreError } from "./errors.js"
import * as AppendSql from "./internal/appendSql.js"
import { eventHash } from "./internal/eventHash.js"
import { asBigInt, decodeEventRows, eventColumns, readPage, safeIntegers } from "./internal/eventRows.js"
import { executionOrdersTable, executionsTable } from "./internal/migrations.js"
import { appendLock } from "./internal/ordering.js"
import { inOwnTransaction, inTransaction } from "./internal/ownTransaction.js"
import { decodeRows, direct, type Exec, type Tables, viaClient } from "./internal/readModel.js"
import { toColumns } from "./internal/rowColumns.js"
import { isBusy, isConcurrentClaim, orStoreError } from "./internal/sqlErrors.js"
import { type Fence, FencedOut, fenceStatement } from "./Leases.js"
import type { AppendResult, RecordedEvent } from "./RecordedEvent.js"

/** Options of a fenced append. @since 0.2.0 @category models */
export interface AppendOptions {
  /** Fails with `FencedOut`, writing nothing, unless the shard's lease still carries this token. */
  readonly fence?: Fence
}

/** @since 0.1.0 @category models */
export interface EventStoreService {
  /**
   * Appends `events` if the stream is at `expectedVersion` (0: it must not exist yet) and no
   * other stream follows an order id they would make this one follow (`OrderAlreadyFollowed`).
   */
  readonly append: {
    (
      streamId: ExecutionId,
      expectedVersion: number,
      events: ReadonlyArray<TradeEvent>,
      metadata?: Record<string, unknown>
    ): Effect.Effect<AppendResult, ConcurrencyError | OrderAlreadyFollowed | StoreError>
    (
      streamId: ExecutionId,
      expectedVersion: number,
      events: ReadonlyArray<TradeEvent>,
      metadata: Record<string, unknown> | undefined,
      options: AppendOptions
    ): Effect.Effect<AppendResult, ConcurrencyError | OrderAlreadyFollowed | FencedOut | StoreError>
  }
  /** Every event of one stream in version order; version 0 and no events when it does not exist. */
  readonly readStream: (
    streamId: ExecutionId
  ) => Effect.Effect<
    { readonly version: number; readonly events: ReadonlyArray<RecordedEvent> },
    StoreError | CorruptEventError
  >
  /** All events from `fromPosition` (inclusive, default the start) in global order, read in pages. */
  readonly readAll: (options?: {
    readonly fromPosition?: bigint
    readonly pageSize?: number
  }) => Stream.Stream<RecordedEvent, StoreError | CorruptEventError>
}

/** @since 0.1.0 @category tags */
export class EventStore extends Context.Tag("@fill-tracker/store/EventStore")<
  EventStore,
  EventStoreService
>() {}

const liveTables: Tables = { executions: executionsTable, orders: executionOrdersTable }

/** Default page size of `readAll`: big enough to amortise a query, small enough to bound memory. */
export const defaultPageSize = 2_000

/**
 * Retries an append that found the file locked past the busy timeout (another process, or a
 * second connection in this one, holding the write lock). The sleep is asynchronous so a
 * connection of this process that holds the lock can finish.
 */
const busyRetry = Schedule.exponential("20 millis").pipe(
  Schedule.jittered,
  Schedule.intersect(Schedule.recurs(6))
)

/**
 * A span for the effect when the caller traces (runs inside a span of its own): then an
 * append shows as its child. An untraced caller does not pay for a root span per append,
 * which the benchmark measured at ~20 µs, a tenth of a one-event append.
 */
const underCallersSpan =
  (name: string, attributes: Record<string, unknown>) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.flatMap(Effect.serviceOption(Tracer.ParentSpan), (parent) =>
      Option.isNone(parent) ? self : Effect.withSpan(self, name, { attributes, captureStackTrace: false })
    )

/** @since 0.1.0 @category constructors */
export const make: Effect.Effect<EventStoreService, never, SqlClient.SqlClient> = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  const currentVersion = (streamId: ExecutionId, exec: Exec) =>
    Effect.map(
      exec(sql<{ version: bigint }>`SELECT version FROM streams WHERE stream_id = ${streamId}`),
      (rows) => (rows[0] === undefined ? 0 : Number(rows[0].version))
    )

  // `exec`: inside an append's transaction the version is read on its connection (which
  // it holds: a statement through the client would wait for it forever).
  const conflict = (streamId: ExecutionId, expectedVersion: number, exec: Exec = viaClient) =>
    Effect.flatMap(currentVersion(streamId, exec), (actualVersion) =>
      Effect.fail(
        new ConcurrencyError({ reason: "WrongExpectedVersion", streamId, expectedVersion, actualVersion })
      )
    )

  const emptyAppend = (streamId: ExecutionId, expectedVersion: number) =>
    Effect.gen(function* () {
      const rows = yield* sql<{
        version: bigint
        position: bigint | null
      }>`SELECT s.version AS version, (SELECT MAX(position) FROM events e WHERE e.stream_id = s.stream_id) AS position
         FROM streams s WHERE s.stream_id = ${streamId}`
      const actualVersion = rows[0] === undefined ? 0 : Number(rows[0].version)
      if (actualVersion !== expectedVersion)
        return yield* new ConcurrencyError({
          reason: "WrongExpectedVersion",
          streamId,
          expectedVersion,
          actualVersion
        })
      return { nextExpectedVersion: expectedVersion, lastPosition: asBigInt(rows[0]?.position) ?? 0n }
    })

  const texts = AppendSql.make(sql, liveTables)

  /** The append's statements on the connection its transaction holds. */
  const write = (
    conn: Connection,
    streamId: ExecutionId,
    expectedVersion: number,
    events: ReadonlyArray<TradeEvent>,
    meta: Record<string, unknown>,
    fence: Fence | undefined
  ): Effect.Effect<
    AppendResult,
    ConcurrencyError | OrderAlreadyFollowed | FencedOut | StoreError | SqlError
  > => {
    const run = (text: string, params: ReadonlyArray<unknown>) =>
      conn.execute(text, params, undefined) as Effect.Effect<ReadonlyArray<Record<string, unknown>>, SqlError>
    const exec = direct(conn)
    const next = expectedVersion + events.length
    const claim =
      expectedVersion === 0
        ? run(texts.claimNew, [streamId, next])
        : run(texts.claimNext, [next, streamId, expectedVersion])
    // PostgreSQL: one append at a time, so positions commit in order (internal/ordering.ts).
    return Effect.flatMap(
      Effect.zipRight(appendLock(sql, exec), claim),
      (
        claimed
      ): Effect.Effect<
        AppendResult,
        ConcurrencyError | OrderAlreadyFollowed | FencedOut | StoreError | SqlError
      > => {
        if (claimed.length === 0) return conflict(streamId, expectedVersion, exec)
        // After the claim: the write lock (SQLite) or the append lock (PostgreSQL) is held, so
        // no other append can record the same order id between this check and the insert.
        const rest = Effect.zipRight(
          unfollowedElsewhere(run, streamId, events),
          record(run, streamId, expectedVersion, events, meta)
        )
        // After the claim (the write lock on SQLite), so no takeover can commit in between.
        return fence === undefined
          ? rest
          : Effect.flatMap(
              exec(fenceStatement(sql, fence)),
              (
                held
              ): Effect.Effect<AppendResult, OrderAlreadyFollowed | FencedOut | StoreError | SqlError> =>
                held.length === 0
                  ? Effect.fail(
                      new FencedOut({ reason: "LeaseLost", shard: fence.shard, token: fence.token })
                    )
                  : rest
            )
      }
    )
  }

  /** Fails when another stream follows an order id these events would make `streamId` follow. */
  const unfollowedElsewhere = (
    run: (
      text: string,
      params: ReadonlyArray<unknown>
    ) => Effect.Effect<ReadonlyArray<Record<string, unknown>>, SqlError>,
    streamId: ExecutionId,
    events: ReadonlyArray<TradeEvent>
  ): Effect.Effect<void, OrderAlreadyFollowed | SqlError> => {
    const ids: Array<OrderId> = []
    for (const event of events) for (const id of orderIdsFollowedBy(event)) ids.push(id)
    if (ids.length === 0) return Effect.void
    return Effect.flatMap(run(texts.otherFollowers(ids.length), [...ids, streamId]), (rows) => {
      const taken = rows[0]
      return taken === undefined
        ? Effect.void
        : Effect.fail(
            new OrderAlreadyFollowed({
              orderId: String(taken.order_id),
              streamId,
              followedBy: String(taken.execution_id) as ExecutionId
            })
          )
    })
  }

  /** Inserts the events and folds them into the stream's row (after the claim). */
  const record = (
    run: (
      text: string,
      params: ReadonlyArray<unknown>
    ) => Effect.Effect<ReadonlyArray<Record<string, unknown>>, SqlError>,
    streamId: ExecutionId,
    expectedVersion: number,
    events: ReadonlyArray<TradeEvent>,
    meta: Record<string, unknown>
  ): Effect.Effect<AppendResult, StoreError | SqlError> =>
    Effect.flatMap(Clock.currentTimeMillis, (millis) => {
      const recordedAt = new Date(millis)
      const at = recordedAt.toISOString()
      const metadata = JSON.stringify(meta)
      // Each event's hash links to the previous one's (internal/eventHash.ts); the stream's
      // last stored hash is read after the claim, under the write lock.
      const params = (previous: string | null): Array<unknown> => {
        const out: Array<unknown> = []
        let link = previous
        for (let i = 0; i < events.length; i++) {
          const stored = encodeStoredEvent(events[i] as TradeEvent)
          const version = expectedVersion + i + 1
          link = eventHash(link, {
            streamId,
            version,
            type: stored.type,
            schemaVersion: stored.version,
            payload: stored.data,
            metadata,
            recordedAt: at
          })
          out.push(streamId, version, stored.type, stored.version, stored.data, metadata, at, link)
        }
        return out
      }
      const previous =
        expectedVersion === 0
          ? Effect.succeed(null)
          : Effect.map(run(texts.selectHash, [streamId, expectedVersion]), (rows) => {
              const hash = rows[0]?.hash
              return typeof hash === "string" ? hash : null
            })
      const current =
        expectedVersion === 0
          ? Effect.succeed([])
          : Effect.flatMap(run(texts.selectRow, [streamId]), decodeRows)
      const insert = Effect.flatMap(previous, (link) => run(texts.insertEvents(events.length), params(link)))
      return Effect.flatMap(insert, (inserted) =>
        Effect.flatMap(current, (rows): Effect.Effect<AppendResult, StoreError | SqlError> => {
          // RETURNING order is not guaranteed, so positions are matched by version.
          const positions = new Map(
            inserted.map((r) => [Number(r.stream_version), asBigInt(r.position) ?? 0n])
          )
          const fold = RowFold.start(rows[0])
          const pairs: Array<unknown> = []
          let lastPosition = 0n
          for (let i = 0; i < events.length; i++) {
            const version = expectedVersion + i + 1
            const position = positions.get(version) ?? 0n
            if (position > lastPosition) lastPosition = position
            const recorded: RecordedEvent = {
              position,
              streamId,
              version,
              event: events[i] as TradeEvent,
              metadata: meta,
              recordedAt
            }
            fold.apply(recorded)
            for (const orderId of followedOrderIds(recorded)) pairs.push(orderId, streamId)
          }
          const row = fold.finish()
          if (row === undefined)
            return Effect.fail(
              new StoreError({
                reason: "Projection",
                detail: `stream ${streamId} must start with a Submitted or PlacementRequested event`
              })
            )
          const result: AppendResult = { nextExpectedVersion: expectedVersion + events.length, lastPosition }
          const upsert = run(texts.upsertRow, AppendSql.rowParams(toColumns(row)))
          return pairs.length === 0
            ? Effect.as(upsert, result)
            : Effect.as(Effect.zipRight(upsert, run(texts.insertOrderIds(pairs.length / 2), pairs)), result)
        })
      )
    })

  // SQLite: take the write lock at BEGIN, so the transaction never has to upgrade a read lock.
  const begin = sql.onDialectOrElse({ sqlite: () => "BEGIN IMMEDIATE", orElse: () => "BEGIN" })

  /** One append's transaction: its own on a reserved connection, or a savepoint in the caller's. */
  const transact = (
    streamId: ExecutionId,
    expectedVersion: number,
    events: ReadonlyArray<TradeEvent>,
    meta: Record<string, unknown>,
    fence: Fence | undefined
  ): Effect.Effect<
    AppendResult,
    ConcurrencyError | OrderAlreadyFollowed | FencedOut | StoreError | SqlError
  > =>
    Effect.flatMap(inTransaction, (nested) =>
      nested
        ? sql.withTransaction(
            Effect.flatMap(Effect.serviceOption(SqlClient.TransactionConnection), (held) =>
              Option.isSome(held)
                ? write(held.value[0], streamId, expectedVersion, events, meta, fence)
                : Effect.dieMessage("sql.withTransaction provides its connection")
            )
          )
        : inOwnTransaction(sql, begin, (conn) => write(conn, streamId, expectedVersion, events, meta, fence))
    )

  const append = (
    streamId: ExecutionId,
    expectedVersion: number,
    events: ReadonlyArray<TradeEvent>,
    metadata?: Record<string, unknown>,
    options?: AppendOptions
  ): Effect.Effect<AppendResult, ConcurrencyError | OrderAlreadyFollowed | FencedOut | StoreError> => {
    if (!Number.isSafeInteger(expectedVersion) || expectedVersion < 0)
      return Effect.fail(
        new StoreError({
          reason: "InvalidArgument",
          detail: `expected version must be a natural number, got ${expectedVersion}`
        })
      )
    const attempt =
      events.length === 0
        ? emptyAppend(streamId, expectedVersion)
        : transact(streamId, expectedVersion, events, metadata ?? {}, options?.fence)
    const busy = (e: { readonly _tag: string }): e is SqlError =>
      e._tag === "SqlError" && isBusy(e as SqlError)
    return attempt.pipe(
      // The retry schedule is built only when the file was busy, not on every append.
      Effect.catchIf(busy, () => Effect.retry(attempt, { schedule: busyRetry, while: busy })),
      safeIntegers,
      underCallersSpan("EventStore.append", { streamId, expectedVersion }),
      // Backstop if appends ever race past the lock: a duplicate stream or version is a conflict.
      Effect.catchIf(
        (e): e is SqlError => e._tag === "SqlError" && isConcurrentClaim(e),
        () => safeIntegers(conflict(streamId, expectedVersion))
      ),
      orStoreError(`append to stream ${streamId}`)
    )
  }

  const readStream: EventStoreService["readStream"] = (streamId) =>
    sql`SELECT ${sql.literal(eventColumns(sql))} FROM events WHERE stream_id = ${streamId} ORDER BY stream_version`.values.pipe(
      safeIntegers,
      orStoreError(`reading stream ${streamId}`),
      Effect.flatMap(decodeEventRows),
      Effect.map((events) => ({ version: events.at(-1)?.version ?? 0, events }))
    )

  const readAll: EventStoreService["readAll"] = (options) => {
    const pageSize = Math.max(1, options?.pageSize ?? defaultPageSize)
    // Paging by position is gap-safe: positions commit in order (SQLite has one writer,
    // PostgreSQL appends hold the append lock; see internal/ordering.ts).
    return Stream.paginateChunkEffect(options?.fromPosition ?? 0n, (from) =>
      Effect.map(readPage(sql, from, pageSize), (page) => {
        const last = page.at(-1)
        return [
          Chunk.unsafeFromArray(page as Array<RecordedEvent>),
          page.length < pageSize || last === undefined ? Option.none() : Option.some(last.position + 1n)
        ] as const
      })
    )
  }

  // Without a fence `FencedOut` cannot happen, which the first overload states.
  return { append: append as EventStoreService["append"], readStream, readAll }
})

/** @since 0.1.0 @category layers */
export const layer: Layer.Layer<EventStore, never, SqlClient.SqlClient> = Layer.effect(EventStore, make)
