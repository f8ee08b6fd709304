import * as fs from "node:fs"
import * as path from "node:path"
import {
  Decimal,
  type ExecutionId,
  instantFromDate,
  type OrderId,
  type Shares,
  type TickerSymbol
} from "@fill-tracker/domain"
import { immediateFill, type Sandbox, working } from "@fill-tracker/schwab-sandbox"
import { EventStore } from "@fill-tracker/store"
import { Effect, Option } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import type { AppConfig } from "../src/config/AppConfig.js"
import { Metrics } from "../src/health/Metrics.js"
import { EnteredTimes } from "../src/poller/enteredTimes.js"
import { runCycleOnce } from "../src/poller/Poller.js"
import { FillTracker } from "../src/tracker/FillTracker.js"
import { accountOf, authorize, cycleOptions, manualSandbox, runApp, tempDir, testConfig } from "./support.js"

let dir: string
let sandbox: Sandbox
let config: AppConfig

beforeEach(async () => {
  dir = tempDir("requests")
  sandbox = await manualSandbox()
  config = testConfig(sandbox, path.join(dir, "fills.db"))
})
afterEach(async () => {
  await sandbox.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

/** This test's sandbox replaced by one with three accounts. */
const threeAccounts = async () => {
  await sandbox.close()
  sandbox = await manualSandbox({
    accounts: [{ accountNumber: "11110001" }, { accountNumber: "11110002" }, { accountNumber: "11110003" }]
  })
  config = testConfig(sandbox, path.join(dir, "fills.db"))
}

const LIST_ROUTE = "GET /accounts/{hash}/orders"
const GET_ROUTE = "GET /accounts/{hash}/orders/{orderId}"
const cycle = runCycleOnce(cycleOptions({ concurrency: 16 }))
const DAY_MS = 24 * 3_600_000

const submit = (executionId: string, orderId: string, shares: number, submittedAt?: Date) =>
  Effect.flatMap(FillTracker, (t) =>
    t.recordSubmission({
      executionId,
      orderId,
      accountHash: accountOf(sandbox),
      symbol: "AAPL",
      shares,
      direction: "BUY",
      ...(submittedAt === undefined ? {} : { submittedAt })
    })
  )

/**
 * A submission recorded when the order was entered, long ago: a store holds such rows for
 * an order that stays open (recordSubmission takes only a time within a day of now).
 */
const recordedLongAgo = (executionId: string, orderId: string, shares: number, submittedAt: Date) =>
  Effect.flatMap(EventStore, (store) =>
    store.append(
      executionId as ExecutionId,
      0,
      [
        {
          type: "Submitted",
          executionId: executionId as ExecutionId,
          orderId: orderId as OrderId,
          accountHash: accountOf(sandbox),
          symbol: "AAPL" as TickerSymbol,
          shares: Decimal.fromBigInt(BigInt(shares)) as Shares,
          direction: "BUY",
          submittedAt: instantFromDate(submittedAt)
        }
      ],
      { source: "recordSubmission" }
    )
  )

const stateOf = (executionId: string) =>
  Effect.flatMap(FillTracker, (t) => t.getExecution(executionId)).pipe(
    Effect.map((o) => Option.getOrThrow(o).state)
  )

/** The Schwab requests the poller made (token exchanges excluded), by route template. */
const pollerRoutes = () =>
  sandbox
    .requests()
    .filter((r) => r.name !== "token")
    .map((r) => r.route)

describe("requests per cycle", () => {
  it("500 open orders in one account cost exactly one list request per cycle and no getOrder", async () => {
    const ids = Array.from({ length: 500 }, () =>
      sandbox.seedOrder(accountOf(sandbox), { symbol: "AAPL", quantity: 10 }, working())
    )
    const reports = await runApp(
      config,
      Effect.gen(function* () {
        yield* authorize(sandbox)
        yield* Effect.forEach(ids, (orderId, i) => submit(`bulk-${i}`, orderId, 10), { discard: true })
        sandbox.resetRequests()
        const first = yield* cycle
        const afterFirst = pollerRoutes()
        sandbox.resetRequests()
        const second = yield* cycle
        const metrics = yield* Metrics
        return {
          first,
          second,
          afterFirst,
          afterSecond: pollerRoutes(),
          listed: metrics.value("fill_tracker_schwab_requests_total", {
            method: "GET",
            route: "/accounts/{accountHash}/orders"
          }),
          got: metrics.value("fill_tracker_schwab_requests_total", {
            method: "GET",
            route: "/accounts/{accountHash}/orders/{orderId}"
          })
        }
      })
    )
    expect(reports.afterFirst).toEqual([LIST_ROUTE])
    expect(reports.afterSecond).toEqual([LIST_ROUTE])
    expect(reports.first?.open).toBe(500)
    expect(reports.first?.listRequests).toBe(1)
    expect(reports.first?.getRequests).toBe(0)
    expect(reports.first?.outcomes.unchanged).toBe(500)
    expect(reports.listed).toBe(2)
    expect(reports.got).toBe(0)
  })

  it("an execution recorded late (submittedAt hours after Schwab entered it) costs one getOrder, then none", async () => {
    const orderId = sandbox.seedOrder(
      accountOf(sandbox),
      { symbol: "AAPL", quantity: 4, enteredAt: sandbox.clock.now() - 3 * 3_600_000 },
      working()
    )
    // The poller keeps what it learned across cycles, as startPoller does.
    const learning = runCycleOnce(cycleOptions({ enteredTimes: new EnteredTimes() }))
    const routes = await runApp(
      config,
      Effect.gen(function* () {
        yield* authorize(sandbox)
        yield* submit("late-1", orderId, 4)
        const perCycle: Array<ReadonlyArray<string>> = []
        for (let i = 0; i < 3; i++) {
          sandbox.resetRequests()
          yield* learning
          perCycle.push(pollerRoutes())
        }
        // A cycle with nothing in memory (a restart) reads what the store kept: no getOrder
        // either (restart.test.ts restarts the real poller on SQLite and PostgreSQL).
        sandbox.resetRequests()
        yield* cycle
        perCycle.push(pollerRoutes())
        return perCycle
      })
    )
    expect(routes).toEqual([[LIST_ROUTE, GET_ROUTE], [LIST_ROUTE], [LIST_ROUTE], [LIST_ROUTE]])
  })

  it("open orders in three accounts cost one GET /orders per cycle, each order tracked in its own account", async () => {
    await threeAccounts()
    const orders = [0, 1, 2].map((i) => ({
      i,
      orderId: sandbox.seedOrder(
        accountOf(sandbox, i),
        { symbol: "AAPL", quantity: 2 },
        i === 1 ? immediateFill({ price: "101.0625", afterMs: 1_000 }) : working()
      )
    }))
    const r = await runApp(
      config,
      Effect.gen(function* () {
        yield* authorize(sandbox)
        yield* Effect.forEach(
          orders,
          ({ i, orderId }) =>
            Effect.flatMap(FillTracker, (t) =>
              t.recordSubmission({
                executionId: `acct-${i}`,
                orderId,
                accountHash: accountOf(sandbox, i),
                symbol: "AAPL",
                shares: 2,
                direction: "BUY"
              })
            ),
          { discard: true }
        )
        sandbox.resetRequests()
        const first = yield* cycle
        const afterFirst = pollerRoutes()
        sandbox.advance(1_000)
        sandbox.resetRequests()
        const second = yield* cycle
        return {
          first,
          second,
          afterFirst,
          afterSecond: pollerRoutes(),
          states: yield* Effect.forEach([0, 1, 2], (i) => stateOf(`acct-${i}`))
        }
      })
    )
    // The first list also fills the account-number cache that maps each order to its account.
    expect(r.afterFirst.filter((route) => route !== "GET /accounts/accountNumbers")).toEqual(["GET /orders"])
    expect(r.afterSecond).toEqual(["GET /orders"])
    expect(r.first).toMatchObject({ open: 3, listRequests: 1, getRequests: 0, accountFailures: 0 })
    expect(r.second).toMatchObject({ open: 3, listRequests: 1, getRequests: 0 })
    expect(r.states).toEqual(["SUBMITTED", "FILLED", "SUBMITTED"])
  })

  it("an all-accounts answer that may be cut at maxResults falls back to one list per account", async () => {
    await threeAccounts()
    const orders = [0, 1, 2].map((i) => ({
      i,
      orderId: sandbox.seedOrder(accountOf(sandbox, i), { symbol: "AAPL", quantity: 2 }, working())
    }))
    const r = await runApp(
      config,
      Effect.gen(function* () {
        yield* authorize(sandbox)
        yield* Effect.forEach(
          orders,
          ({ i, orderId }) =>
            Effect.flatMap(FillTracker, (t) =>
              t.recordSubmission({
                executionId: `cut-${i}`,
                orderId,
                accountHash: accountOf(sandbox, i),
                symbol: "AAPL",
                shares: 2,
                direction: "BUY"
              })
            ),
          { discard: true }
        )
        // Two orders nobody follows make the answer as long as maxResults: it may be cut.
        for (const i of [0, 2])
          sandbox.seedOrder(accountOf(sandbox, i), { symbol: "MSFT", quantity: 1 }, working())
        sandbox.resetRequests()
        const report = yield* runCycleOnce(cycleOptions({ allAccountsMaxResults: 5 }))
        const cutRoutes = pollerRoutes()
        // As many open orders as maxResults: the answer would be cut, so it is not asked for.
        sandbox.resetRequests()
        const skipped = yield* runCycleOnce(cycleOptions({ allAccountsMaxResults: 3 }))
        return { report, routes: cutRoutes, skipped, skippedRoutes: pollerRoutes() }
      })
    )
    const lists = r.routes.filter((route) => route !== "GET /accounts/accountNumbers")
    expect(lists).toEqual(["GET /orders", LIST_ROUTE, LIST_ROUTE, LIST_ROUTE])
    expect(r.report).toMatchObject({ open: 3, listRequests: 4, getRequests: 0, accountFailures: 0 })
    expect(r.report?.outcomes.unchanged).toBe(3)
    expect(r.skippedRoutes).toEqual([LIST_ROUTE, LIST_ROUTE, LIST_ROUTE])
    expect(r.skipped).toMatchObject({ open: 3, listRequests: 3, getRequests: 0 })
  })

  it("an order older than the list window costs one getOrder, and no list", async () => {
    const enteredAt = sandbox.clock.now() - 70 * DAY_MS
    const orderId = sandbox.seedOrder(
      accountOf(sandbox),
      { symbol: "AAPL", quantity: 4, enteredAt },
      immediateFill({ price: "150.25" })
    )
    const r = await runApp(
      config,
      Effect.gen(function* () {
        yield* authorize(sandbox)
        yield* recordedLongAgo("old-1", orderId, 4, new Date(enteredAt))
        sandbox.resetRequests()
        const report = yield* cycle
        return { report, routes: pollerRoutes(), state: yield* stateOf("old-1") }
      })
    )
    expect(r.routes).toEqual([GET_ROUTE])
    expect(r.report?.listRequests).toBe(0)
    expect(r.report?.getRequests).toBe(1)
    expect(r.state).toBe("FILLED")
  })

  it("an order the list does not return costs one getOrder beside the list", async () => {
    const now = sandbox.clock.now()
    // Entered at the broker well before the bot says it sent it: outside the list window.
    const missing = sandbox.seedOrder(
      accountOf(sandbox),
      { symbol: "AAPL", quantity: 2, enteredAt: now - 30 * 60_000 },
      immediateFill({ price: "10.00" })
    )
    const listed = sandbox.seedOrder(
      accountOf(sandbox),
      { symbol: "AAPL", quantity: 3 },
      immediateFill({ price: "11.00" })
    )
    const r = await runApp(
      config,
      Effect.gen(function* () {
        yield* authorize(sandbox)
        yield* submit("missing-1", missing, 2, new Date(now))
        yield* submit("listed-1", listed, 3, new Date(now))
        sandbox.resetRequests()
        const report = yield* cycle
        return {
          report,
          routes: pollerRoutes(),
          missing: yield* stateOf("missing-1"),
          listed: yield* stateOf("listed-1")
        }
      })
    )
    expect([...r.routes].sort()).toEqual([LIST_ROUTE, GET_ROUTE].sort())
    expect(r.report?.getRequests).toBe(1)
    expect(r.missing).toBe("FILLED")
    expect(r.listed).toBe("FILLED")
  })

  it("an inconsistent snapshot and a getOrder 404 do not stop the other orders", async () => {
    const brokenId = "9007199254799000001"
    // Two activities with one id: the fills cannot be told apart, so the snapshot is refused.
    sandbox.addRawOrder(
      accountOf(sandbox),
      `{
        "session": "NORMAL", "duration": "DAY", "orderType": "MARKET", "complexOrderStrategyType": "NONE",
        "quantity": 2.0, "filledQuantity": 2.0, "remainingQuantity": 0.0,
        "orderLegCollection": [
          { "orderLegType": "EQUITY", "legId": 1, "instrument": { "assetType": "EQUITY", "symbol": "AAPL", "instrumentId": 1973757747 },
            "instruction": "BUY", "positionEffect": "OPENING", "quantity": 2.0 }
        ],
        "orderStrategyType": "SINGLE", "orderId": ${brokenId}, "cancelable": false, "editable": false,
        "status": "FILLED", "enteredTime": "2025-08-29T14:00:00+0000", "closeTime": "2025-08-29T14:00:02+0000",
        "accountNumber": 12345678,
        "orderActivityCollection": [
          { "activityType": "EXECUTION", "activityId": 9170000000000000001, "executionType": "FILL", "quantity": 1.0,
            "orderRemainingQuantity": 1.0,
            "executionLegs": [{ "legId": 1, "quantity": 1.0, "price": 150.0, "time": "2025-08-29T14:00:01+0000" }] },
          { "activityType": "EXECUTION", "activityId": 9170000000000000001, "executionType": "FILL", "quantity": 1.0,
            "orderRemainingQuantity": 0.0,
            "executionLegs": [{ "legId": 1, "quantity": 1.0, "price": 151.0, "time": "2025-08-29T14:00:02+0000" }] }
        ]
      }`
    )
    const good = sandbox.seedOrder(
      accountOf(sandbox),
      { symbol: "AAPL", quantity: 3 },
      immediateFill({ price: "150.25" })
    )
    const r = await runApp(
      config,
      Effect.gen(function* () {
        yield* authorize(sandbox)
        yield* submit("broken-1", brokenId, 2)
        yield* submit("gone-1", "9007199254799999999", 1)
        yield* submit("good-1", good, 3)
        sandbox.resetRequests()
        const report = yield* cycle
        const metrics = yield* Metrics
        return {
          report,
          routes: pollerRoutes(),
          statuses: sandbox.requests().map((q) => q.status),
          broken: yield* stateOf("broken-1"),
          gone: yield* stateOf("gone-1"),
          good: yield* stateOf("good-1"),
          inconsistencies: metrics.value("fill_tracker_inconsistencies_total"),
          notFound: metrics.value("fill_tracker_schwab_errors_total", { kind: "OrderNotFound" })
        }
      })
    )
    expect(r.good).toBe("FILLED")
    expect(r.broken).toBe("SUBMITTED")
    expect(r.gone).toBe("SUBMITTED")
    expect(r.report?.outcomes).toMatchObject({ terminal: 1, inconsistent: 1, missing: 1, error: 0 })
    expect(r.inconsistencies).toBe(1)
    expect([...r.routes].sort()).toEqual([LIST_ROUTE, GET_ROUTE].sort())
    expect(r.statuses).toContain(404)
    expect(r.notFound).toBe(1)
  })
})
