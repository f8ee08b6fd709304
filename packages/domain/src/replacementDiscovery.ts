/**
 * Replacement discovery: the replacement of a REPLACED order whose snapshot names none.
 * Real published REPLACED bodies carry no `replacingOrderCollection`, yet the replacement
 * sits in the very same account's order list, entered when the original closed. Pure: the
 * caller brings the list, which order ids are already followed, and the time.
 *
 * @since 0.1.0
 */
import type { Instant, OrderId } from "./ids.js"
import type { OrderLeg, SchwabOrder } from "./SchwabOrder.js"

/** How far a candidate's `enteredTime` may lie from the original's `closeTime`, either way. @since 0.1.0 @category constants */
export const DEFAULT_REPLACEMENT_TOLERANCE_MS = 5_000

/** How long after the original's `closeTime` the search goes on before it fails. @since 0.1.0 @category constants */
export const DEFAULT_REPLACEMENT_SEARCH_MS = 5 * 60_000

/** @since 0.1.0 @category models */
export interface ReplacementSearch {
  /**
   * The orders of the original's account listed now (nested ones flattened). Lists are per
   * account, so every order here is in the same account as the original.
   */
  readonly listed: ReadonlyArray<SchwabOrder>
  /** Order ids some execution already follows (submitted or as a replacement): never chosen. */
  readonly followed: ReadonlySet<string>
  /** Default {@link DEFAULT_REPLACEMENT_TOLERANCE_MS}. */
  readonly toleranceMs?: number
  /** Default {@link DEFAULT_REPLACEMENT_SEARCH_MS}. */
  readonly searchMs?: number
}

/**
 * `Found`: exactly one candidate. `NotYet`: none so far and the search time is not over
 * (look again next cycle). `NoneFound`: none and the time is over, or the snapshot has no
 * `closeTime` to search by. `Ambiguous`: several, named in id order.
 *
 * @since 0.1.0
 * @category models
 */
export type ReplacementDiscovery =
  | { readonly _tag: "Found"; readonly replacementOrderId: OrderId }
  | { readonly _tag: "NotYet" }
  | { readonly _tag: "NoneFound"; readonly reason: string }
  | { readonly _tag: "Ambiguous"; readonly candidates: ReadonlyArray<OrderId> }

/** Instrument and instruction of a leg, or undefined when the snapshot omits either. */
const legKey = (leg: OrderLeg): string | undefined => {
  const instrument = leg.symbol ?? leg.instrumentId
  return instrument === undefined || leg.instruction === undefined
    ? undefined
    : `${instrument}\u0000${leg.instruction}`
}

/** The legs as a sorted list of keys; undefined when any leg cannot be compared. */
const legKeys = (order: SchwabOrder): ReadonlyArray<string> | undefined => {
  const keys = order.legs.map(legKey)
  if (keys.length === 0 || keys.some((k) => k === undefined)) return undefined
  return (keys as Array<string>).sort()
}

/** Same instrument and instruction on every leg (as many legs, matched whatever their order). */
const sameLegs = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean =>
  a.length === b.length && a.every((k, i) => k === b[i])

/** Order ids compare as numbers: digits of unequal length by length, then as text. */
const byOrderId = (a: OrderId, b: OrderId): number =>
  a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0

/**
 * The orders that could be `original`'s replacement: entered within the tolerance of its
 * `closeTime`, the same instrument and instruction on every leg, not the original, not
 * followed by any execution. Each id once, in id order.
 *
 * @since 0.1.0
 * @category decisions
 */
export const replacementCandidates = (
  original: SchwabOrder,
  search: ReplacementSearch
): ReadonlyArray<OrderId> => {
  const closed = original.closeTime === undefined ? Number.NaN : Date.parse(original.closeTime)
  const wanted = legKeys(original)
  if (Number.isNaN(closed) || wanted === undefined) return []
  const tolerance = search.toleranceMs ?? DEFAULT_REPLACEMENT_TOLERANCE_MS
  const found = new Set<OrderId>()
  for (const o of search.listed) {
    if (o.orderId === undefined || o.orderId === original.orderId || search.followed.has(o.orderId)) continue
    if (o.enteredTime === undefined || Math.abs(Date.parse(o.enteredTime) - closed) > tolerance) continue
    const keys = legKeys(o)
    if (keys !== undefined && sameLegs(keys, wanted)) found.add(o.orderId)
  }
  return [...found].sort(byOrderId)
}

/**
 * The replacement of `original` (a REPLACED snapshot naming none), looked for in the
 * account's list: one candidate is it; none waits until `searchMs` after the original's
 * `closeTime` (by `now`), then gives up; several fail, since picking one could follow the
 * wrong order's fills.
 *
 * @since 0.1.0
 * @category decisions
 */
export const discoverReplacement = (
  original: SchwabOrder,
  search: ReplacementSearch,
  now: Instant
): ReplacementDiscovery => {
  if (original.closeTime === undefined)
    return { _tag: "NoneFound", reason: "the snapshot has no closeTime to find its replacement by" }
  if (legKeys(original) === undefined)
    return {
      _tag: "NoneFound",
      reason: "the snapshot's legs do not all name an instrument and an instruction to match a replacement by"
    }
  const candidates = replacementCandidates(original, search)
  const [only] = candidates
  if (candidates.length === 1 && only !== undefined) return { _tag: "Found", replacementOrderId: only }
  if (candidates.length > 1) return { _tag: "Ambiguous", candidates }
  const searchMs = search.searchMs ?? DEFAULT_REPLACEMENT_SEARCH_MS
  if (Date.parse(now) <= Date.parse(original.closeTime) + searchMs) return { _tag: "NotYet" }
  const tolerance = search.toleranceMs ?? DEFAULT_REPLACEMENT_TOLERANCE_MS
  return {
    _tag: "NoneFound",
    reason:
      `no order in the account entered within ${tolerance / 1000} s of its closeTime with the same ` +
      `instrument and instruction on every leg, looked for until ${searchMs / 1000} s after it closed`
  }
}
