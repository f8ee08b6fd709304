/**
 * Intent resolution: which order, if any, a placement intent (`PlacementRequested`) made.
 * The answer to the POST may be lost (a crash, a timeout, a 2xx without a usable
 * `Location`); the order is then found in the account's list, never by sending again.
 * Pure: the caller brings the list, which order ids are already followed, and the time.
 *
 * @since 0.4.0
 */
import * as D from "./Decimal.js"
import type { Failed, PlacementRequested, Submitted } from "./Events.js"
import type { Instant, OrderId } from "./ids.js"
import { matchesRequest } from "./requestMatch.js"
import type { SchwabOrder } from "./SchwabOrder.js"

/**
 * How long after `requestedAt` an intent is looked for before it ends as not placed: a
 * placement Schwab accepted is in the list within seconds, and a bot needs to hear "not
 * placed" soon enough to place again itself.
 *
 * @since 0.4.0
 * @category constants
 */
export const DEFAULT_INTENT_WINDOW_MS = 2 * 60_000

/**
 * How far before `requestedAt` a candidate's `enteredTime` may lie: Schwab's clock and
 * this host's differ by a little.
 *
 * @since 0.4.0
 * @category constants
 */
export const DEFAULT_INTENT_SKEW_MS = 5_000

/** @since 0.4.0 @category models */
export interface IntentSearch {
  /**
   * The orders of the intent's account listed now (nested ones flattened). Lists are per
   * account, so every order here is in the intent's account.
   */
  readonly listed: ReadonlyArray<SchwabOrder>
  /** Order ids some execution already follows (submitted or as a replacement): never chosen. */
  readonly followed: ReadonlySet<string>
  /** Default {@link DEFAULT_INTENT_WINDOW_MS}. */
  readonly windowMs?: number
  /** Default {@link DEFAULT_INTENT_SKEW_MS}. */
  readonly skewMs?: number
}

/**
 * `Found`: exactly one candidate; `submitted` is the event to record (its metadata should
 * say it was recovered). `NotYet`: none so far and the window is not over. `NotPlaced`:
 * none and the window is over. `Ambiguous`: several, named in id order; picking one could
 * follow another order's fills. The last two carry the `Failed` (without an order id) that
 * ends the intent.
 *
 * @since 0.4.0
 * @category models
 */
export type IntentResolution =
  | { readonly _tag: "Found"; readonly orderId: OrderId; readonly submitted: Submitted }
  | { readonly _tag: "NotYet" }
  | { readonly _tag: "NotPlaced"; readonly failed: Failed }
  | { readonly _tag: "Ambiguous"; readonly candidates: ReadonlyArray<OrderId>; readonly failed: Failed }

/** Order ids compare as numbers: digits of unequal length by length, then as text. */
const byOrderId = (a: OrderId, b: OrderId): number =>
  a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0

/**
 * The orders that could be what `intent` placed: entered from `skewMs` before its
 * `requestedAt` to `windowMs` after, the order the intent asked for (`matchesRequest`: its
 * one leg's symbol, instruction and quantity, its order type, limit, stop, duration and
 * session), not followed by any execution. Each id once, in id order.
 *
 * @since 0.4.0
 * @category decisions
 */
export const intentCandidates = (
  intent: PlacementRequested,
  search: IntentSearch
): ReadonlyArray<OrderId> => {
  const requested = Date.parse(intent.requestedAt)
  const from = requested - (search.skewMs ?? DEFAULT_INTENT_SKEW_MS)
  const to = requested + (search.windowMs ?? DEFAULT_INTENT_WINDOW_MS)
  const found = new Set<OrderId>()
  for (const o of search.listed) {
    if (o.orderId === undefined || search.followed.has(o.orderId) || o.enteredTime === undefined) continue
    const entered = Date.parse(o.enteredTime)
    if (entered < from || entered > to) continue
    if (matchesRequest(intent.order, o)) found.add(o.orderId)
  }
  return [...found].sort(byOrderId)
}

/**
 * What became of `intent`, from its account's list at `now`: one candidate is its order
 * (the `Submitted` keeps the intent's time and reference price); none waits until
 * `windowMs` after `requestedAt`, then the intent ends as not placed; several end it
 * naming each, since following the wrong one would count another order's fills.
 *
 * @since 0.4.0
 * @category decisions
 */
export const resolveIntent = (
  intent: PlacementRequested,
  search: IntentSearch,
  now: Instant
): IntentResolution => {
  const candidates = intentCandidates(intent, search)
  const [only] = candidates
  const failed = (reason: string, named: ReadonlyArray<OrderId>): Failed => ({
    type: "Failed",
    executionId: intent.executionId,
    reason,
    filledShares: D.zero,
    failedAt: now,
    legs: [],
    ...(named.length === 0 ? {} : { candidateOrderIds: named })
  })
  if (candidates.length === 1 && only !== undefined)
    return {
      _tag: "Found",
      orderId: only,
      submitted: {
        type: "Submitted",
        executionId: intent.executionId,
        orderId: only,
        accountHash: intent.accountHash,
        symbol: intent.order.symbol,
        shares: intent.order.shares,
        direction: intent.order.instruction,
        submittedAt: intent.requestedAt,
        ...(intent.referencePrice === undefined ? {} : { referencePrice: intent.referencePrice })
      }
    }
  if (candidates.length > 1)
    return {
      _tag: "Ambiguous",
      candidates,
      failed: failed(
        `not resolved: ${candidates.length} orders in the account match the placement (${candidates.join(", ")}); none is followed, to count no other order's fills`,
        candidates
      )
    }
  const windowMs = search.windowMs ?? DEFAULT_INTENT_WINDOW_MS
  if (Date.parse(now) <= Date.parse(intent.requestedAt) + windowMs) return { _tag: "NotYet" }
  return {
    _tag: "NotPlaced",
    failed: failed(
      `not placed: no order in the account with the same symbol, instruction, quantity, order type, prices and duration was entered within ${windowMs / 1000} s of the request`,
      []
    )
  }
}
