import * as fs from "node:fs"
import * as path from "node:path"
import { SqlClient } from "@effect/sql"
import { decodeOrder } from "@fill-tracker/domain"
import { lifecycle, type Sandbox, working } from "@fill-tracker/schwab-sandbox"
import { Deferred, Effect, Option } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import type { AppConfig } from "../src/config/AppConfig.js"
import { runCycleOnce, startPoller } from "../src/poller/Poller.js"
import type { CycleReport } from "../src/poller/pollCycle.js"
import { SnapshotMemo, snapshotFingerprint } from "../src/poller/snapshotMemo.js"
import { FillTracker } from "../src/tracker/FillTracker.js"
import { accountOf, authorize, cycleOptions, manualSandbox, runApp, tempDir, testConfig } from "./support.js"

let dir: string
let sandbox: Sandbox
let config: AppConfig

beforeEach(async () => {
  dir = tempDir("memo")
  sandbox = await manualSandbox()
  config = testConfig(sandbox, path.join(dir, "fills.db"))
})
afterEach(async () => {
  await sandbox.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const decoded = (orderId: string) => {
  const r = decodeOrder(sandbox.orderJson(orderId))
  if (r._tag === "Left") throw new Error(r.left.message)
  return r.right
}

describe("snapshotFingerprint", () => {
  it("is equal for the same snapshot and changes when a fill arrives", () => {
    const orderId = sandbox.seedOrder(
      accountOf(sandbox),
      { symbol: "AAPL", quantity: 2 },
      lifecycle("one later fill", [
        { kind: "fill", atMs: 5_000, executions: [{ quantity: "1", price: "10.5" }] }
      ])
    )
    const before = snapshotFingerprint(decoded(orderId))
    expect(snapshotFingerprint(decoded(orderId))).toBe(before)
    sandbox.advance(6_000)
    expect(snapshotFingerprint(decoded(orderId))).not.toBe(before)
  })
})

describe("SnapshotMemo in the poll cycle", () => {
  it("skips an execution whose history and snapshot are unchanged, and reads it again once either changes", async () => {
    const account = accountOf(sandbox)
    const quiet = sandbox.seedOrder(account, { symbol: "AAPL", quantity: 3 }, working())
    const later = sandbox.seedOrder(
      account,
      { symbol: "MSFT", quantity: 1 },
      lifecycle("fills later", [
        { kind: "fill", atMs: 60_000, executions: [{ quantity: "1", price: "410.1" }] }
      ])
    )
    const memo = new SnapshotMemo()
    const cycle = runCycleOnce(cycleOptions({ memo }))
    const r = await runApp(
      config,
      Effect.gen(function* () {
        yield* authorize(sandbox)
        const tracker = yield* FillTracker
        for (const [executionId, orderId, symbol, shares] of [
          ["quiet", quiet, "AAPL", 3],
          ["later", later, "MSFT", 1]
        ] as const)
          yield* tracker.recordSubmission({
            executionId,
            orderId,
            accountHash: account,
            symbol,
            shares,
            direction: "BUY"
          })
        const first = yield* cycle
        // Break both streams' stored payloads: a cycle that reads a stream now fails on it.
        const sql = yield* SqlClient.SqlClient
        yield* sql`UPDATE events SET payload = ${"{broken"}`
        const second = yield* cycle
        // A broker change (the MSFT fill) must be read even though the memo knows the execution.
        sandbox.advance(61_000)
        const third = yield* cycle
        return { first, second, third, later: Option.getOrThrow(yield* tracker.getExecution("later")) }
      })
    )
    expect(r.first?.outcomes.unchanged).toBe(2)
    // Nothing read: both skipped, although reading either stream would now fail.
    expect(r.second?.outcomes.unchanged).toBe(2)
    expect(r.second?.outcomes.error).toBe(0)
    // The changed snapshot is read (and fails on the broken payload); the quiet one is still skipped.
    expect(r.third?.outcomes.unchanged).toBe(1)
    expect(r.third?.outcomes.error).toBe(1)
    expect(r.later.status).toBe("SUBMITTED")
  })

  // The event-loop proof warmed a memo with a cycle, then started the poller, which threw it
  // away: its first cycle with streaming on re-read and reconciled all 10,000 open orders.
  it("is kept by a poller started with one: its first cycle skips what the memo knows", async () => {
    const account = accountOf(sandbox)
    const orderId = sandbox.seedOrder(account, { symbol: "AAPL", quantity: 3 }, working())
    const memo = new SnapshotMemo()
    const r = await runApp(
      config,
      Effect.gen(function* () {
        yield* authorize(sandbox)
        const tracker = yield* FillTracker
        yield* tracker.recordSubmission({
          executionId: "quiet",
          orderId,
          accountHash: account,
          symbol: "AAPL",
          shares: 3,
          direction: "BUY"
        })
        const warm = yield* runCycleOnce(cycleOptions({ memo }))
        // A cycle that reads the stream now fails on it: only a memo hit passes.
        const sql = yield* SqlClient.SqlClient
        yield* sql`UPDATE events SET payload = ${"{broken"}`
        const first = yield* Deferred.make<CycleReport | undefined>()
        const poller = yield* startPoller(
          cycleOptions({ memo, onCycle: (report) => Effect.asVoid(Deferred.succeed(first, report)) })
        )
        const report = yield* Deferred.await(first)
        yield* poller.stop
        return { warm, report }
      })
    )
    expect(r.warm?.reconciled).toBe(1)
    expect(r.report?.reconciled).toBe(0)
    expect(r.report?.outcomes).toMatchObject({ unchanged: 1, error: 0 })
  })
})
