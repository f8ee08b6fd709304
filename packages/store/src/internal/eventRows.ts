/**
 * Reading rows of the events table back into `RecordedEvent`s: every payload goes through
 * the domain's `decodeStoredEvent`, and a row that does not decode is a `CorruptEventError`
 * naming its position, stream and version.
 */

import * as SqlClient from "@effect/sql/SqlClient"
import { decodeStoredEvent, ExecutionId } from "@fill-tracker/domain"
import * as Effect from "effect/Effect"
import { CorruptEventError, type StoreError } from "../errors.js"
import type { FoldedEvent, RecordedEvent } from "../RecordedEvent.js"
import { orStoreError } from "./sqlErrors.js"

/**
 * Who a page's events are for. `callers` get every field, each event its own objects. A
 * `fold` (Replay) reads an event and lets it go: its events (`FoldedEvent`) share one `Date`
 * per run of equal times and carry neither position nor metadata, which the fold never
 * reads: no `BigInt` per event, and the metadata column is not read at all.
 */
export type Reader = "callers" | "fold"

/**
 * The columns of an event row, in the order rows are read: pages are read as arrays of
 * values (`Statement.values`), not one object per row, which the benchmark measured at
 * about a third less per row on SQLite (1.0 vs 1.6 µs) with less garbage to collect.
 *
 * `@effect/sql-sqlite-node` reads values without its safe-integers mode, so SQLite hands
 * integers back as JS numbers: exact up to 2^53, rounded beyond. A position past that comes
 * back as its decimal text instead (`asBigInt` reads both). `pg` returns BIGINT as text anyway.
 */
const eventColumnsAfterPosition = (reader: Reader) =>
  `stream_id, stream_version, event_type, schema_version, payload, ${reader === "fold" ? "NULL" : "metadata"}, recorded_at`
export const eventColumns = (sql: SqlClient.SqlClient, reader: Reader = "callers"): string =>
  sql.onDialectOrElse({
    sqlite: () =>
      `CASE WHEN position > 9007199254740991 THEN CAST(position AS TEXT) ELSE position END, ${eventColumnsAfterPosition(reader)}`,
    orElse: () => `position, ${eventColumnsAfterPosition(reader)}`
  })
const POSITION = 0
const STREAM_ID = 1
const STREAM_VERSION = 2
const EVENT_TYPE = 3
const SCHEMA_VERSION = 4
const PAYLOAD = 5
const METADATA = 6
const RECORDED_AT = 7

/** One row of `eventColumns`, as the driver returns it. */
export type EventRow = ReadonlyArray<unknown>

/**
 * An integer column as bigint, whatever the driver gave: SQLite's safe integers are bigint,
 * `pg` hands INTEGER back as number and BIGINT (positions, counts) as decimal text.
 */
export const asBigInt = (v: unknown): bigint | undefined =>
  typeof v === "bigint"
    ? v
    : typeof v === "number" && Number.isSafeInteger(v)
      ? BigInt(v)
      : typeof v === "string" && /^-?\d{1,20}$/.test(v)
        ? BigInt(v)
        : undefined

/**
 * A small integer column (stream or schema version) as a number, without the `BigInt` that
 * `asBigInt` makes: SQLite's values come as numbers, and a replay reads two per event.
 */
const asVersion = (v: unknown): number | undefined => {
  if (typeof v === "number" && Number.isSafeInteger(v)) return v
  const big = asBigInt(v)
  return big === undefined ? undefined : Number(big)
}

/**
 * Per-page memo of the last values seen: the events of one append share their stream id,
 * metadata and time, so a replay validates the id and parses the time once per run of
 * equal values instead of once per event. Events handed to callers get their own `Date`
 * and metadata objects; for a fold, see `Reader`.
 */
interface Memo {
  readonly fold: boolean
  streamId: string
  time: string
  millis: number
  date: Date
}

/** The row's position for an error (a fold does not make one otherwise); -1 when it is not one. */
const positionOf = (raw: EventRow): bigint => asBigInt(raw[POSITION]) ?? -1n

const malformed = (raw: EventRow, streamId: string, version: number, detail: string) =>
  new CorruptEventError({ reason: "MalformedRow", position: positionOf(raw), streamId, version, detail })

/** A position as the drivers give it (a safe integer, digit text past 2^53, or a bigint), not negative. */
const isPosition = (v: unknown): boolean =>
  typeof v === "number" ? Number.isSafeInteger(v) && v >= 0 : (asBigInt(v) ?? -1n) >= 0n

/**
 * Decodes a row, checking every column it reads. For a fold it reads no metadata and makes
 * no position (`FoldedEvent`); for callers, a whole `RecordedEvent`.
 */
const decodeWith = (raw: EventRow, memo: Memo): RecordedEvent | FoldedEvent | CorruptEventError => {
  const rawStreamId = raw[STREAM_ID]
  const streamId = typeof rawStreamId === "string" ? rawStreamId : String(rawStreamId)
  const version = asVersion(raw[STREAM_VERSION]) ?? -1
  if (!isPosition(raw[POSITION]) || version < 1)
    return malformed(raw, streamId, version, "position or stream version is not an integer")
  if (streamId !== memo.streamId) {
    if (!ExecutionId.is(streamId))
      return malformed(raw, streamId, version, "stream id is not an execution id")
    memo.streamId = streamId
  }
  const type = raw[EVENT_TYPE]
  const payload = raw[PAYLOAD]
  const recordedAt = raw[RECORDED_AT]
  const schemaVersion = asVersion(raw[SCHEMA_VERSION])
  if (typeof type !== "string" || typeof payload !== "string" || schemaVersion === undefined)
    return malformed(raw, streamId, version, "event type, schema version or payload has the wrong type")
  const decoded = decodeStoredEvent(type, schemaVersion, payload)
  if (decoded._tag === "Left")
    return new CorruptEventError({
      reason: "UndecodablePayload",
      position: positionOf(raw),
      streamId,
      version,
      detail: decoded.left.message,
      cause: decoded.left
    })
  if (typeof recordedAt !== "string") return malformed(raw, streamId, version, "recorded_at is not a time")
  if (recordedAt !== memo.time) {
    const millis = new Date(recordedAt).getTime()
    if (Number.isNaN(millis)) return malformed(raw, streamId, version, "recorded_at is not a time")
    memo.time = recordedAt
    memo.millis = millis
    if (memo.fold) memo.date = new Date(millis)
  }
  // Checked with ExecutionId.is above, or equal to the memo's id that was.
  const id = streamId as ExecutionId
  if (memo.fold) return { streamId: id, version, event: decoded.right, recordedAt: memo.date }
  const metadata = raw[METADATA]
  let meta: unknown
  if (metadata === "{}") meta = {}
  else
    try {
      meta = typeof metadata === "string" ? JSON.parse(metadata) : undefined
    } catch (cause) {
      return malformed(raw, streamId, version, `metadata is not JSON: ${(cause as Error).message}`)
    }
  if (typeof meta !== "object" || meta === null || Array.isArray(meta))
    return malformed(raw, streamId, version, "metadata is not a JSON object")
  return {
    position: positionOf(raw),
    streamId: id,
    version,
    event: decoded.right,
    metadata: meta as Record<string, unknown>,
    recordedAt: new Date(memo.millis)
  }
}

const freshMemo = (reader: Reader = "callers"): Memo => ({
  fold: reader === "fold",
  streamId: "",
  time: "",
  millis: 0,
  date: new Date(0)
})

/**
 * A decoder for the rows of one page, in order (it remembers the last stream id and time it
 * checked). Replay decodes a row only when it folds it, so a page's decoded events die young
 * instead of all being alive together, which cut the collector's copying.
 */
export function pageDecoder(reader: "fold"): (raw: EventRow) => FoldedEvent | CorruptEventError
export function pageDecoder(reader: "callers"): (raw: EventRow) => RecordedEvent | CorruptEventError
export function pageDecoder(
  reader: Reader
): (raw: EventRow) => RecordedEvent | FoldedEvent | CorruptEventError {
  const memo = freshMemo(reader)
  return (raw) => decodeWith(raw, memo)
}

/**
 * Empties a page of rows once it is used. The statement's result (an `Exit` holding this
 * array) stays reachable from @effect/sql's span and scope bookkeeping until the next full
 * collection; a page left full was therefore promoted to the old generation whole (the
 * heap profiler put all 505 MB of a 1M replay's rows there), costing copying, major
 * collections and peak RSS. Emptied, only the array shell is kept.
 */
export const releaseRows = (rows: ReadonlyArray<EventRow>): void => {
  ;(rows as Array<EventRow>).length = 0
}

/** The position of a row that decoded (a fold's events do not carry it). */
export const rowPosition = (raw: EventRow): bigint => positionOf(raw)
/** The stream id of a row not yet decoded (for lookups; decoding checks it). */
export const rowStreamId = (raw: EventRow): string => String(raw[STREAM_ID])
/** The stream version of a row not yet decoded (for lookups; decoding checks it). */
export const rowVersion = (raw: EventRow): number => Number(raw[STREAM_VERSION])

/** Decodes one row; returns the error instead of throwing so page loops stay allocation-light. */
export const decodeEventRow = (raw: EventRow): RecordedEvent | CorruptEventError =>
  pageDecoder("callers")(raw)

/** Decodes a page of rows, failing on the first corrupt one (it names its position). */
export const decodeEventRows = (
  rows: ReadonlyArray<EventRow>
): Effect.Effect<ReadonlyArray<RecordedEvent>, CorruptEventError> =>
  Effect.suspend(() => {
    const out = new Array<RecordedEvent>(rows.length)
    const decode = pageDecoder("callers")
    for (let i = 0; i < rows.length; i++) {
      const r = decode(rows[i] as EventRow)
      if (r instanceof CorruptEventError) return Effect.fail(r)
      out[i] = r
    }
    releaseRows(rows)
    return Effect.succeed(out)
  })

/**
 * One page of the global order, not decoded: rows with position >= `from`, at most `limit`,
 * to be decoded by a `pageDecoder` for the same reader.
 */
export const readRows = (
  sql: SqlClient.SqlClient,
  from: bigint,
  limit: number,
  reader: Reader = "callers"
): Effect.Effect<ReadonlyArray<EventRow>, StoreError> =>
  sql`SELECT ${sql.literal(eventColumns(sql, reader))} FROM events WHERE position >= ${from} ORDER BY position LIMIT ${limit}`.values.pipe(
    safeIntegers,
    orStoreError("reading events")
  )

/** One page of the global order: events with position >= `from`, at most `limit`. */
export const readPage = (
  sql: SqlClient.SqlClient,
  from: bigint,
  limit: number
): Effect.Effect<ReadonlyArray<RecordedEvent>, StoreError | CorruptEventError> =>
  Effect.flatMap(readRows(sql, from, limit), decodeEventRows)

/** Integers come back as bigint, so positions beyond 2^53 keep every digit. */
export const safeIntegers = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.provideService(self, SqlClient.SafeIntegers, true)
