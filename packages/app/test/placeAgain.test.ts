/**
 * The same placeOrder again once the execution has ended: what a bot does after a crash
 * (the README: call it again with the same execution id). By then the service may have
 * recovered the order and seen it fill or cancel: the call answers that execution, sends
 * nothing. It failed with SubmissionConflict ("differs in type"), since an ended execution's
 * state no longer carried the intent, and a bot that took the conflict for "not mine" and
 * placed under a new id made a second order. Found by the placement crash matrix
 * (`proof/placementCrash.ts`, the service running throughout).
 */
import * as fs from "node:fs"
import * as path from "node:path"
import {
  immediateFill,
  partialThenCancel,
  realClock,
  type Sandbox,
  startSandbox
} from "@fill-tracker/schwab-sandbox"
import { Effect } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import type { AppConfig } from "../src/config/AppConfig.js"
import { runCycleOnce } from "../src/poller/Poller.js"
import { FillTracker } from "../src/tracker/FillTracker.js"
import { accountOf, authorize, cycleOptions, runApp, tempDir, testConfig } from "./support.js"

let dir: string
let sandbox: Sandbox
let config: AppConfig

beforeEach(async () => {
  dir = tempDir("place-again")
  sandbox = await startSandbox({ seed: 13, clock: realClock() })
  config = testConfig(sandbox, path.join(dir, "fills.db"))
})
afterEach(async () => {
  await sandbox.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const order = () => ({ accountHash: accountOf(sandbox), symbol: "KO", shares: 6, direction: "SELL" as const })

/** Places, polls until the execution has ended, places again; answers both rows. */
const placeEndAgain = (executionId: string) =>
  runApp(
    config,
    Effect.gen(function* () {
      yield* authorize(sandbox)
      const tracker = yield* FillTracker
      const first = yield* tracker.placeOrder(executionId, order())
      let ended = first
      for (let i = 0; i < 50 && (ended.status === "SUBMITTED" || ended.status === "PENDING"); i++) {
        yield* runCycleOnce(cycleOptions())
        ended = yield* tracker.placeOrder(executionId, order())
      }
      return { first, ended }
    })
  )

describe("placeOrder again for an execution that has ended", () => {
  it("filled: answers the FILLED execution; one POST", async () => {
    sandbox.scriptNext(immediateFill({ price: "58.1234" }))
    const { first, ended } = await placeEndAgain("again-filled")
    expect(first.status).toBe("SUBMITTED")
    expect(ended).toMatchObject({
      status: "FILLED",
      orderId: first.orderId,
      filledShares: "6",
      priceCents: 5812n
    })
    expect(sandbox.requests().filter((r) => r.name === "placeOrder")).toHaveLength(1)
  })

  it("canceled after a partial fill: answers the FAILED execution with its shares; one POST", async () => {
    sandbox.scriptNext(partialThenCancel({ quantity: "2", price: "58.10", cancelAfterMs: 0 }))
    const { first, ended } = await placeEndAgain("again-canceled")
    expect(ended).toMatchObject({
      status: "FAILED",
      orderId: first.orderId,
      filledShares: "2",
      brokerStatus: "CANCELED"
    })
    expect(sandbox.requests().filter((r) => r.name === "placeOrder")).toHaveLength(1)
  })
})
