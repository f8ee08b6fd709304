/**
 * adopt accepts every single-leg equity order the tracker can follow (the four equity
 * instructions, any order type) and refuses, with CannotAdopt naming why and nothing
 * recorded, what the events cannot model: several legs, options and other asset types,
 * other instructions, fractional quantities.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import {
  type AccountHash,
  Decimal,
  decodeOrder,
  type ExecutionId,
  type SchwabOrder
} from "@fill-tracker/domain"
import { ocoShellOrder, triggerOrder, verticalSpreadOrder } from "@fill-tracker/domain/testing"
import { fillsInLegs, type Sandbox, working } from "@fill-tracker/schwab-sandbox"
import { EventStore } from "@fill-tracker/store"
import { Effect, Either } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import type { AppConfig } from "../src/config/AppConfig.js"
import { submissionOf } from "../src/tracker/adopt.js"
import { FillTracker } from "../src/tracker/FillTracker.js"
import { accountOf, authorize, manualSandbox, runApp, tempDir, testConfig } from "./support.js"

const HASH = "HASH123" as AccountHash
const decoded = (text: string): SchwabOrder => {
  const r = decodeOrder(text)
  if (r._tag === "Left") throw new Error(r.left.message)
  return r.right
}

describe("submissionOf", () => {
  it("refuses what the events cannot model, saying why", () => {
    expect(submissionOf(decoded(verticalSpreadOrder), HASH, "x")).toMatch(/^it has 2 legs; only single-leg/)
    expect(submissionOf(decoded(ocoShellOrder), HASH, "x")).toMatch(/^it has 0 legs/)
    const single = decoded(triggerOrder)
    const leg = single.legs[0]
    if (leg === undefined) throw new Error("no leg")
    const withLeg = (changes: Partial<typeof leg>, order: Partial<SchwabOrder> = {}) => ({
      ...single,
      ...order,
      legs: [{ ...leg, ...changes }]
    })
    expect(submissionOf(withLeg({ assetType: "OPTION", instruction: "BUY_TO_OPEN" }), HASH, "x")).toMatch(
      /^its asset type OPTION is not one the tracker records/
    )
    expect(submissionOf(withLeg({ assetType: "MUTUAL_FUND" }), HASH, "x")).toMatch(/asset type MUTUAL_FUND/)
    expect(submissionOf(withLeg({ instruction: "SELL_SHORT_EXEMPT" }), HASH, "x")).toMatch(
      /^its instruction SELL_SHORT_EXEMPT is not one the tracker records \(BUY, SELL, SELL_SHORT, BUY_TO_COVER\)/
    )
    const half = Decimal.fromString("0.5") as Decimal.Decimal
    expect(submissionOf(withLeg({ quantity: half }, { quantity: half }), HASH, "x")).toBe(
      "its quantity 0.5 is not whole shares"
    )
  })

  it("takes the four equity instructions and an ETF, whatever the order type", () => {
    const single = decoded(triggerOrder)
    const leg = single.legs[0]
    if (leg === undefined) throw new Error("no leg")
    for (const instruction of ["BUY", "SELL", "SELL_SHORT", "BUY_TO_COVER"])
      for (const orderType of ["MARKET", "LIMIT", "STOP", "STOP_LIMIT", "TRAILING_STOP", "MARKET_ON_CLOSE"])
        for (const assetType of ["EQUITY", "COLLECTIVE_INVESTMENT"])
          expect(
            submissionOf({ ...single, orderType, legs: [{ ...leg, instruction, assetType }] }, HASH, "x")
          ).toMatchObject({ direction: instruction, orderId: single.orderId })
  })
})

let dir: string
let sandbox: Sandbox
let config: AppConfig

beforeEach(async () => {
  dir = tempDir("adopt")
  sandbox = await manualSandbox()
  config = testConfig(sandbox, path.join(dir, "fills.db"))
})
afterEach(async () => {
  await sandbox.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const versionOf = (executionId: string) =>
  Effect.flatMap(EventStore, (s) => s.readStream(executionId as ExecutionId)).pipe(
    Effect.map((s) => s.version)
  )

describe("adopt against the sandbox", () => {
  it("a SELL_SHORT limit and a BUY_TO_COVER stop are adopted with what they executed", async () => {
    const short = sandbox.seedOrder(
      accountOf(sandbox),
      { symbol: "TSLA", quantity: 4, instruction: "SELL_SHORT", orderType: "LIMIT", price: "250.5" },
      fillsInLegs(2, 1_000, { prices: ["250.5", "251"] })
    )
    const cover = sandbox.seedOrder(
      accountOf(sandbox),
      { symbol: "TSLA", quantity: 3, instruction: "BUY_TO_COVER", orderType: "STOP", stopPrice: "260" },
      working()
    )
    sandbox.advance(5_000)
    const rows = await runApp(
      config,
      Effect.gen(function* () {
        yield* authorize(sandbox)
        const t = yield* FillTracker
        return [yield* t.adopt(short, "short-1"), yield* t.adopt(cover, "cover-1")]
      })
    )
    expect(rows[0]).toMatchObject({
      executionId: "short-1",
      orderId: short,
      direction: "SELL_SHORT",
      status: "FILLED",
      filledShares: "4",
      priceCents: 25075n
    })
    expect(rows[1]).toMatchObject({
      executionId: "cover-1",
      orderId: cover,
      direction: "BUY_TO_COVER",
      status: "SUBMITTED"
    })
  })

  it("an option order and a fractional one are CannotAdopt naming why; nothing recorded", async () => {
    const option = sandbox.seedOrder(
      accountOf(sandbox),
      {
        symbol: "SPY   250919C00500000",
        quantity: 1,
        instruction: "BUY_TO_OPEN",
        assetType: "OPTION",
        price: "1.5"
      },
      working()
    )
    const fraction = sandbox.seedOrder(accountOf(sandbox), { symbol: "AAPL", quantity: "0.5" }, working())
    const r = await runApp(
      config,
      Effect.gen(function* () {
        yield* authorize(sandbox)
        const t = yield* FillTracker
        const errors = [
          yield* Effect.either(t.adopt(option, "opt-1")),
          yield* Effect.either(t.adopt(fraction, "frac-1"))
        ]
        return { errors, versions: [yield* versionOf("opt-1"), yield* versionOf("frac-1")] }
      })
    )
    expect(r.errors.map((e) => Either.isLeft(e) && e.left._tag)).toEqual(["CannotAdopt", "CannotAdopt"])
    expect(Either.isLeft(r.errors[0]!) && r.errors[0].left.message).toContain("asset type OPTION")
    expect(Either.isLeft(r.errors[1]!) && r.errors[1].left.message).toContain(
      "quantity 0.5 is not whole shares"
    )
    expect(r.versions).toEqual([0, 0])
  })
})
