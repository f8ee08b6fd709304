/** The one-event-append workload shared by the benchmarks: a stream of five events (submit, three fills, filled). */
import type { TradeEvent } from "@fill-tracker/domain"
import { filled, legFilled, submitted } from "../test/support/events.js"

/**
 * A number per prefix (FNV-1a, 5 digits), so each round's streams follow their own orders:
 * the store refuses an order id another stream already follows (OrderAlreadyFollowed).
 */
const prefixNumber = (prefix: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < prefix.length; i++) h = Math.imul(h ^ prefix.charCodeAt(i), 0x01000193) >>> 0
  return h % 100_000
}

/** Stream `${prefix}-${s}`: Submitted, three LegFilled of 10 shares, Filled; appended one event at a time. */
export const singleEvents = (prefix: string, s: number): ReadonlyArray<TradeEvent> => {
  const name = `${prefix}-${s}`
  const order = `${1 + prefixNumber(prefix)}${String(s).padStart(7, "0")}`
  return [
    submitted(name, order, { shares: "30" }),
    legFilled(name, order, `${s}:0`, "10", "150.25", { legId: "1" }),
    legFilled(name, order, `${s}:1`, "10", "150.2501", { legId: "1" }),
    legFilled(name, order, `${s}:2`, "10", "150.26", { legId: "1" }),
    filled(name, order, { filledShares: "30" })
  ]
}
