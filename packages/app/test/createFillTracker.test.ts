import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fillsInLegs, realClock, type Sandbox, startSandbox } from "@fill-tracker/schwab-sandbox"
import { Duration } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { createFillTracker, type FillEvent, InvalidConfig } from "../src/index.js"
import { until } from "./waitUntil.js"

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

  it("polls only the accounts given (a plain number mapped to its hash); an unknown one rejects start", async () => {
    await sandbox.close()
    sandbox = await startSandbox({
      seed: 3,
      clock: realClock(),
      accounts: [{ accountNumber: "12345678" }, { accountNumber: "99887766" }]
    })
    const options = (accounts: ReadonlyArray<string>) => ({
      database: path.join(dir, "fills.db"),
      pollingInterval: "200ms",
      pollingMaxJitter: "0s",
      logLevel: "error" as const,
      streaming: false,
      accounts,
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
    const [first, second] = sandbox.accounts
    if (first === undefined || second === undefined) throw new Error("the sandbox has two accounts")
    const tracker = await createFillTracker(options([second.accountNumber]))
    try {
      await tracker.authorize(sandbox.issueAuthorizationCode())
      for (const [id, account] of [
        ["in-first", first.hashValue],
        ["in-second", second.hashValue]
      ] as const) {
        const orderId = sandbox.seedOrder(account, { symbol: "AAPL", quantity: 1 }, fillsInLegs(1, 50))
        await tracker.recordSubmission({
          executionId: id,
          orderId,
          accountHash: account,
          symbol: "AAPL",
          shares: 1,
          direction: "BUY"
        })
      }
      await tracker.start()
      await until(async () => (await tracker.getExecution("in-second"))?.status === "FILLED")
      // The first account is never polled, so its filled order is still open here.
      expect((await tracker.getExecution("in-first"))?.status).toBe("SUBMITTED")
    } finally {
      await tracker.stop()
    }
    const unknown = await createFillTracker(options(["11112222"]))
    try {
      const error = await unknown.start().catch((e: unknown) => e)
      expect(error).toMatchObject({ _tag: "InvalidAccount", reason: "Unknown" })
      expect(String((error as Error).message)).not.toContain("11112222")
    } finally {
      await unknown.stop()
    }
  })
})
