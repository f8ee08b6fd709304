/**
 * The raw baseline of the benchmark: the same SQL statements as the store, through
 * better-sqlite3 directly with cached prepared statements, and the same non-SQL work.
 */
import { decodeStoredEvent, type ExecutionId, encodeStoredEvent, type TradeEvent } from "@fill-tracker/domain"
import Database from "better-sqlite3"
import { orderIdsFollowedBy } from "../src/applyEvent.js"
import { applyEvent, type ExecutionRow, type RecordedEvent } from "../src/index.js"
import { eventHash } from "../src/internal/eventHash.js"
import { columns, fromColumns, toColumns } from "../src/internal/rowColumns.js"

/** The next link of a stream's hash chain, as `EventStore.append` computes it (metadata `{}`). */
export const chainLink = (
  link: string | null,
  streamId: string,
  version: number,
  stored: { readonly type: string; readonly version: number; readonly data: string },
  recordedAt: string
): string =>
  eventHash(link, {
    streamId,
    version,
    type: stored.type,
    schemaVersion: stored.version,
    payload: stored.data,
    metadata: "{}",
    recordedAt
  })

export const openRaw = (file: string) => {
  const db = new Database(file)
  db.pragma("journal_mode = WAL")
  db.pragma("busy_timeout = 5000")
  db.pragma("synchronous = NORMAL")
  db.pragma("foreign_keys = ON")
  return db
}

/**
 * `hashing: true` (the default) chains each event's hash as `EventStore.append` does (read
 * the stream's last hash after the claim, SHA-256 per event, the hash column written), so
 * the Effect/raw ratio is the Effect layer's cost alone; `false` leaves the column NULL, so
 * raw with against raw without is what the hash chain costs an append.
 */
export const rawAppender = (db: Database.Database, options: { readonly hashing?: boolean } = {}) => {
  const hashing = options.hashing ?? true
  const cache = new Map<string, Database.Statement>()
  const prep = (sql: string) => {
    let s = cache.get(sql)
    if (s === undefined) {
      s = db.prepare(sql).safeIntegers(true)
      cache.set(sql, s)
    }
    return s
  }
  const begin = db.prepare("BEGIN IMMEDIATE")
  const commit = db.prepare("COMMIT")
  const rollback = db.prepare("ROLLBACK")
  const colList = columns.join(", ")
  const upsert = prep(
    `INSERT INTO executions (${colList}) VALUES (${columns.map(() => "?").join(", ")}) ON CONFLICT (execution_id) DO UPDATE SET ${columns
      .filter((c) => c !== "execution_id")
      .map((c) => `${c} = excluded.${c}`)
      .join(", ")}`
  )
  const select = prep(`SELECT ${colList} FROM executions WHERE execution_id IN (?)`)
  return (streamId: ExecutionId, expected: number, events: ReadonlyArray<TradeEvent>) => {
    begin.run()
    try {
      const next = expected + events.length
      const claimed =
        expected === 0
          ? prep(
              "INSERT INTO streams (stream_id, version) VALUES (?, ?) ON CONFLICT (stream_id) DO NOTHING RETURNING version"
            ).all(streamId, next)
          : prep("UPDATE streams SET version = ? WHERE stream_id = ? AND version = ? RETURNING version").all(
              next,
              streamId,
              expected
            )
      if (claimed.length === 0) throw new Error("conflict")
      // EventStore.append refuses an order id another stream follows (OrderAlreadyFollowed).
      const followed = events.flatMap(orderIdsFollowedBy)
      if (
        followed.length > 0 &&
        prep(
          `SELECT order_id, execution_id FROM execution_orders WHERE order_id IN (${followed.map(() => "?").join(", ")}) AND execution_id <> ? ORDER BY order_id, execution_id`
        ).get(...followed, streamId) !== undefined
      )
        throw new Error("order already followed")
      const recordedAt = new Date()
      const at = recordedAt.toISOString()
      const params: Array<unknown> = []
      let link: string | null = null
      if (hashing && expected > 0) {
        const last = prep("SELECT hash FROM events WHERE stream_id = ? AND stream_version = ?").get(
          streamId,
          expected
        ) as { hash: string | null } | undefined
        link = last?.hash ?? null
      }
      events.forEach((e, i) => {
        const stored = encodeStoredEvent(e)
        const version = expected + i + 1
        if (hashing) link = chainLink(link, streamId, version, stored, at)
        params.push(
          streamId,
          version,
          stored.type,
          stored.version,
          stored.data,
          "{}",
          at,
          hashing ? link : null
        )
      })
      const inserted = prep(
        `INSERT INTO events (stream_id, stream_version, event_type, schema_version, payload, metadata, recorded_at, hash) VALUES ${events
          .map(() => "(?, ?, ?, ?, ?, ?, ?, ?)")
          .join(", ")} RETURNING position, stream_version`
      ).all(...params) as Array<{ position: bigint; stream_version: bigint }>
      const positions = new Map(inserted.map((r) => [Number(r.stream_version), r.position]))
      const found = expected === 0 ? [] : (select.all(streamId) as Array<Record<string, unknown>>)
      let row: ExecutionRow | undefined = found[0] === undefined ? undefined : fromColumns(found[0])
      const orderIds: Array<string> = []
      events.forEach((event, i) => {
        const version = expected + i + 1
        const rec: RecordedEvent = {
          position: positions.get(version) ?? 0n,
          streamId,
          version,
          event,
          metadata: {},
          recordedAt
        }
        row = applyEvent(row, rec)
        if (event.type === "Submitted") orderIds.push(event.orderId)
        if (event.type === "Replaced") orderIds.push(event.replacementOrderId)
      })
      if (row === undefined) throw new Error("projection")
      const cols = toColumns(row)
      upsert.run(...columns.map((c) => cols[c]))
      for (const o of orderIds)
        prep(
          "INSERT INTO execution_orders (order_id, execution_id) VALUES (?, ?) ON CONFLICT DO NOTHING"
        ).run(o, streamId)
      commit.run()
    } catch (e) {
      rollback.run()
      throw e
    }
  }
}

export const rawScan = (file: string) => {
  const db = openRaw(file)
  let n = 0
  const stmt = db
    .prepare(
      "SELECT position, stream_id, stream_version, event_type, schema_version, payload, metadata, recorded_at FROM events ORDER BY position"
    )
    .safeIntegers(true)
  for (const row of stmt.iterate() as Iterable<{ payload: string }>) {
    if (JSON.parse(row.payload) !== null) n++
  }
  db.close()
  return n
}

/** A raw scan that decodes every payload with the domain codec: what decoding costs, read as row objects. */
export const rawDecode = (file: string) => {
  const db = openRaw(file)
  let n = 0
  const stmt = db
    .prepare(
      "SELECT position, stream_id, stream_version, event_type, schema_version, payload FROM events ORDER BY position"
    )
    .safeIntegers(true)
  for (const row of stmt.iterate() as Iterable<{
    event_type: string
    schema_version: bigint
    payload: string
  }>) {
    if (decodeStoredEvent(row.event_type, Number(row.schema_version), row.payload)._tag === "Right") n++
  }
  db.close()
  return n
}
