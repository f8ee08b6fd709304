/**
 * The checks `Ledger.check` makes on each stream's events, one event at a time in global
 * order: pure (no SQL), so every rule is tested on plain rows. What is kept per stream is
 * bounded by its fills' keys and one running total per order leg, never its events.
 */
import { Decimal as D, type Failed, type Filled, type TradeEvent, UNASSIGNED_LEG } from "@fill-tracker/domain"
import { eventHash, type HashedRow } from "./eventHash.js"

/**
 * What a finding is about. `Undecodable`: the row or its payload does not decode;
 * `VersionGap`: versions skip (an event is missing); `VersionOrder`: a version repeats or
 * comes after a higher one in global position order; `BadStart`: the first event is not one
 * a stream may start with; `WrongStream`: the payload names another execution;
 * `DuplicateFillKey`: a fill key seen before for the same order; `TotalMismatch`: a
 * Filled/Failed total differs from the stream's fills; `MissingHash` / `BrokenLink`: the
 * hash chain; `MissingEvents`: the streams table says the stream has more events than stored.
 *
 * @since 0.3.0
 * @category models
 */
export type FindingKind =
  | "Undecodable"
  | "VersionGap"
  | "VersionOrder"
  | "BadStart"
  | "WrongStream"
  | "DuplicateFillKey"
  | "TotalMismatch"
  | "MissingHash"
  | "BrokenLink"
  | "MissingEvents"

/** One thing wrong in the events, with where it is. @since 0.3.0 @category models */
export interface Finding {
  readonly kind: FindingKind
  /** Global position of the event (for `MissingEvents`: the stream's last stored event, 0 if none). */
  readonly position: bigint
  readonly streamId: string
  readonly version: number
  readonly detail: string
}

/**
 * Event types a stream may start with: `Submitted` (recorded after the bot placed it) or
 * `PlacementRequested` (the tracker's intent, recorded before its POST; a Pending stream may
 * hold nothing else, and one that found no order ends with a `Failed` without an order id).
 */
export const streamStarts: ReadonlySet<string> = new Set(["Submitted", "PlacementRequested"])

interface LegTotal {
  quantity: D.Decimal
  notional: D.Decimal
}

/** What is kept of one stream between its events. */
export interface StreamAudit {
  version: number
  position: bigint
  hash: string | null
  /** `orderId NUL fillKey` of every fill so far. */
  readonly keys: Set<string>
  /** Fill totals by the leg id a fill names (`UNASSIGNED_LEG` when it names none). */
  readonly legs: Map<string, LegTotal>
}

export const freshAudit = (): StreamAudit => ({
  version: 0,
  position: 0n,
  hash: null,
  keys: new Set(),
  legs: new Map()
})

/** A stored row as the audit reads it: its hashed text, stored hash and decoded event (if it decoded). */
export interface AuditedRow extends HashedRow {
  readonly position: bigint
  readonly hash: string | null
  readonly event: TradeEvent | undefined
}

const sumOf = (totals: Iterable<LegTotal>): LegTotal => {
  let quantity = D.zero
  let notional = D.zero
  for (const t of totals) {
    quantity = D.add(quantity, t.quantity)
    notional = D.add(notional, t.notional)
  }
  return { quantity, notional }
}

/** Buying a leg is a debit, selling it a credit (the domain's rule for a multi-leg net). */
const legSign = (instruction: string | undefined): bigint =>
  instruction?.startsWith("SELL") === true ? -1n : 1n

/**
 * Differences between a Filled/Failed event's totals and the fills before it, exactly.
 * - Per leg: each summary's quantity and notional equal its leg's fills (for one summary,
 *   every fill of the stream: a single-leg order's fills all land on its one leg), and the
 *   summaries together cover every fill.
 * - Top level: a single-leg order's shares and notional are its fills'; a multi-leg order's
 *   notional is the signed net of its legs (its shares are spread units, which the fills do
 *   not determine alone). Either reading must hold. The average and cents must be the
 *   notional over the shares, by the domain's one rounding rule.
 */
export const totalMismatches = (event: Filled | Failed, audit: StreamAudit): ReadonlyArray<string> => {
  const out: Array<string> = []
  const all = sumOf(audit.legs.values())
  const fmt = D.format
  if (event.legs.length === 1) {
    const leg = event.legs[0]
    if (
      leg !== undefined &&
      (!D.equals(leg.filledQuantity, all.quantity) || !D.equals(leg.notional, all.notional))
    )
      out.push(
        `leg ${leg.legId} says ${fmt(leg.filledQuantity)} for ${fmt(leg.notional)}, its fills make ${fmt(all.quantity)} for ${fmt(all.notional)}`
      )
  } else if (event.legs.length > 1) {
    for (const leg of event.legs) {
      const fills = audit.legs.get(leg.legId) ?? { quantity: D.zero, notional: D.zero }
      if (!D.equals(leg.filledQuantity, fills.quantity) || !D.equals(leg.notional, fills.notional))
        out.push(
          `leg ${leg.legId} says ${fmt(leg.filledQuantity)} for ${fmt(leg.notional)}, its fills make ${fmt(fills.quantity)} for ${fmt(fills.notional)}`
        )
    }
    const covered = sumOf(event.legs.map((l) => ({ quantity: l.filledQuantity, notional: l.notional })))
    if (!D.equals(covered.quantity, all.quantity))
      out.push(`the legs cover ${fmt(covered.quantity)} of the ${fmt(all.quantity)} filled`)
  } else if (!D.isZero(all.quantity)) out.push(`no leg totals, but ${fmt(all.quantity)} filled`)
  const notional = event.notional
  const singleLeg =
    event.legs.length <= 1 &&
    D.equals(event.filledShares, all.quantity) &&
    (notional === undefined ? D.isZero(all.quantity) : D.equals(notional, all.notional))
  const net = D.sum(event.legs.map((l) => D.mul(D.fromBigInt(legSign(l.instruction)), l.notional)))
  // A multi-leg order with one leg filled lists that one leg, 0 complete units and no notional.
  const multiLeg =
    event.legs.length >= 1 &&
    (notional === undefined ? D.isZero(event.filledShares) : D.equals(notional, net))
  if (!singleLeg && !multiLeg)
    out.push(
      `${event.type} says ${fmt(event.filledShares)} for ${notional === undefined ? "no notional" : fmt(notional)}, the fills make ${fmt(all.quantity)} for ${fmt(all.notional)}`
    )
  if (notional !== undefined && !D.isZero(event.filledShares)) {
    const average = D.quotient(notional, event.filledShares)
    const cents = D.centsOfRatio(notional, event.filledShares)
    if (event.averagePrice !== undefined && (average === undefined || !D.equals(average, event.averagePrice)))
      out.push(`average ${fmt(event.averagePrice)} is not ${fmt(notional)} / ${fmt(event.filledShares)}`)
    if (event.priceCents !== undefined && cents !== event.priceCents)
      out.push(`${event.priceCents} cents is not ${fmt(notional)} / ${fmt(event.filledShares)} in cents`)
  }
  return out
}

/**
 * Checks one row against its stream's audit so far and moves the audit on. A row that did
 * not decode still moves the version and the hash chain (its own finding is the caller's).
 */
export const auditRow = (audit: StreamAudit, row: AuditedRow): ReadonlyArray<Finding> => {
  const out: Array<Finding> = []
  const at = (kind: FindingKind, detail: string): void => {
    out.push({ kind, position: row.position, streamId: row.streamId, version: row.version, detail })
  }
  if (row.version <= audit.version)
    at(
      "VersionOrder",
      `version ${row.version} comes after version ${audit.version} (position ${audit.position})`
    )
  else if (row.version !== audit.version + 1)
    at(
      "VersionGap",
      `version ${row.version} follows version ${audit.version}: ${row.version - audit.version - 1} missing`
    )
  if (row.hash === null) at("MissingHash", "the event has no hash")
  else if (row.hash !== eventHash(audit.hash, row))
    at(
      "BrokenLink",
      audit.version === 0
        ? "the hash does not match the event (as the stream's first)"
        : `the hash does not match the event chained to version ${audit.version} (position ${audit.position})`
    )
  audit.version = Math.max(audit.version, row.version)
  audit.position = row.position
  audit.hash = row.hash
  const event = row.event
  if (event === undefined) return out
  if (row.version === 1 && !streamStarts.has(event.type))
    at("BadStart", `the stream starts with ${event.type}, not ${[...streamStarts].join(" or ")}`)
  const named = (event as { readonly executionId?: string }).executionId
  if (named !== undefined && named !== row.streamId) at("WrongStream", `the payload names execution ${named}`)
  switch (event.type) {
    case "LegFilled": {
      const key = `${event.orderId}\u0000${event.fillKey}`
      if (audit.keys.has(key)) {
        at("DuplicateFillKey", `fill key ${event.fillKey} of order ${event.orderId} was recorded before`)
        break
      }
      audit.keys.add(key)
      const leg = event.legId ?? UNASSIGNED_LEG
      const total = audit.legs.get(leg) ?? { quantity: D.zero, notional: D.zero }
      audit.legs.set(leg, {
        quantity: D.add(total.quantity, event.quantity),
        notional: D.add(total.notional, D.mul(event.quantity, event.price))
      })
      break
    }
    case "Filled":
    case "Failed":
      for (const detail of totalMismatches(event, audit)) at("TotalMismatch", detail)
      break
    default:
      break
  }
  return out
}
