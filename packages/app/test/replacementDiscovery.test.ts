/**
 * Replacement discovery end to end: the sandbox answers REPLACED bodies without
 * `replacingOrderCollection` (as real published ones are), and the poller finds the
 * replacement in the account's list, follows it and records its fills.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fillsInLegs, replace, type Sandbox, working } from "@fill-tracker/schwab-sandbox"
import { Effect, Option } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import type { AppConfig } from "../src/config/AppConfig.js"
import { expectedExecution } from "../src/demo/brokerTruth.js"
import { runCycleOnce } from "../src/poller/Poller.js"
import { FillTracker } from "../src/tracker/FillTracker.js"
import { until } from "./child.js"
import { accountOf, authorize, cycleOptions, manualSandbox, runApp, tempDir, testConfig } from "./support.js"

let dir: string
let sandbox: Sandbox
let config: AppConfig

beforeEach(async () => {
  dir = tempDir("discovery")
  sandbox = await manualSandbox({ namedReplacements: false })
  config = testConfig(sandbox, path.join(dir, "fills.db"))
})
afterEach(async () => {
  await sandbox.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const cycle = runCycleOnce(cycleOptions())

const row = (executionId: string) =>
  Effect.flatMap(FillTracker, (t) => t.getExecution(executionId)).pipe(
    Effect.map((o) => Option.getOrThrowWith(o, () => new Error(`no row ${executionId}`)))
  )

const submit = (executionId: string, orderId: string, shares: number, symbol: string) =>
  Effect.flatMap(FillTracker, (t) =>
    t.recordSubmission({
      executionId,
      orderId,
      accountHash: accountOf(sandbox),
      symbol,
      shares,
      direction: "BUY"
    })
  )

const failedReason = (executionId: string) =>
  Effect.flatMap(FillTracker, (t) => t.history(executionId as never)).pipe(
    Effect.map((s) => s.events.flatMap((r) => (r.event.type === "Failed" ? [r.event.reason] : [])))
  )

describe("a REPLACED order that names no replacement", () => {
  it("is followed to the replacement found in the list, and the replacement's fills are recorded", async () => {
    const orderId = sandbox.seedOrder(
      accountOf(sandbox),
      { symbol: "XOM", quantity: 10 },
      replace(fillsInLegs(2, 1_000, { prices: ["115.10", "115.20"] }), { afterMs: 1_000 })
    )
    const final = await runApp(
      config,
      Effect.gen(function* () {
        yield* authorize(sandbox)
        yield* submit("buy-xom", orderId, 10, "XOM")
        yield* cycle
        sandbox.advance(1_000)
        // The REPLACED body names nothing: the replacement is the one entered at its closeTime.
        expect(sandbox.orderJson(orderId)).not.toContain("replacingOrderCollection")
        yield* cycle
        const replaced = yield* row("buy-xom")
        expect(replaced.orderId).not.toBe(orderId)
        expect(replaced.filledShares).toBe("5")
        sandbox.advance(1_000)
        yield* cycle
        return yield* row("buy-xom")
      })
    )
    const expected = expectedExecution(sandbox, orderId)
    expect(final.orderId).toBe(expected.finalOrderId)
    expect(final.originalOrderId).toBe(orderId)
    expect({ status: final.status, filledShares: final.filledShares, priceCents: final.priceCents }).toEqual({
      status: "FILLED",
      filledShares: "10",
      priceCents: 11515n
    })
  })

  it("a chain A→B→C with no links at all is followed to C's fill", async () => {
    const orderId = sandbox.seedOrder(
      accountOf(sandbox),
      { symbol: "KO", quantity: 4 },
      replace(replace(fillsInLegs(1, 500, { prices: ["61.01"] }), { afterMs: 1_000 }), { afterMs: 1_000 })
    )
    const final = await runApp(
      config,
      Effect.gen(function* () {
        yield* authorize(sandbox)
        yield* submit("buy-ko", orderId, 4, "KO")
        for (let i = 0; i < 4; i++) {
          sandbox.advance(1_000)
          yield* cycle
        }
        return yield* row("buy-ko")
      })
    )
    const expected = expectedExecution(sandbox, orderId)
    expect(sandbox.truth(orderId).replacedBy).toBeDefined()
    expect(sandbox.truth(sandbox.truth(orderId).replacedBy ?? "").replacedBy).toBe(expected.finalOrderId)
    expect(final.orderId).toBe(expected.finalOrderId)
    expect({ status: final.status, filledShares: final.filledShares, priceCents: final.priceCents }).toEqual({
      status: "FILLED",
      filledShares: "4",
      priceCents: 6101n
    })
  })

  it("two orders that could be the replacement fail the execution naming both", async () => {
    const orderId = sandbox.seedOrder(
      accountOf(sandbox),
      { symbol: "XOM", quantity: 10 },
      replace(working(), { afterMs: 1_000 })
    )
    const r = await runApp(
      config,
      Effect.gen(function* () {
        yield* authorize(sandbox)
        yield* submit("buy-xom", orderId, 10, "XOM")
        yield* cycle
        sandbox.advance(1_000)
        // Another XOM buy entered at the same moment (the bot's, or a person's): a tie.
        const twin = sandbox.seedOrder(accountOf(sandbox), { symbol: "XOM", quantity: 10 }, working())
        yield* cycle
        return { row: yield* row("buy-xom"), reasons: yield* failedReason("buy-xom"), twin }
      })
    )
    const replacement = sandbox.truth(orderId).replacedBy ?? ""
    expect(r.row.status).toBe("FAILED")
    expect(r.row.orderId).toBe(orderId)
    expect(r.reasons).toHaveLength(1)
    expect(r.reasons[0]).toContain("2 orders could be it")
    expect(r.reasons[0]).toContain(replacement)
    expect(r.reasons[0]).toContain(r.twin)
  })

  it("a replacement another execution follows is never taken: open while the search lasts, then failed", async () => {
    const orderId = sandbox.seedOrder(
      accountOf(sandbox),
      { symbol: "XOM", quantity: 10 },
      replace(working(), { afterMs: 1_000 })
    )
    const r = await runApp(
      config,
      Effect.gen(function* () {
        yield* authorize(sandbox)
        yield* submit("buy-xom", orderId, 10, "XOM")
        yield* cycle
        sandbox.advance(1_000)
        const replacement = sandbox.truth(orderId).replacedBy ?? ""
        yield* submit("someone-else", replacement, 10, "XOM")
        yield* cycle
        const during = yield* row("buy-xom")
        // The search time is over once the real clock passed the original's closeTime.
        const closed = Date.parse(JSON.parse(sandbox.orderJson(orderId)).closeTime)
        yield* Effect.promise(() => until(() => Date.now() > closed + 1, "the real clock passes closeTime"))
        yield* runCycleOnce(cycleOptions({ replacementSearchMs: 0 }))
        return {
          during,
          after: yield* row("buy-xom"),
          other: yield* row("someone-else"),
          reasons: yield* failedReason("buy-xom")
        }
      })
    )
    expect(r.during).toMatchObject({ status: "SUBMITTED", orderId })
    expect(r.after).toMatchObject({ status: "FAILED", orderId })
    expect(r.reasons[0]).toContain("none was found")
    expect(r.other.status).toBe("SUBMITTED")
  })
})
