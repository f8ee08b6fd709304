/**
 * The daily order-entry budget is the database's, like the minute budget: processes on one
 * store (pollers, the bot's facade, CLI commands) spend from the same day.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { Decimal, type Shares, type TickerSymbol } from "@fill-tracker/domain"
import { SchwabClient } from "@fill-tracker/schwab-client"
import { type Sandbox, working } from "@fill-tracker/schwab-sandbox"
import { Effect } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { accountOf, authorize, manualSandbox, runApp, tempDir, testConfig } from "./support.js"

let dir: string
let sandbox: Sandbox

beforeEach(async () => {
  dir = tempDir("order-budget")
  sandbox = await manualSandbox()
})
afterEach(async () => {
  await sandbox.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const order = {
  symbol: "AAPL" as TickerSymbol,
  shares: Decimal.fromBigInt(1n) as Shares,
  direction: "BUY" as const
}

describe("the order-entry budget", () => {
  it("is shared by every process on the database: the third entry of a budget of 2 is refused, nothing sent", async () => {
    const config = testConfig(sandbox, path.join(dir, "fills.db"), { orderEntryPerDay: 2 })
    sandbox.scriptNext(working(), working(), working())
    const place = Effect.flatMap(SchwabClient.SchwabClient, (c) => c.placeOrder(accountOf(sandbox), order))
    // Each runApp is a graph of its own (its own client and in-process state), as a process is.
    await runApp(config, Effect.zipRight(authorize(sandbox), place))
    await runApp(config, place)
    const before = sandbox.placements().length
    const refused = await runApp(config, Effect.flip(place))
    expect(refused._tag).toBe("OrderEntryBudgetExhausted")
    expect(sandbox.placements().length).toBe(before)
    expect(sandbox.orderIds()).toHaveLength(2)
  })
})
