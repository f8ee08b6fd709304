import * as fs from "node:fs"
import * as path from "node:path"
import { immediateFill, type Sandbox } from "@fill-tracker/schwab-sandbox"
import { Effect, Option } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import type { AppConfig } from "../src/config/AppConfig.js"
import { Metrics } from "../src/health/Metrics.js"
import { runCycleOnce } from "../src/poller/Poller.js"
import { FillTracker } from "../src/tracker/FillTracker.js"
import {
  badPriceOrder,
  negativeQuantityOrder,
  ocoShellOrder,
  TRIGGER_CHILD_ORDER_ID,
  triggerOrder,
  verticalSpreadOrder
} from "./fixtures/realAccount.js"
import { accountOf, authorize, cycleOptions, manualSandbox, runApp, tempDir, testConfig } from "./support.js"

let dir: string
let sandbox: Sandbox
let config: AppConfig

beforeEach(async () => {
  dir = tempDir("real")
  sandbox = await manualSandbox()
  config = testConfig(sandbox, path.join(dir, "fills.db"))
})
afterEach(async () => {
  await sandbox.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const SKIPPED = "fill_tracker_orders_skipped_total"

describe("an account that is not a clean room (issue 9)", () => {
  it("tracks the bot's orders among spreads, OCO and TRIGGER trees and broken elements, with one list request", async () => {
    const account = accountOf(sandbox)
    for (const body of [
      verticalSpreadOrder,
      triggerOrder,
      ocoShellOrder,
      badPriceOrder,
      negativeQuantityOrder
    ])
      sandbox.addRawOrder(account, body)
    const aapl = sandbox.seedOrder(
      account,
      { symbol: "AAPL", quantity: 10 },
      immediateFill({ price: "150.25" })
    )
    const amd = sandbox.seedOrder(
      account,
      { symbol: "AMD", quantity: 4, instruction: "SELL" },
      immediateFill({ price: "22.7299" })
    )
    const r = await runApp(
      config,
      Effect.gen(function* () {
        yield* authorize(sandbox)
        const tracker = yield* FillTracker
        const submit = (
          executionId: string,
          orderId: string,
          symbol: string,
          shares: number,
          direction: "BUY" | "SELL"
        ) =>
          tracker.recordSubmission({ executionId, orderId, accountHash: account, symbol, shares, direction })
        yield* submit("bot-aapl", aapl, "AAPL", 10, "BUY")
        yield* submit("bot-amd", amd, "AMD", 4, "SELL")
        yield* submit("bot-msft-exit", TRIGGER_CHILD_ORDER_ID, "MSFT", 10, "SELL")
        sandbox.resetRequests()
        const report = yield* runCycleOnce(cycleOptions())
        const metrics = yield* Metrics
        const skippedAfterOne = metrics.value(SKIPPED)
        const rowOf = (id: string) => Effect.map(tracker.getExecution(id), Option.getOrThrow)
        return {
          report,
          routes: sandbox.requests().map((q) => q.route),
          skippedAfterOne,
          aapl: yield* rowOf("bot-aapl"),
          amd: yield* rowOf("bot-amd"),
          msft: yield* rowOf("bot-msft-exit"),
          rendered: yield* Effect.promise(() => metrics.render())
        }
      })
    )
    expect(r.routes).toEqual(["GET /accounts/{hash}/orders"])
    expect(r.report).toMatchObject({ open: 3, listRequests: 1, getRequests: 0, accountFailures: 0 })
    expect(r.aapl).toMatchObject({ state: "FILLED", filledShares: "10", priceCents: 15025n })
    expect(r.amd).toMatchObject({ state: "FILLED", filledShares: "4", priceCents: 2273n })
    // The TRIGGER's child: its own 4 @ 415.2501, never the parent's 10 @ 410.5.
    expect(r.msft).toMatchObject({
      state: "PARTIALLY_FILLED",
      filledShares: "4",
      averagePrice: "415.2501",
      priceCents: 41525n
    })
    expect(r.skippedAfterOne).toBe(2)
    expect(r.rendered).toContain(`${SKIPPED} 2`)
  })
})
