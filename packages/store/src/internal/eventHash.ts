/**
 * The hash chain over each stream's events: an event's hash covers its stored row (stream
 * id, version, type, schema version, payload, metadata, recorded-at) and the hash of the
 * stream's previous event, so editing, dropping or reordering an event breaks the link of
 * that event (and an edit whose own hash is recomputed breaks the next one's).
 *
 * The global position is left out on purpose: it is assigned by the database during the
 * insert, and including it would cost a second statement per append. Positions are checked
 * by `Ledger.check` on their own (increasing with each stream's versions).
 *
 * Fields are length-prefixed (`<length>:<text>`), so no field's text can move into another.
 * SHA-256 from `node:crypto` (no keyed secret: this detects edits by hand or by a bug, not
 * an attacker who rewrites the whole chain; see the store README).
 */
import { createHash } from "node:crypto"

/** The stored text of one event row, as the hash reads it. */
export interface HashedRow {
  readonly streamId: string
  readonly version: number
  readonly type: string
  readonly schemaVersion: number
  readonly payload: string
  readonly metadata: string
  readonly recordedAt: string
}

const field = (text: string): string => `${text.length}:${text}`

/** The hash of an event after `previous` (null for a stream's first event), as lowercase hex. */
export const eventHash = (previous: string | null, row: HashedRow): string =>
  createHash("sha256")
    .update(
      field(previous ?? "") +
        field(row.streamId) +
        field(String(row.version)) +
        field(row.type) +
        field(String(row.schemaVersion)) +
        field(row.payload) +
        field(row.metadata) +
        field(row.recordedAt)
    )
    .digest("hex")
