import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fillsInLegs, realClock, type Sandbox, startSandbox } from "@fill-tracker/schwab-sandbox"
import { Duration } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { createFillTracker, type FillEvent, InvalidConfig } from "../src/index.js"

const tokenKey = "00".repeat(32)
let dir: string
let sandbox: Sandbox

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ft-facade-"))
  sandbox = await startSandbox({ seed: 3, clock: realClock() })
})
afterEach(async () => {
  await sandbox.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const until = async (check: () => Promise<boolean>, ms = 15_000) => {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not reached in time")
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe("createFillTracker (Promise facade)", () => {
  it("records a submission, follows its fills through onFill and reads the filled execution", async () => {
    const tracker = await createFillTracker({
      database: path.join(dir, "fills.db"),
      pollingInterval: "200ms",
      pollingMaxJitter: "0s",
      logLevel: "error",
      schwab: {
        appKey: sandbox.appKey,
        appSecret: sandbox.appSecret,
        tokenKey,
        baseUrl: sandbox.baseUrl,
        tokenUrl: sandbox.tokenUrl,
        authorizeUrl: sandbox.authorizeUrl
      },
      tuning: { retry: { baseDelay: Duration.millis(20) } }
    })
    try {
      await tracker.authorize(sandbox.issueAuthorizationCode())
      const seen: Array<FillEvent> = []
      const unsubscribe = tracker.onFill((e) => {
        seen.push(e)
      })
      const account = sandbox.accounts[0]!.hashValue
      const orderId = sandbox.seedOrder(
        account,
        { symbol: "AAPL", quantity: 3 },
        fillsInLegs(3, 100, { prices: ["150.25", "150.26", "150.24"] })
      )
      const row = await tracker.recordSubmission({
        executionId: "hedge-1",
        orderId,
        accountHash: account,
        symbol: "AAPL",
        shares: 3,
        direction: "BUY"
      })
      expect(row.status).toBe("SUBMITTED")
      expect((await tracker.listOpen()).map((r) => r.executionId)).toEqual(["hedge-1"])
      await tracker.start()
      await until(async () => (await tracker.getExecution("hedge-1"))?.status === "FILLED")
      const filled = await tracker.getExecution("hedge-1")
      expect(filled?.filledShares).toBe("3")
      expect(filled?.priceCents).toBe(15025n)
      await until(async () => seen.some((e) => e.type === "Filled"))
      expect(seen.filter((e) => e.type === "LegFilled")).toHaveLength(3)
      unsubscribe()
      expect(await tracker.getExecution("nope")).toBeUndefined()
    } finally {
      await tracker.stop()
    }
  })

  it("refuses a configuration with problems, naming each", async () => {
    const error = await createFillTracker({
      pollingInterval: "soon",
      schwab: { appKey: "k", appSecret: "", tokenKey: "short" }
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidConfig)
    const message = (error as InvalidConfig).message
    expect(message).toContain("--order-polling-interval / ORDER_POLLING_INTERVAL")
    expect(message).toContain("--schwab-app-secret / SCHWAB_APP_SECRET")
    expect(message).toContain("--token-key / FILL_TRACKER_TOKEN_KEY")
    expect(message).not.toContain("short")
  })
})
