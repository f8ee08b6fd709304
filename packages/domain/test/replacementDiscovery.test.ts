import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { Replaced } from "../src/Events.js"
import type { Instant, OrderId, TickerSymbol } from "../src/ids.js"
import { discoverReplacement, replacementCandidates } from "../src/replacementDiscovery.js"
import type { SchwabOrder } from "../src/SchwabOrder.js"
import { numRuns } from "./testing/arbitraries.js"
import { at, dec, EXECUTION_ID, leg, ORDER_ID, order, orderId, status, submitted } from "./testing/build.js"
import { given } from "./testing/spec.js"

const runs = { numRuns: numRuns(100) }

/** The original: REPLACED at 17:20:00, naming nothing (as real REPLACED bodies do). */
const original = order({ status: status("REPLACED"), closeTime: at("17:20:00") })
const candidate = (id: string, overrides: Partial<SchwabOrder> = {}) =>
  order({ orderId: orderId(id), enteredTime: at("17:20:00"), quantity: dec("60"), ...overrides })
const noneFollowed = new Set<string>([ORDER_ID])

describe("replacement discovery", () => {
  it("one candidate entered at the closeTime with the same legs is the replacement", () => {
    const listed = [
      original,
      candidate("2001", { enteredTime: at("17:20:03") }),
      candidate("2002", { enteredTime: at("17:20:09") }), // outside the tolerance
      candidate("2003", { legs: [leg({ instruction: "SELL" })] }), // another instruction
      candidate("2004", { legs: [leg({ symbol: "MSFT" as TickerSymbol })] }), // another instrument
      candidate("2005", { legs: [leg(), leg({ legId: "2" })] }) // another leg count
    ]
    expect(discoverReplacement(original, { listed, followed: noneFollowed }, at("17:20:30"))).toEqual({
      _tag: "Found",
      replacementOrderId: "2001"
    })
  })

  it("reconcile records Replaced to the one found, at the original's closeTime", () => {
    given(submitted())
      .when(original, {
        replacementSearch: { listed: [original, candidate("2001")], followed: noneFollowed }
      })
      .thenEvents([
        {
          type: "Replaced",
          executionId: EXECUTION_ID,
          orderId: ORDER_ID,
          replacementOrderId: orderId("2001"),
          replacedAt: at("17:20:00")
        } satisfies Replaced
      ])
  })

  it("several candidates fail naming each; one followed elsewhere is never chosen", () => {
    const listed = [candidate("2002"), candidate("2001"), candidate("10000")]
    const events = given(submitted())
      .when(original, { replacementSearch: { listed, followed: noneFollowed } })
      .events()
    expect(events.map((e) => e.type)).toEqual(["Failed"])
    expect(events[0]?.type === "Failed" && events[0].reason).toMatch(
      /3 orders could be it: 2001, 2002, 10000/
    )
    const followed = new Set([ORDER_ID, "2001", "10000"])
    expect(discoverReplacement(original, { listed, followed }, at("17:20:30"))).toEqual({
      _tag: "Found",
      replacementOrderId: "2002"
    })
  })

  it("none yet waits until the search time is over, then fails; no closeTime fails at once", () => {
    const search = { listed: [original], followed: noneFollowed, searchMs: 60_000 }
    expect(discoverReplacement(original, search, at("17:21:00"))._tag).toBe("NotYet")
    expect(discoverReplacement(original, search, at("17:21:01"))._tag).toBe("NoneFound")
    const { closeTime: _, ...noClose } = original
    expect(discoverReplacement(noClose, search, at("17:20:01"))).toMatchObject({
      _tag: "NoneFound",
      reason: expect.stringContaining("no closeTime")
    })
  })

  it("a chain A→B→C with no links is followed hop by hop", () => {
    const b = candidate("2001", { status: status("REPLACED"), closeTime: at("17:30:00") })
    const c = candidate("3001", { enteredTime: at("17:30:01") })
    const listed = [original, b, c]
    const first = given(submitted())
      .when(original, { replacementSearch: { listed, followed: noneFollowed } })
      .events()
    expect(first).toMatchObject([{ type: "Replaced", replacementOrderId: "2001" }])
    const second = given(submitted(), ...first)
      .when(b, { replacementSearch: { listed, followed: new Set([ORDER_ID, "2001"]) } })
      .events()
    expect(second).toMatchObject([{ type: "Replaced", orderId: "2001", replacementOrderId: "3001" }])
  })

  describe("properties", () => {
    const TRUE_ID = "5000000001" as OrderId
    /** Orders that are never the replacement: wrong time, side, symbol or leg count, or followed. */
    const noise = fc.oneof(
      fc.record({
        id: fc.integer({ min: 6_000_000_000, max: 6_999_999_999 }).map(String),
        kind: fc.constantFrom("late", "early", "side", "symbol", "legs", "followed"),
        offsetMs: fc.integer({ min: 5_001, max: 3_600_000 })
      })
    )
    const noisy = (n: { id: string; kind: string; offsetMs: number }): SchwabOrder => {
      const closed = Date.parse(at("17:20:00"))
      switch (n.kind) {
        case "late":
          return candidate(n.id, {
            enteredTime: new Date(closed + n.offsetMs).toISOString() as Instant
          })
        case "early":
          return candidate(n.id, {
            enteredTime: new Date(closed - n.offsetMs).toISOString() as Instant
          })
        case "side":
          return candidate(n.id, { legs: [leg({ instruction: "SELL_SHORT" })] })
        case "symbol":
          return candidate(n.id, { legs: [leg({ symbol: "AAPL1" as TickerSymbol })] })
        case "legs":
          return candidate(n.id, { legs: [leg(), leg({ legId: "2", symbol: "MSFT" as TickerSymbol })] })
        default:
          return candidate(n.id)
      }
    }
    const followedIds = (ns: ReadonlyArray<{ id: string; kind: string }>) =>
      new Set([ORDER_ID, ...ns.filter((n) => n.kind === "followed").map((n) => n.id)])

    it("the one true replacement is found whatever the list order and the noise around it", () => {
      fc.assert(
        fc.property(
          fc.array(noise, { maxLength: 30 }),
          fc.integer({ min: -5_000, max: 5_000 }),
          fc.nat(),
          (ns, skew, seed) => {
            const truth = candidate(TRUE_ID, {
              enteredTime: new Date(Date.parse(at("17:20:00")) + skew).toISOString() as Instant
            })
            const listed = [original, ...ns.map(noisy)]
            listed.splice(seed % (listed.length + 1), 0, truth)
            expect(
              discoverReplacement(original, { listed, followed: followedIds(ns) }, at("17:20:30"))
            ).toEqual({
              _tag: "Found",
              replacementOrderId: TRUE_ID
            })
          }
        ),
        runs
      )
    })

    it("an order followed elsewhere is never chosen", () => {
      fc.assert(
        fc.property(fc.array(noise, { minLength: 1, maxLength: 30 }), (ns) => {
          const followed = followedIds(ns)
          const listed = ns.map(noisy)
          for (const id of replacementCandidates(original, { listed, followed }))
            expect(followed.has(id)).toBe(false)
          const d = discoverReplacement(original, { listed, followed }, at("17:20:30"))
          if (d._tag === "Found") expect(followed.has(d.replacementOrderId)).toBe(false)
        }),
        runs
      )
    })

    it("ties fail naming every candidate, whatever the order", () => {
      fc.assert(
        fc.property(
          fc.uniqueArray(fc.integer({ min: 7_000_000_000, max: 7_999_999_999 }).map(String), {
            minLength: 2,
            maxLength: 8
          }),
          fc.array(noise, { maxLength: 10 }),
          (ids, ns) => {
            const listed = [...ns.map(noisy), ...ids.map((id) => candidate(id))].reverse()
            const d = discoverReplacement(original, { listed, followed: followedIds(ns) }, at("17:20:30"))
            expect(d).toEqual({ _tag: "Ambiguous", candidates: [...ids].sort() })
          }
        ),
        runs
      )
    })
  })
})
