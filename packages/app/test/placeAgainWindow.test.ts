/**
 * A repeated placeOrder for an unconfirmed intent judges it by INTENT_RESOLUTION_WINDOW, as
 * the poller does. It used the default 2 minutes whatever the setting: with a longer window
 * configured, a repeat 3 minutes after the request ended the intent not placed while the
 * poller was still looking for it, and an order Schwab listed late was followed by nobody.
 * The intents are recorded 3 minutes in the past (no order at Schwab), so nothing here
 * waits on time.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { realClock, type Sandbox, startSandbox } from "@fill-tracker/schwab-sandbox"
import { EventStore } from "@fill-tracker/store"
import { Effect } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import type { AppConfig } from "../src/config/AppConfig.js"
import { FillTracker } from "../src/tracker/FillTracker.js"
import { toPlacementRequested } from "../src/tracker/Placement.js"
import { accountOf, authorize, runApp, tempDir, testConfig } from "./support.js"

let dir: string
let sandbox: Sandbox

beforeEach(async () => {
  dir = tempDir("place-again-window")
  sandbox = await startSandbox({ seed: 21, clock: realClock() })
})
afterEach(async () => {
  await sandbox.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const order = () => ({ accountHash: accountOf(sandbox), symbol: "KO", shares: 4, direction: "BUY" as const })

/** Records an intent as if requested 3 minutes ago (its POST never reached Schwab), then places again. */
const placeAgainAfterThreeMinutes = (config: AppConfig, executionId: string) =>
  runApp(
    config,
    Effect.gen(function* () {
      yield* authorize(sandbox)
      const intent = toPlacementRequested(executionId, order(), new Date(Date.now() - 3 * 60_000))
      if (!("type" in intent)) throw new Error(`fixture intent refused: ${intent.message}`)
      yield* (yield* EventStore).append(intent.executionId, 0, [intent], { source: "test" })
      return yield* (yield* FillTracker).placeOrder(executionId, order())
    })
  )

describe("placeOrder again judges an unconfirmed intent by INTENT_RESOLUTION_WINDOW", () => {
  it("a 10-minute window: 3 minutes on, the intent is still looked for (PENDING); nothing sent", async () => {
    const config = { ...testConfig(sandbox, path.join(dir, "long.db")), intentWindow: 10 * 60_000 }
    const row = await placeAgainAfterThreeMinutes(config, "window-long")
    expect(row.status).toBe("PENDING")
    expect(sandbox.requests().filter((r) => r.name === "placeOrder")).toHaveLength(0)
  })

  it("the default 2 minutes: 3 minutes on, the intent ends not placed; nothing sent", async () => {
    const row = await placeAgainAfterThreeMinutes(
      testConfig(sandbox, path.join(dir, "default.db")),
      "window-default"
    )
    expect(row).toMatchObject({ status: "FAILED", state: "NOT_PLACED", orderId: null })
    expect(sandbox.requests().filter((r) => r.name === "placeOrder")).toHaveLength(0)
  })
})
