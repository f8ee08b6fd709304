/** fast-check arbitraries of valid execution histories, built from the domain codecs. */
import type { TradeEvent } from "@fill-tracker/domain"
import * as fc from "fast-check"
import {
  cancelRequested,
  failed,
  filled,
  flagged,
  legFilled,
  placementRequested,
  replaced,
  replaceRequested,
  requestLapsed,
  submitted,
  unplaced
} from "./events.js"

export const numRuns = (fallback: number): number => {
  const n = Number(process.env.FC_NUM_RUNS)
  return Number.isInteger(n) && n > 0 ? n : fallback
}

const price = fc.integer({ min: 1, max: 5_000_000 }).map((n) => {
  const text = String(n).padStart(5, "0")
  return `${text.slice(0, -4)}.${text.slice(-4)}`
})
const quantity = fc.oneof(fc.integer({ min: 1, max: 50 }).map(String), fc.constant("0.5"))

type Step =
  | {
      readonly kind: "fill"
      readonly quantity: string
      readonly price: string
      readonly leg: string | undefined
    }
  | { readonly kind: "replace" }
  | { readonly kind: "flag" }
  | { readonly kind: "ask"; readonly what: "replace" | "cancel" }
  | { readonly kind: "lapse"; readonly what: "Replace" | "Cancel" }

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("fill" as const),
      quantity,
      price,
      leg: fc.constantFrom(undefined, "1", "1", "2")
    })
  },
  { weight: 1, arbitrary: fc.constant({ kind: "replace" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "flag" as const }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("ask" as const), what: fc.constantFrom("replace", "cancel") })
  },
  {
    weight: 1,
    // Names the request of that kind (or none is open: then it must change nothing).
    arbitrary: fc.record({ kind: fc.constant("lapse" as const), what: fc.constantFrom("Replace", "Cancel") })
  }
)

/**
 * How the stream starts: a recorded submission, or the tracker's intent then its submission,
 * an intent still pending, or one that found no order or several (those end there; the
 * steps after them are events that must not change the row).
 */
const start = fc.constantFrom("submitted", "submitted", "intent", "pending", "notPlaced", "ambiguous")

const ending = fc.constantFrom("none", "filled", "CANCELED", "REJECTED", "EXPIRED", "REPLACED", "WEIRD")

/** One execution's events: Submitted, fills/replacements/flags, maybe an outcome, maybe a late flag or fill. */
export const history = (name: string, orderBase: number): fc.Arbitrary<ReadonlyArray<TradeEvent>> =>
  fc
    .record({
      shares: fc.integer({ min: 1, max: 500 }),
      symbol: fc.constantFrom("AAPL", "MSFT", "BRK.B"),
      direction: fc.constantFrom("BUY", "SELL", "SELL_SHORT", "BUY_TO_COVER"),
      begin: start,
      steps: fc.array(step, { maxLength: 6 }),
      ending,
      late: fc.array(step, { maxLength: 2 })
    })
    .map(({ shares, symbol, direction, begin, steps, ending, late }) => {
      let orderNo = orderBase
      let order = String(orderNo)
      let fills = 0
      const o = { symbol, shares: String(shares), direction }
      const intent = placementRequested(name, o)
      const events: Array<TradeEvent> =
        begin === "submitted"
          ? [submitted(name, order, o)]
          : begin === "intent"
            ? [intent, submitted(name, order, o)]
            : begin === "pending"
              ? [intent]
              : [intent, unplaced(name, begin === "ambiguous" ? [order, String(orderNo + 700)] : [])]
      const apply = (s: Step) => {
        if (s.kind === "fill") {
          fills += 1
          events.push(
            legFilled(
              name,
              order,
              `f${fills}`,
              s.quantity,
              s.price,
              s.leg === undefined ? {} : { legId: s.leg }
            )
          )
        } else if (s.kind === "replace") {
          orderNo += 1
          events.push(replaced(name, order, String(orderNo)))
          order = String(orderNo)
        } else if (s.kind === "ask")
          events.push(s.what === "replace" ? replaceRequested(name, order) : cancelRequested(name, order))
        else if (s.kind === "lapse") events.push(requestLapsed(name, order, s.what))
        else events.push(flagged(name, order))
      }
      steps.forEach(apply)
      // An intent without an order takes nothing more that matters; later events are noise.
      if (begin === "pending" || begin === "notPlaced" || begin === "ambiguous") return events
      if (ending === "filled") events.push(filled(name, order, { filledShares: String(shares) }))
      else if (ending === "REPLACED")
        events.push(failed(name, order, "REPLACED", { replacementOrderId: String(orderNo + 500) }))
      else if (ending !== "none") events.push(failed(name, order, ending, { filledShares: "0" }))
      if (ending !== "none") late.forEach(apply)
      return events
    })

/** Several histories cut into append batches, plus an interleaving of the batches across streams. */
export const histories = fc
  .integer({ min: 1, max: 6 })
  .chain((n) =>
    fc.record({
      streams: fc.tuple(...Array.from({ length: n }, (_, i) => history(`x-${i}`, 10_000 + i * 1_000))),
      cuts: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 40, maxLength: 40 }),
      picks: fc.array(fc.nat({ max: n - 1 }), { minLength: 60, maxLength: 60 })
    })
  )
  .map(({ streams, cuts, picks }) => {
    let c = 0
    const queues = streams.map((events) => {
      const batches: Array<ReadonlyArray<TradeEvent>> = []
      for (let i = 0; i < events.length; ) {
        const size = cuts[c++ % cuts.length] ?? 1
        batches.push(events.slice(i, i + size))
        i += size
      }
      return batches
    })
    const schedule: Array<{ readonly stream: number; readonly events: ReadonlyArray<TradeEvent> }> = []
    let p = 0
    while (queues.some((q) => q.length > 0)) {
      const pick = picks[p++ % picks.length] ?? 0
      const index = queues[pick]?.length ? pick : queues.findIndex((q) => q.length > 0)
      const batch = queues[index]?.shift()
      if (batch !== undefined) schedule.push({ stream: index, events: batch })
    }
    return { streams, schedule }
  })
