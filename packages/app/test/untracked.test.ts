/**
 * Untracked orders: orders carrying this app's tag (the sandbox tags every order
 * `API_TDAM:SANDBOX`) in the lists the poller fetches that no execution follows are
 * reported once each, counted, listed, and can be adopted with their history.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import type { ExecutionId } from "@fill-tracker/domain"
import { fillsInLegs, type Sandbox, working } from "@fill-tracker/schwab-sandbox"
import { EventStore } from "@fill-tracker/store"
import { Effect } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import type { AppConfig } from "../src/config/AppConfig.js"
import { Metrics } from "../src/health/Metrics.js"
import { runCycleOnce } from "../src/poller/Poller.js"
import { UntrackedReport } from "../src/poller/untracked.js"
import { FillTracker } from "../src/tracker/FillTracker.js"
import {
  accountOf,
  authorize,
  cycleOptions,
  manualSandbox,
  runApp,
  tempDir,
  testConfig,
  withLogs
} from "./support.js"

const TAG = "API_TDAM:SANDBOX"
const DAY_MS = 24 * 3_600_000
let dir: string
let sandbox: Sandbox
let config: AppConfig

beforeEach(async () => {
  dir = tempDir("untracked")
  sandbox = await manualSandbox()
  config = testConfig(sandbox, path.join(dir, "fills.db"))
})
afterEach(async () => {
  await sandbox.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const submit = (executionId: string, orderId: string, shares: number) =>
  Effect.flatMap(FillTracker, (t) =>
    t.recordSubmission({
      executionId,
      orderId,
      accountHash: accountOf(sandbox),
      symbol: "AAPL",
      shares,
      direction: "BUY"
    })
  )

const versionOf = (executionId: string) =>
  Effect.flatMap(EventStore, (s) => s.readStream(executionId as ExecutionId)).pipe(
    Effect.map((s) => s.version)
  )

describe("untracked orders", () => {
  it("are counted and logged once per order (not per cycle); tracked, untagged-old and adopted ones are not", async () => {
    const tracked = sandbox.seedOrder(accountOf(sandbox), { symbol: "AAPL", quantity: 2 }, working())
    const lost = sandbox.seedOrder(accountOf(sandbox), { symbol: "MSFT", quantity: 3 }, fillsInLegs(3, 1_000))
    // Entered before the lookback: not reported.
    sandbox.seedOrder(
      accountOf(sandbox),
      { symbol: "KO", quantity: 1, enteredAt: sandbox.clock.now() - 2 * DAY_MS },
      working()
    )
    const cycle = runCycleOnce(
      cycleOptions({
        untracked: { options: { tag: TAG, lookbackMs: DAY_MS }, report: new UntrackedReport() }
      })
    )
    const r = await runApp(
      config,
      Effect.gen(function* () {
        yield* authorize(sandbox)
        yield* submit("tracked-1", tracked, 2)
        const metrics = yield* Metrics
        const { lines } = yield* withLogs(Effect.zipRight(cycle, cycle))
        const before = metrics.value("fill_tracker_untracked_orders")
        const listed = yield* Effect.flatMap(FillTracker, (t) =>
          t.untracked({ tag: TAG, lookbackMs: DAY_MS })
        )
        const noTag = yield* Effect.flatMap(FillTracker, (t) =>
          t.untracked({ tag: "OTHER_APP", lookbackMs: DAY_MS })
        )
        // Shares executed before anyone followed it: adopting keeps them.
        sandbox.advance(1_500)
        const executedBefore = String(sandbox.truth(lost).fills.reduce((n, f) => n + Number(f.quantity), 0))
        const adopted = yield* Effect.flatMap(FillTracker, (t) => t.adopt(lost, "adopted-1"))
        yield* cycle
        return {
          lines,
          executedBefore,
          before,
          after: metrics.value("fill_tracker_untracked_orders"),
          listed,
          noTag,
          adopted
        }
      })
    )
    const warned = r.lines.filter((l) => l.message.includes("followed by no execution"))
    expect(warned.map((l) => l.orderId)).toEqual([lost])
    expect(r.before).toBe(1)
    expect(r.listed.map((o) => [o.orderId, o.symbol, o.instruction, o.quantity])).toEqual([
      [lost, "MSFT", "BUY", "3"]
    ])
    expect(r.noTag).toEqual([])
    expect(r.adopted).toMatchObject({
      executionId: "adopted-1",
      orderId: lost,
      symbol: "MSFT",
      filledShares: r.executedBefore
    })
    expect(["1", "2"]).toContain(r.executedBefore)
    expect(r.after).toBe(0)
  })

  it("adopt refuses, with a typed error and nothing recorded: no such order, bad ids, an order another execution follows", async () => {
    const followed = sandbox.seedOrder(accountOf(sandbox), { symbol: "AAPL", quantity: 2 }, working())
    const free = sandbox.seedOrder(accountOf(sandbox), { symbol: "AAPL", quantity: 2 }, working())
    const r = await runApp(
      config,
      Effect.gen(function* () {
        yield* authorize(sandbox)
        yield* submit("owner-1", followed, 2)
        const tracker = yield* FillTracker
        const errors = [
          yield* Effect.flip(tracker.adopt("999999999", "x-1")),
          yield* Effect.flip(tracker.adopt("12x", "x-2")),
          yield* Effect.flip(tracker.adopt(free, "bad id\u0000")),
          yield* Effect.flip(tracker.adopt(followed, "x-4")),
          yield* Effect.flip(tracker.adopt(free, "x-5", { account: "11112222" }))
        ]
        const versions = yield* Effect.forEach(["x-1", "x-2", "x-4", "x-5"], versionOf)
        // The same adoption twice is one execution.
        const once = yield* tracker.adopt(free, "x-6")
        const twice = yield* tracker.adopt(free, "x-6")
        return { errors, versions, once, twice, history: yield* versionOf("x-6") }
      })
    )
    expect(r.errors.map((e) => e._tag)).toEqual([
      "CannotAdopt",
      "CannotAdopt",
      "InvalidSubmission",
      "OrderAlreadyFollowed",
      "InvalidAccount"
    ])
    expect(r.errors[0]?.message).toContain("no account this authorization can see has it")
    expect(r.errors[3]?.message).toContain("owner-1")
    expect(r.versions).toEqual([0, 0, 0, 0])
    expect(r.twice).toEqual(r.once)
    expect(r.history).toBe(1)
  })

  it("are found in the one list of every account too (several accounts open)", async () => {
    await sandbox.close()
    sandbox = await manualSandbox({
      accounts: [{ accountNumber: "12345678" }, { accountNumber: "99887766" }]
    })
    config = testConfig(sandbox, path.join(dir, "fills2.db"))
    const a = sandbox.seedOrder(accountOf(sandbox, 0), { symbol: "AAPL", quantity: 1 }, working())
    const b = sandbox.seedOrder(accountOf(sandbox, 1), { symbol: "AAPL", quantity: 1 }, working())
    const lost = sandbox.seedOrder(accountOf(sandbox, 1), { symbol: "MSFT", quantity: 2 }, working())
    const report = new UntrackedReport()
    const r = await runApp(
      config,
      Effect.gen(function* () {
        yield* authorize(sandbox)
        for (const [id, orderId, i] of [
          ["a-1", a, 0],
          ["b-1", b, 1]
        ] as const)
          yield* Effect.flatMap(FillTracker, (t) =>
            t.recordSubmission({
              executionId: id,
              orderId,
              accountHash: accountOf(sandbox, i),
              symbol: "AAPL",
              shares: 1,
              direction: "BUY"
            })
          )
        sandbox.resetRequests()
        const cycleReport = yield* runCycleOnce(
          cycleOptions({ untracked: { options: { tag: TAG, lookbackMs: DAY_MS }, report } })
        )
        return {
          listRequests: cycleReport?.listRequests,
          untracked: (yield* Metrics).value("fill_tracker_untracked_orders")
        }
      })
    )
    expect(r.listRequests).toBe(1)
    expect(r.untracked).toBe(1)
    expect(report.count()).toBe(1)
    expect(lost).toBeDefined()
  })
})
