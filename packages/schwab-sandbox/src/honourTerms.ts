/**
 * What an order's own terms do to its scripted future, as an exchange would: a limit is
 * never traded through (a buy never fills above its limit, a sell never below), a
 * FILL_OR_KILL order fills whole at once or not at all, an IMMEDIATE_OR_CANCEL order keeps
 * what fills at once and cancels the rest. A lifecycle (default or scripted) describes
 * the market; these rules are the order's, so every lifecycle obeys them.
 *
 * @since 0.5.0
 */
import { fromUnits, toUnits } from "./DecimalText.js"
import type { LifecycleOrder, Step } from "./Lifecycle.js"

/** The order's terms the rules read. @since 0.5.0 @category models */
export interface Terms extends LifecycleOrder {
  readonly duration: string
}

/** Buying instructions (a limit is a ceiling); the others sell (a limit is a floor). */
const BUYS = new Set(["BUY", "BUY_TO_COVER", "BUY_TO_OPEN", "BUY_TO_CLOSE"])

const hasLimit = (orderType: string): boolean => orderType === "LIMIT" || orderType === "STOP_LIMIT"

/** `price` moved to the limit when it is worse for the order's side. */
const atOrBetter = (terms: Terms, price: string): string => {
  if (!hasLimit(terms.orderType) || terms.price === undefined) return price
  const limit = toUnits(terms.price)
  const p = toUnits(price)
  const worse = BUYS.has(terms.instruction) ? p > limit : p < limit
  return worse ? fromUnits(limit) : price
}

/** Whether a fill step, as the first fill, takes the whole quantity. */
const fillsWhole = (terms: Terms, step: Extract<Step, { kind: "fill" }>): boolean => {
  if (step.executions.some((e) => e.quantity === undefined)) return true
  let sum = 0n
  for (const e of step.executions) sum += toUnits(e.quantity ?? "0")
  return sum >= toUnits(terms.quantity)
}

/**
 * `steps` (in time order) as the order's terms allow them. Only the first fill or ending
 * step matters to FILL_OR_KILL and IMMEDIATE_OR_CANCEL: either nothing rests past it.
 *
 * @since 0.5.0
 * @category lifecycles
 */
export const honourTerms = (terms: Terms, steps: ReadonlyArray<Step>): ReadonlyArray<Step> => {
  const priced = steps.map(
    (step): Step =>
      step.kind === "fill"
        ? { ...step, executions: step.executions.map((e) => ({ ...e, price: atOrBetter(terms, e.price) })) }
        : step
  )
  if (terms.duration !== "FILL_OR_KILL" && terms.duration !== "IMMEDIATE_OR_CANCEL") return priced
  const at = priced.findIndex((step) => step.kind !== "status")
  const first = priced[at]
  const cancel = (atMs: number): Step => ({ kind: "cancel", atMs })
  if (first === undefined) return [cancel(0)]
  if (first.kind === "cancel" || first.kind === "reject") return priced.slice(0, at + 1)
  if (first.kind !== "fill") return [cancel(first.atMs)]
  if (fillsWhole(terms, first)) return priced.slice(0, at + 1)
  return terms.duration === "FILL_OR_KILL"
    ? [cancel(first.atMs)]
    : [...priced.slice(0, at + 1), cancel(first.atMs)]
}
