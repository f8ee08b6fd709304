/** The one-event-append workload shared by the benchmarks: a stream of five events (submit, three fills, filled). */
import type { TradeEvent } from "@fill-tracker/domain"
import { filled, legFilled, submitted } from "../test/support/events.js"

/** Stream `${prefix}-${s}`: Submitted, three LegFilled of 10 shares, Filled; appended one event at a time. */
export const singleEvents = (prefix: string, s: number): ReadonlyArray<TradeEvent> => {
  const name = `${prefix}-${s}`
  const order = String(5_000_000 + s)
  return [
    submitted(name, order, { shares: "30" }),
    legFilled(name, order, `${s}:0`, "10", "150.25", { legId: "1" }),
    legFilled(name, order, `${s}:1`, "10", "150.2501", { legId: "1" }),
    legFilled(name, order, `${s}:2`, "10", "150.26", { legId: "1" }),
    filled(name, order, { filledShares: "30" })
  ]
}
