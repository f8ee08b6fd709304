/**
 * The Promise facade's order-entry methods reject with the typed error itself, as its other
 * methods do (facadeErrors.test.ts): a bot branches on `instanceof` and `_tag`.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { ReauthorizationRequired } from "@fill-tracker/schwab-client"
import { manualClock, type Sandbox, startSandbox } from "@fill-tracker/schwab-sandbox"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { CannotAdopt, createFillTracker, ExecutionNotWorking, InvalidSubmission } from "../src/index.js"

let dir: string
let sandbox: Sandbox

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ft-facade-orders-"))
  sandbox = await startSandbox({ seed: 5, clock: manualClock(Date.now()) })
})
afterEach(async () => {
  await sandbox.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const open = () =>
  createFillTracker({
    database: path.join(dir, "fills.db"),
    logLevel: "error",
    schwab: {
      appKey: sandbox.appKey,
      appSecret: sandbox.appSecret,
      tokenKey: "11".repeat(32),
      baseUrl: sandbox.baseUrl,
      tokenUrl: sandbox.tokenUrl,
      authorizeUrl: sandbox.authorizeUrl
    }
  })

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("resolved, expected a rejection")
    },
    (e: unknown) => e
  )

describe("the Promise facade's order-entry rejections", () => {
  it("placeOrder, replaceOrder, cancelOrder, adopt and untracked reject with their typed errors; nothing is sent", async () => {
    const tracker = await open()
    try {
      const account = sandbox.accounts[0]!.hashValue
      // Not authorized yet: the Schwab client's own error.
      const noTokens = await rejection(tracker.untracked({ tag: "fill-tracker", lookbackMs: 60_000 }))
      expect(noTokens).toBeInstanceOf(ReauthorizationRequired)
      expect((noTokens as ReauthorizationRequired)._tag).toBe("ReauthorizationRequired")
      await tracker.authorize(sandbox.issueAuthorizationCode())
      const bad = await rejection(
        tracker.placeOrder("p-1", { accountHash: account, symbol: "AAPL", shares: 0, direction: "BUY" })
      )
      expect(bad).toBeInstanceOf(InvalidSubmission)
      expect((bad as InvalidSubmission)._tag).toBe("InvalidSubmission")
      for (const call of [
        () => tracker.replaceOrder("nobody", { shares: 2 }),
        () => tracker.cancelOrder("nobody")
      ]) {
        const e = await rejection(call())
        expect(e).toBeInstanceOf(ExecutionNotWorking)
        expect((e as ExecutionNotWorking)._tag).toBe("ExecutionNotWorking")
      }
      const adopt = await rejection(tracker.adopt("987654321", "a-1", { account }))
      expect(adopt).toBeInstanceOf(CannotAdopt)
      expect((adopt as CannotAdopt)._tag).toBe("CannotAdopt")
      expect(sandbox.orderIds()).toEqual([])
      expect(sandbox.requests().filter((r) => r.method !== "GET" && r.name !== "token")).toEqual([])
      expect(await tracker.listOpen()).toEqual([])
    } finally {
      await tracker.stop()
    }
  })
})
