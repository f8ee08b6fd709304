/**
 * Checking the ledger itself: the events, not the read model (`Replay.verify` compares
 * that). `check` reads every event in global order, in pages, and reports each finding with
 * its stream, version and position (see `internal/streamAudit.ts` for the rules): versions
 * contiguous from 1, the stream's first event, the payload's execution, fill keys unique per
 * order, Filled/Failed totals equal to the fills exactly, the hash chain, every row decoding;
 * and each stream's version in the `streams` table against its stored events.
 *
 * The streams table is read before the events: an append commits its events with its
 * version, so every version read then has its events stored, and appends that commit during
 * the check only add events the pages may see (never a false finding).
 *
 * @since 0.3.0
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { CorruptEventError, type StoreError } from "./errors.js"
import { asBigInt, decodeEventRow, type EventRow, eventColumns, safeIntegers } from "./internal/eventRows.js"
import { orStoreError } from "./internal/sqlErrors.js"
import { auditRow, type Finding, freshAudit, type StreamAudit } from "./internal/streamAudit.js"

export type { Finding, FindingKind } from "./internal/streamAudit.js"

/** @since 0.3.0 @category models */
export interface LedgerReport {
  readonly events: number
  readonly streams: number
  /** Every finding up to `maxFindings`, in global position order (stream-level ones last). */
  readonly findings: ReadonlyArray<Finding>
  /** All findings, including those past `maxFindings`. */
  readonly findingCount: number
  /** The first `BrokenLink` or `MissingHash` by position: where the hash chain first breaks. */
  readonly firstBrokenLink: Finding | undefined
}

/** @since 0.3.0 @category models */
export interface LedgerOptions {
  /** Events read per page (default 2000). */
  readonly pageSize?: number
  /** Findings kept in the report (default 1000); the rest are only counted. */
  readonly maxFindings?: number
}

/** @since 0.3.0 @category models */
export interface LedgerService {
  /** Checks every stored event; the report is empty of findings when the ledger is sound. */
  readonly check: (options?: LedgerOptions) => Effect.Effect<LedgerReport, StoreError>
}

/** @since 0.3.0 @category tags */
export class Ledger extends Context.Tag("@fill-tracker/store/Ledger")<Ledger, LedgerService>() {}

const HASH = 8
const text = (v: unknown): string => (typeof v === "string" ? v : String(v))

/** @since 0.3.0 @category constructors */
export const make: Effect.Effect<LedgerService, never, SqlClient.SqlClient> = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const columns = `${eventColumns(sql)}, hash`

  const check = (options?: LedgerOptions): Effect.Effect<LedgerReport, StoreError> =>
    Effect.gen(function* () {
      const pageSize = Math.max(1, options?.pageSize ?? 2_000)
      const maxFindings = Math.max(0, options?.maxFindings ?? 1_000)
      const findings: Array<Finding> = []
      let findingCount = 0
      let firstBrokenLink: Finding | undefined
      const report = (found: ReadonlyArray<Finding>) => {
        for (const f of found) {
          findingCount += 1
          if (findings.length < maxFindings) findings.push(f)
          if (firstBrokenLink === undefined && (f.kind === "BrokenLink" || f.kind === "MissingHash"))
            firstBrokenLink = f
        }
      }
      const declared = new Map<string, number>()
      for (const row of yield* sql<{
        stream_id: string
        version: unknown
      }>`SELECT stream_id, version FROM streams`)
        declared.set(row.stream_id, Number(row.version))
      const audits = new Map<string, StreamAudit>()
      let events = 0
      let from = 0n
      for (;;) {
        const rows =
          yield* sql<EventRow>`SELECT ${sql.literal(columns)} FROM events WHERE position >= ${from} ORDER BY position LIMIT ${pageSize}`.values.pipe(
            safeIntegers
          )
        for (const raw of rows) {
          events += 1
          const decoded = decodeEventRow(raw)
          const position = asBigInt(raw[0]) ?? -1n
          const streamId = text(raw[1])
          const version = Number(raw[2])
          if (decoded instanceof CorruptEventError)
            report([{ kind: "Undecodable", position, streamId, version, detail: decoded.detail }])
          let audit = audits.get(streamId)
          if (audit === undefined) {
            audit = freshAudit()
            audits.set(streamId, audit)
          }
          const hash = raw[HASH]
          report(
            auditRow(audit, {
              position,
              streamId,
              version,
              type: text(raw[3]),
              schemaVersion: Number(raw[4]),
              payload: text(raw[5]),
              metadata: text(raw[6]),
              recordedAt: text(raw[7]),
              hash: typeof hash === "string" ? hash : null,
              event: decoded instanceof CorruptEventError ? undefined : decoded.event
            })
          )
        }
        const last = rows.at(-1)
        if (rows.length < pageSize || last === undefined) break
        from = (asBigInt(last[0]) ?? from) + 1n
      }
      for (const [streamId, version] of declared) {
        const audit = audits.get(streamId)
        const stored = audit?.version ?? 0
        if (stored < version)
          report([
            {
              kind: "MissingEvents",
              position: audit?.position ?? 0n,
              streamId,
              version: stored,
              detail: `the stream is at version ${version}, its stored events end at version ${stored}`
            }
          ])
      }
      return { events, streams: audits.size, findings, findingCount, firstBrokenLink }
    }).pipe(safeIntegers, orStoreError("checking the ledger"))

  return { check }
})

/** @since 0.3.0 @category layers */
export const layer: Layer.Layer<Ledger, never, SqlClient.SqlClient> = Layer.effect(Ledger, make)
