/**
 * Scripted order lifecycles: what happens to an order, at offsets from the time it
 * was entered. A lifecycle is a plan that sees the order (its quantity, symbol) and
 * a seeded random source, and returns steps; the order book turns the steps into
 * fixed fills with ids when the order is created, so the outcome never depends on
 * when or how often anyone looks.
 *
 * @since 0.1.0
 */
import { fromUnits, isWhole, toUnits } from "./DecimalText.js"
import type { Random } from "./Random.js"

/** Statuses an order can rest in before something final happens. @since 0.1.0 @category models */
export type OpenStatus =
  | "AWAITING_PARENT_ORDER"
  | "AWAITING_CONDITION"
  | "AWAITING_STOP_CONDITION"
  | "AWAITING_MANUAL_REVIEW"
  | "ACCEPTED"
  | "AWAITING_UR_OUT"
  | "PENDING_ACTIVATION"
  | "QUEUED"
  | "WORKING"
  | "NEW"
  | "AWAITING_RELEASE_TIME"
  | "PENDING_ACKNOWLEDGEMENT"
  | "PENDING_CANCEL"
  | "PENDING_REPLACE"

/** One execution leg of a fill. No `quantity` means "whatever remains". @since 0.1.0 @category models */
export interface Execution {
  readonly quantity?: string
  /** Decimal text, e.g. "150.25" or "22.7299"; rendered verbatim. */
  readonly price: string
}

/** @since 0.1.0 @category models */
export type Step =
  | { readonly kind: "status"; readonly atMs: number; readonly status: OpenStatus }
  /** One activity; each execution becomes one of its `executionLegs`. */
  | { readonly kind: "fill"; readonly atMs: number; readonly executions: ReadonlyArray<Execution> }
  | { readonly kind: "cancel"; readonly atMs: number }
  | { readonly kind: "reject"; readonly atMs: number; readonly description: string }
  | { readonly kind: "expire"; readonly atMs: number }
  /**
   * The order becomes REPLACED and a new order, following `then`, is entered at the same
   * instant. `named: false` leaves `replacingOrderCollection` out of the REPLACED body, as in
   * the real published REPLACED bodies (default: the sandbox's `namedReplacements`).
   */
  | {
      readonly kind: "replace"
      readonly atMs: number
      readonly then: Lifecycle
      readonly quantity?: string
      readonly named?: boolean
    }

/** What a lifecycle may look at. @since 0.1.0 @category models */
export interface LifecycleOrder {
  readonly symbol: string
  readonly quantity: string
  readonly instruction: string
  readonly orderType: string
  /** The limit, when there is one. */
  readonly price?: string
  /** The trigger of a STOP or STOP_LIMIT order. */
  readonly stopPrice?: string
}

/** @since 0.1.0 @category models */
export interface Lifecycle {
  readonly name: string
  readonly initialStatus: OpenStatus
  readonly plan: (order: LifecycleOrder, rng: Random) => ReadonlyArray<Step>
}

/** A lifecycle from fixed steps or a plan function. @since 0.1.0 @category constructors */
export const lifecycle = (
  name: string,
  steps: ReadonlyArray<Step> | ((order: LifecycleOrder, rng: Random) => ReadonlyArray<Step>),
  initialStatus: OpenStatus = "WORKING"
): Lifecycle => ({
  name,
  initialStatus,
  plan: typeof steps === "function" ? steps : () => steps
})

/**
 * A plausible execution price as decimal text: the limit when there is one, else a
 * seeded price that has four decimals about a third of the time (Schwab's `22.7299`).
 */
export const seededPrice = (order: LifecycleOrder, rng: Random): string => {
  if (order.price !== undefined) return order.price
  // A stop order trades once its trigger is reached: near the trigger.
  if (order.stopPrice !== undefined) return order.stopPrice
  const whole = rng.int(5, 480)
  return rng.chance(1 / 3)
    ? `${whole}.${String(rng.int(1, 9999)).padStart(4, "0")}`
    : `${whole}.${String(rng.int(0, 99)).padStart(2, "0")}`
}

/** Splits a quantity into `n` positive parts; whole shares stay whole while they can. */
export const splitQuantity = (quantity: string, n: number): ReadonlyArray<string> => {
  const total = toUnits(quantity)
  const unit = isWhole(quantity) ? toUnits("1") : 1n
  const parts = Math.max(1, Math.min(n, Number(total / unit)))
  const base = (total / unit / BigInt(parts)) * unit
  const out: Array<string> = []
  for (let i = 0; i < parts - 1; i++) out.push(fromUnits(base))
  out.push(fromUnits(total - base * BigInt(parts - 1)))
  return out
}

interface PriceOption {
  /** Decimal text; default from `seededPrice`. */
  readonly price?: string
}

/** The whole quantity in one fill. @since 0.1.0 @category builders */
export const immediateFill = (options: PriceOption & { readonly afterMs?: number } = {}): Lifecycle =>
  lifecycle("immediateFill", (order, rng) => [
    {
      kind: "fill",
      atMs: options.afterMs ?? 0,
      executions: [{ price: options.price ?? seededPrice(order, rng) }]
    }
  ])

/**
 * `n` separate fills (activities), `spacingMs` apart, the first at `firstAfterMs`;
 * prices wander a few cents around the first unless `prices` fixes them.
 */
export const fillsInLegs = (
  n: number,
  spacingMs: number,
  options: PriceOption & { readonly firstAfterMs?: number; readonly prices?: ReadonlyArray<string> } = {}
): Lifecycle =>
  lifecycle("fillsInLegs", (order, rng) => {
    const base = options.price ?? seededPrice(order, rng)
    return splitQuantity(order.quantity, n).map((quantity, i) => ({
      kind: "fill" as const,
      atMs: (options.firstAfterMs ?? 0) + i * spacingMs,
      executions: [{ quantity, price: options.prices?.[i] ?? nudge(base, i === 0 ? 0 : rng.int(-25, 25)) }]
    }))
  })

/** One fill activity carrying `n` execution legs at slightly different prices. @since 0.1.0 @category builders */
export const fillInOneActivity = (
  n: number,
  options: PriceOption & { readonly afterMs?: number } = {}
): Lifecycle =>
  lifecycle("fillInOneActivity", (order, rng) => {
    const base = options.price ?? seededPrice(order, rng)
    return [
      {
        kind: "fill",
        atMs: options.afterMs ?? 0,
        executions: splitQuantity(order.quantity, n).map((quantity, i) => ({
          quantity,
          price: i === 0 ? base : nudge(base, rng.int(-9, 9))
        }))
      }
    ]
  })

/** Part of the quantity fills (default half, rounded down), then the rest is canceled. @since 0.1.0 @category builders */
export const partialThenCancel = (
  options: PriceOption & {
    readonly quantity?: string
    readonly fillAfterMs?: number
    readonly cancelAfterMs?: number
  } = {}
): Lifecycle =>
  lifecycle("partialThenCancel", (order, rng) => {
    const quantity = options.quantity ?? splitQuantity(order.quantity, 2)[0] ?? order.quantity
    const fillAt = options.fillAfterMs ?? 0
    return [
      {
        kind: "fill",
        atMs: fillAt,
        executions: [{ quantity, price: options.price ?? seededPrice(order, rng) }]
      },
      { kind: "cancel", atMs: options.cancelAfterMs ?? fillAt + 60_000 }
    ]
  })

/** @since 0.1.0 @category builders */
export const reject = (description: string, options: { readonly afterMs?: number } = {}): Lifecycle =>
  lifecycle("reject", [{ kind: "reject", atMs: options.afterMs ?? 0, description }], "PENDING_ACTIVATION")

/** Works unfilled, then expires (default after one minute). @since 0.1.0 @category builders */
export const expire = (options: { readonly afterMs?: number } = {}): Lifecycle =>
  lifecycle("expire", [{ kind: "expire", atMs: options.afterMs ?? 60_000 }])

/**
 * Works, then is replaced by a new order (default after one second) that follows
 * `then`; `quantity` is the new order's, default the old one's; `named: false` makes the
 * REPLACED body name no replacement (see `Step`).
 */
export const replace = (
  then: Lifecycle,
  options: { readonly afterMs?: number; readonly quantity?: string; readonly named?: boolean } = {}
): Lifecycle =>
  lifecycle("replace", [
    {
      kind: "replace",
      atMs: options.afterMs ?? 1_000,
      then,
      ...(options.quantity === undefined ? {} : { quantity: options.quantity }),
      ...(options.named === undefined ? {} : { named: options.named })
    }
  ])

/** Rests forever in `status` (default WORKING) until someone cancels or replaces it. @since 0.1.0 @category builders */
export const working = (status: OpenStatus = "WORKING"): Lifecycle => lifecycle("working", [], status)

/** Moves a price by `cents` hundredths, in integers, keeping its number of decimals. */
const nudge = (price: string, cents: number): string => {
  const decimals = Math.max(2, price.split(".")[1]?.length ?? 0)
  const units = toUnits(price) + BigInt(cents) * toUnits("0.01")
  const floor = toUnits("0.01")
  const text = fromUnits(units < floor ? floor : units)
  const [whole, fraction = ""] = text.split(".")
  return `${whole}.${fraction.padEnd(decimals, "0")}`
}
