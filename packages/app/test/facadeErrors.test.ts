/**
 * The Promise facade rejects with the typed error itself, on every method that can fail:
 * `instanceof` and `_tag` are what a bot branches on (Effect's FiberFailure wrapper has
 * neither).
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { SqlClient } from "@effect/sql"
import { ReauthorizationRequired } from "@fill-tracker/schwab-client"
import { manualClock, type Sandbox, startSandbox } from "@fill-tracker/schwab-sandbox"
import { Store, StoreError } from "@fill-tracker/store"
import { Effect } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import {
  CannotAdopt,
  createFillTracker,
  ExecutionNotWorking,
  type FillTrackerOptions,
  InvalidSubmission,
  SubmissionConflict
} from "../src/index.js"

let dir: string
let sandbox: Sandbox

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ft-facade-errors-"))
  sandbox = await startSandbox({ seed: 3, clock: manualClock(Date.now()) })
})
afterEach(async () => {
  await sandbox.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const options = (database: string): FillTrackerOptions => ({
  database,
  logLevel: "error",
  schwab: {
    appKey: sandbox.appKey,
    appSecret: sandbox.appSecret,
    tokenKey: "00".repeat(32),
    baseUrl: sandbox.baseUrl,
    tokenUrl: sandbox.tokenUrl,
    authorizeUrl: sandbox.authorizeUrl
  }
})

const submission = (overrides: Record<string, unknown> = {}) => ({
  executionId: "e-1",
  orderId: "1001",
  accountHash: sandbox.accounts[0]!.hashValue,
  symbol: "AAPL",
  shares: 3,
  direction: "BUY" as const,
  ...overrides
})

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("resolved, expected a rejection")
    },
    (e: unknown) => e
  )

/** Runs SQL on the tracker's file from a second connection, as an operator's mistake would. */
const onTheFile = (database: string, statement: string) =>
  Effect.runPromise(
    Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(statement)).pipe(
      Effect.provide(Store.layerFromUrl(database)),
      Effect.scoped
    )
  )

describe("the Promise facade's rejections", () => {
  it("createFillTracker: a database that cannot be opened is the StoreError", async () => {
    const e = await rejection(createFillTracker(options(path.join(dir, "no-such-dir", "fills.db"))))
    expect(e).toBeInstanceOf(StoreError)
    expect((e as StoreError)._tag).toBe("StoreError")
    expect((e as StoreError).reason).toBe("Open")
  })

  it("authorize: a code Schwab refuses is ReauthorizationRequired", async () => {
    const tracker = await createFillTracker(options(path.join(dir, "fills.db")))
    try {
      const e = await rejection(tracker.authorize("not-a-code"))
      expect(e).toBeInstanceOf(ReauthorizationRequired)
      expect((e as ReauthorizationRequired)._tag).toBe("ReauthorizationRequired")
    } finally {
      await tracker.stop()
    }
  })

  it("recordSubmission: bad input is InvalidSubmission, a different one under a used id SubmissionConflict", async () => {
    const tracker = await createFillTracker(options(path.join(dir, "fills.db")))
    try {
      const bad = await rejection(tracker.recordSubmission(submission({ shares: -1 })))
      expect(bad).toBeInstanceOf(InvalidSubmission)
      expect((bad as InvalidSubmission)._tag).toBe("InvalidSubmission")
      expect(await tracker.listOpen()).toEqual([])
      await tracker.recordSubmission(submission())
      const conflict = await rejection(tracker.recordSubmission(submission({ shares: 4 })))
      expect(conflict).toBeInstanceOf(SubmissionConflict)
      expect((conflict as SubmissionConflict)._tag).toBe("SubmissionConflict")
      expect((await tracker.getExecution("e-1"))?.shares).toBe("3")
    } finally {
      await tracker.stop()
    }
  })

  it("placeOrder: a LIMIT is placed with its limit; terms that are not an order are InvalidSubmission naming them, nothing recorded or sent", async () => {
    const tracker = await createFillTracker(options(path.join(dir, "fills.db")))
    try {
      await tracker.authorize(sandbox.issueAuthorizationCode())
      const order = {
        accountHash: sandbox.accounts[0]!.hashValue,
        symbol: "AAPL",
        shares: 3,
        direction: "BUY" as const
      }
      const bad = await rejection(
        tracker.placeOrder("p-1", { ...order, orderType: "LIMIT", stopPrice: "10" })
      )
      expect(bad).toBeInstanceOf(InvalidSubmission)
      expect((bad as InvalidSubmission).problems.map((p) => p.split(":")[0])).toEqual(["price", "stopPrice"])
      expect(await tracker.getExecution("p-1")).toBeUndefined()
      expect(sandbox.placements()).toHaveLength(0)
      const row = await tracker.placeOrder("p-1", { ...order, orderType: "LIMIT", price: "150.25" })
      expect(row.status).toBe("SUBMITTED")
      expect(JSON.parse(sandbox.orderJson(row.orderId ?? ""))).toMatchObject({
        orderType: "LIMIT",
        price: 150.25
      })
    } finally {
      await tracker.stop()
    }
  })

  it("getExecution, listOpen and recordSubmission: a store that cannot answer is the StoreError", async () => {
    const database = path.join(dir, "fills.db")
    const tracker = await createFillTracker(options(database))
    try {
      await tracker.recordSubmission(submission())
      await onTheFile(database, "ALTER TABLE executions RENAME TO executions_gone")
      for (const call of [
        () => tracker.getExecution("e-1"),
        () => tracker.listOpen(),
        () => tracker.recordSubmission(submission({ executionId: "e-2", orderId: "1002" }))
      ]) {
        const e = await rejection(call())
        expect(e).toBeInstanceOf(StoreError)
        expect((e as StoreError)._tag).toBe("StoreError")
      }
    } finally {
      await tracker.stop()
    }
  })

  it("placeOrder, replaceOrder, cancelOrder, adopt and untracked reject with their typed errors; nothing is sent", async () => {
    const tracker = await createFillTracker(options(path.join(dir, "fills.db")))
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
