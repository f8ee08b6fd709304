/**
 * Reading rows of the events table back into `RecordedEvent`s: every payload goes through
 * the domain's `decodeStoredEvent`, and a row that does not decode is a `CorruptEventError`
 * naming its position, stream and version.
 */

import * as SqlClient from "@effect/sql/SqlClient"
import { decodeStoredEvent, ExecutionId } from "@fill-tracker/domain"
import * as Effect from "effect/Effect"
import { CorruptEventError, type StoreError } from "../errors.js"
import type { RecordedEvent } from "../RecordedEvent.js"
import { orStoreError } from "./sqlErrors.js"

export const eventColumns =
  "position, stream_id, stream_version, event_type, schema_version, payload, metadata, recorded_at"

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

/** Decodes one row; returns the error instead of throwing so page loops stay allocation-light. */
export const decodeEventRow = (raw: Readonly<Record<string, unknown>>): RecordedEvent | CorruptEventError => {
  const position = asBigInt(raw.position) ?? -1n
  const streamId = typeof raw.stream_id === "string" ? raw.stream_id : String(raw.stream_id)
  const version = Number(asBigInt(raw.stream_version) ?? -1n)
  const malformed = (detail: string) =>
    new CorruptEventError({ reason: "MalformedRow", position, streamId, version, detail })
  if (position < 0n || version < 1) return malformed("position or stream version is not an integer")
  if (!ExecutionId.is(streamId)) return malformed("stream id is not an execution id")
  const { event_type: type, payload, metadata, recorded_at: recordedAt } = raw
  const schemaVersion = asBigInt(raw.schema_version)
  if (typeof type !== "string" || typeof payload !== "string" || schemaVersion === undefined)
    return malformed("event type, schema version or payload has the wrong type")
  const decoded = decodeStoredEvent(type, Number(schemaVersion), payload)
  if (decoded._tag === "Left")
    return new CorruptEventError({
      reason: "UndecodablePayload",
      position,
      streamId,
      version,
      detail: decoded.left.message,
      cause: decoded.left
    })
  let meta: unknown
  try {
    meta = typeof metadata === "string" ? JSON.parse(metadata) : undefined
  } catch (cause) {
    return malformed(`metadata is not JSON: ${(cause as Error).message}`)
  }
  if (typeof meta !== "object" || meta === null || Array.isArray(meta))
    return malformed("metadata is not a JSON object")
  const at = typeof recordedAt === "string" ? new Date(recordedAt) : undefined
  if (at === undefined || Number.isNaN(at.getTime())) return malformed("recorded_at is not a time")
  return {
    position,
    streamId,
    version,
    event: decoded.right,
    metadata: meta as Record<string, unknown>,
    recordedAt: at
  }
}

/** Decodes a page of rows, failing on the first corrupt one (it names its position). */
export const decodeEventRows = (
  rows: ReadonlyArray<Readonly<Record<string, unknown>>>
): Effect.Effect<ReadonlyArray<RecordedEvent>, CorruptEventError> =>
  Effect.suspend(() => {
    const out = new Array<RecordedEvent>(rows.length)
    for (let i = 0; i < rows.length; i++) {
      const r = decodeEventRow(rows[i] as Readonly<Record<string, unknown>>)
      if (r instanceof CorruptEventError) return Effect.fail(r)
      out[i] = r
    }
    return Effect.succeed(out)
  })

/** One page of the global order: events with position >= `from`, at most `limit`. */
export const readPage = (
  sql: SqlClient.SqlClient,
  from: bigint,
  limit: number
): Effect.Effect<ReadonlyArray<RecordedEvent>, StoreError | CorruptEventError> =>
  sql<
    Record<string, unknown>
  >`SELECT ${sql.literal(eventColumns)} FROM events WHERE position >= ${from} ORDER BY position LIMIT ${limit}`.pipe(
    safeIntegers,
    orStoreError("reading events"),
    Effect.flatMap(decodeEventRows)
  )

/** Integers come back as bigint, so positions beyond 2^53 keep every digit. */
export const safeIntegers = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.provideService(self, SqlClient.SafeIntegers, true)
