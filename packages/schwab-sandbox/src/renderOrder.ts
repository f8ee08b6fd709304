/**
 * An order as Schwab's JSON at a given instant, with the noise real responses have:
 * activities out of time order, quantities as `3`, `3.0` or `"3"`, prices with up to
 * four decimals written from their decimal text. The noise is drawn from the
 * order's own seed on every render, so one order at one instant always renders to
 * the same text.
 *
 * @since 0.1.0
 */
import { withFraction } from "./DecimalText.js"
import { type JsonValue, raw } from "./JsonText.js"
import type { ActivityFact, BookOrder, OrderBook } from "./OrderBook.js"
import { hash32, makeRandom, type Random } from "./Random.js"

/** `2025-08-29T17:15:18+0000`, the shape Schwab writes its times in. @since 0.1.0 @category utils */
export const schwabTime = (epochMs: number): string => `${new Date(epochMs).toISOString().slice(0, 19)}+0000`

/** Stable per symbol, as a real instrument id would be. */
export const instrumentIdOf = (symbol: string): bigint =>
  1_000_000n + BigInt(hash32(`instrument/${symbol}`) % 9_000_000)

const cusipOf = (symbol: string): string => {
  const digits = String(hash32(`cusip/${symbol}`)).padStart(10, "0")
  return `${digits.slice(0, 6)}10${digits.slice(-1)}`
}

const quantity = (rng: Random, text: string): JsonValue => {
  const style = rng.next()
  if (style < 0.5) return raw(text)
  if (style < 0.85) return raw(withFraction(text))
  return text
}

const activityOrder = (rng: Random, activities: ReadonlyArray<ActivityFact>): ReadonlyArray<ActivityFact> => {
  const shuffled = [...activities]
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = rng.int(0, i)
    const a = shuffled[i] as ActivityFact
    shuffled[i] = shuffled[j] as ActivityFact
    shuffled[j] = a
  }
  // A shuffle can land in time order; real lists often are not, and a tracker that
  // trusts the last element must be caught every time, so never hand back time order.
  const inOrder = shuffled.every((activity, i) => activity === activities[i])
  return inOrder && shuffled.length > 1 ? shuffled.reverse() : shuffled
}

/** @since 0.1.0 @category rendering */
export const renderOrder = (book: OrderBook, order: BookOrder, now: number): JsonValue => {
  const state = book.stateAt(order, now)
  const rng = makeRandom(order.noiseSeed)
  const { spec } = order
  const instrumentId = instrumentIdOf(spec.symbol)
  const open =
    !state.entered || !["FILLED", "CANCELED", "REJECTED", "EXPIRED", "REPLACED"].includes(state.status)
  const destination = rng.pick(["CDRG", "SOHO", "VIRT", "ETMM"])
  const activities = activityOrder(rng, state.activities).map(
    (activity): JsonValue => ({
      activityType: "EXECUTION",
      activityId: activity.activityId,
      executionType: activity.executionType,
      quantity: quantity(rng, activity.quantity),
      orderRemainingQuantity: quantity(rng, activity.orderRemainingQuantity),
      executionLegs: activity.executions.map(
        (execution): JsonValue => ({
          legId: 1,
          quantity: quantity(rng, execution.quantity),
          mismarkedQuantity: quantity(rng, "0"),
          price: raw(withFraction(execution.price)),
          time: schwabTime(activity.at),
          instrumentId
        })
      )
    })
  )
  const replacement =
    state.replacedBy === undefined || state.replacementNamed === false
      ? undefined
      : book.get(state.replacedBy)
  return {
    session: spec.session,
    duration: spec.duration,
    orderType: spec.orderType,
    complexOrderStrategyType: spec.complexOrderStrategyType,
    quantity: quantity(rng, spec.quantity),
    filledQuantity: quantity(rng, state.filledQuantity),
    remainingQuantity: quantity(rng, state.remainingQuantity),
    requestedDestination: "AUTO",
    destinationLinkName: destination,
    price: spec.price === undefined ? undefined : raw(withFraction(spec.price)),
    stopPrice: spec.stopPrice === undefined ? undefined : raw(withFraction(spec.stopPrice)),
    orderLegCollection: [
      {
        orderLegType: spec.assetType,
        legId: 1,
        instrument: {
          assetType: spec.assetType,
          cusip: cusipOf(spec.symbol),
          symbol: spec.symbol,
          instrumentId
        },
        instruction: spec.instruction,
        positionEffect: spec.instruction.startsWith("SELL") ? "CLOSING" : "OPENING",
        quantity: quantity(rng, spec.quantity)
      }
    ],
    orderStrategyType: spec.orderStrategyType,
    orderId: order.orderId,
    cancelable: open,
    editable: open,
    status: state.status,
    enteredTime: schwabTime(order.enteredAt),
    closeTime: state.closeAt === undefined ? undefined : schwabTime(state.closeAt),
    tag: "API_TDAM:SANDBOX",
    accountNumber: raw(order.account.accountNumber.replace(/^0+(?=\d)/, "")),
    statusDescription: state.statusDescription,
    orderActivityCollection: activities.length === 0 ? undefined : activities,
    replacingOrderCollection: replacement === undefined ? undefined : [renderOrder(book, replacement, now)]
  }
}
