/**
 * Resolving an unconfirmed placement intent from Schwab's order list (the account's orders
 * entered since the request), never by sending again: the pure decision is the domain's
 * `resolveIntent`; this brings the list and which candidates other executions follow.
 */
import {
  DEFAULT_INTENT_SKEW_MS,
  flattenOrders,
  type Instant,
  type IntentResolution,
  intentCandidates,
  type OrderId,
  type PlacementRequested,
  resolveIntent,
  type SchwabOrder
} from "@fill-tracker/domain"
import type { SchwabClient as Client } from "@fill-tracker/schwab-client"
import type { EventStoreService, ExecutionsService, Fence } from "@fill-tracker/store"
import { Effect, Option } from "effect"

/** The orders of the intent's account entered from just before its request to `now`. */
export const listForIntent = (client: Client.SchwabClient, intent: PlacementRequested, now: Instant) =>
  Effect.map(
    client.listOrders(intent.accountHash, {
      from: new Date(Date.parse(intent.requestedAt) - DEFAULT_INTENT_SKEW_MS),
      to: new Date(Date.parse(now) + DEFAULT_INTENT_SKEW_MS)
    }),
    (list) => flattenOrders(list.orders)
  )

/** What became of `intent`, given its account's `listed` orders (candidates other executions follow are left out). */
export const resolveFromList = (
  executions: ExecutionsService,
  intent: PlacementRequested,
  listed: ReadonlyArray<SchwabOrder>,
  now: Instant,
  windowMs: number
) =>
  Effect.gen(function* () {
    const followed = new Set<string>()
    for (const id of intentCandidates(intent, { listed, followed, windowMs })) {
      const by = yield* executions.byOrderId(id as OrderId)
      if (Option.isSome(by) && by.value.executionId !== intent.executionId) followed.add(id)
    }
    return resolveIntent(intent, { listed, followed, windowMs }, now)
  })

/**
 * Records a resolution on the intent's stream at `version` (the intent's): `Submitted`
 * marked recovered, or the `Failed` that ends it; nothing while it is not yet decided.
 * A poller passes its lease as `fence` (and names itself in `metadata`).
 */
export const recordResolution = (
  store: EventStoreService,
  intent: PlacementRequested,
  version: number,
  resolution: IntentResolution,
  source: string,
  options: { readonly fence?: Fence; readonly metadata?: Record<string, unknown> } = {}
) => {
  if (resolution._tag === "NotYet") return Effect.void
  const events = [resolution._tag === "Found" ? resolution.submitted : resolution.failed]
  const metadata = {
    source,
    ...options.metadata,
    ...(resolution._tag === "Found" ? { recovered: true } : {})
  }
  return Effect.asVoid(
    options.fence === undefined
      ? store.append(intent.executionId, version, events, metadata)
      : store.append(intent.executionId, version, events, metadata, { fence: options.fence })
  )
}
