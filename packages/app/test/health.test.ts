import * as fs from "node:fs"
import * as path from "node:path"
import { SchwabAuth } from "@fill-tracker/schwab-client"
import { fillsInLegs, type Sandbox } from "@fill-tracker/schwab-sandbox"
import { Effect, Layer, Ref, TestClock, TestContext } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { tokenExpiries } from "../src/cli/run.js"
import type { AppConfig } from "../src/config/AppConfig.js"
import { currentHealth, type HealthOptions, serveHealth } from "../src/health/HealthServer.js"
import { healthReport } from "../src/health/healthReport.js"
import { runCycleOnce } from "../src/poller/Poller.js"
import { initialStatus, PollerStatus, type PollerStatusValue } from "../src/poller/PollerStatus.js"
import { FillTracker } from "../src/tracker/FillTracker.js"
import { accountOf, authorize, cycleOptions, manualSandbox, runApp, tempDir, testConfig } from "./support.js"

const options = (overrides: Partial<HealthOptions> = {}): HealthOptions => ({
  port: 0,
  intervalMs: 15_000,
  maxJitterMs: 5_000,
  tokenExpiries: Effect.succeed({ accessExpiresAt: undefined, refreshExpiresAt: undefined }),
  ...overrides
})

describe("the health endpoint over HTTP", () => {
  let dir: string
  let sandbox: Sandbox
  let config: AppConfig
  beforeEach(async () => {
    dir = tempDir("health")
    sandbox = await manualSandbox()
    config = testConfig(sandbox, path.join(dir, "fills.db"))
  })
  afterEach(async () => {
    await sandbox.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  const get = (port: number, route: string) =>
    Effect.promise(async () => {
      const res = await fetch(`http://127.0.0.1:${port}${route}`)
      return { status: res.status, type: res.headers.get("content-type"), text: await res.text() }
    })

  it("is starting before a good cycle, ok after one, degraded with the reasons while lists fail, and serves the metric families", async () => {
    const orderId = sandbox.seedOrder(
      accountOf(sandbox),
      { symbol: "AAPL", quantity: 4 },
      fillsInLegs(2, 60_000, { prices: ["150.25", "150.25"] })
    )
    const r = await runApp(
      config,
      Effect.gen(function* () {
        yield* authorize(sandbox)
        yield* Effect.flatMap(FillTracker, (t) =>
          t.recordSubmission({
            executionId: "h-1",
            orderId,
            accountHash: accountOf(sandbox),
            symbol: "AAPL",
            shares: 4,
            direction: "BUY"
          })
        )
        const auth = yield* SchwabAuth.SchwabAuth
        const port = yield* serveHealth(
          options({ tokenExpiries: tokenExpiries.pipe(Effect.provideService(SchwabAuth.SchwabAuth, auth)) })
        )
        const before = yield* get(port, "/health")
        yield* runCycleOnce(cycleOptions())
        const good = yield* get(port, "/health")
        const fault = sandbox.faults.inject({ route: "listOrders", kind: "serverError", probability: 1 })
        yield* runCycleOnce(cycleOptions())
        const oneFailure = yield* get(port, "/health")
        yield* runCycleOnce(cycleOptions())
        yield* runCycleOnce(cycleOptions())
        const degraded = yield* get(port, "/health")
        fault.remove()
        sandbox.advance(60_000)
        yield* runCycleOnce(cycleOptions())
        const recovered = yield* get(port, "/health")
        const metrics = yield* get(port, "/metrics")
        const missing = yield* get(port, "/nope")
        return { before, good, oneFailure, degraded, recovered, metrics, missing }
      })
    )
    expect(r.before.status).toBe(503)
    expect(JSON.parse(r.before.text)).toMatchObject({
      status: "starting",
      problems: [],
      cycles: 0,
      lastCycleAt: null
    })

    expect(r.good.status).toBe(200)
    expect(r.good.type).toBe("application/json")
    const good = JSON.parse(r.good.text)
    expect(good).toMatchObject({
      status: "ok",
      problems: [],
      cycles: 1,
      consecutiveFailures: 0,
      openExecutions: 1,
      heldExecutions: 1
    })
    expect(typeof good.lastSuccessAt).toBe("string")
    expect(typeof good.tokens.refreshExpiresAt).toBe("string")

    // Every list call failing is not a success: degraded from the first such cycle.
    expect(r.oneFailure.status).toBe(503)
    expect(JSON.parse(r.oneFailure.text)).toMatchObject({
      status: "degraded",
      consecutiveFailures: 1,
      problems: ["every listOrders call failed in the last cycle"]
    })
    expect(r.degraded.status).toBe(503)
    const degraded = JSON.parse(r.degraded.text)
    expect(degraded).toMatchObject({ status: "degraded", consecutiveFailures: 3, cycles: 4 })
    expect(degraded.problems).toEqual([
      "3 failed cycles in a row",
      "every listOrders call failed in the last cycle"
    ])
    expect(degraded.lastError).toContain("could not be listed")

    expect(r.recovered.status).toBe(200)
    expect(JSON.parse(r.recovered.text)).toMatchObject({ status: "ok", consecutiveFailures: 0, cycles: 5 })

    expect(r.metrics.status).toBe(200)
    expect(r.metrics.type).toContain("text/plain")
    const text = r.metrics.text
    for (const family of [
      "fill_tracker_cycles_total",
      "fill_tracker_schwab_requests_total",
      "fill_tracker_schwab_retries_total",
      "fill_tracker_schwab_errors_total",
      "fill_tracker_fills_recorded_total",
      "fill_tracker_open_executions",
      "fill_tracker_held_executions",
      "fill_tracker_health_status",
      "fill_tracker_last_successful_cycle_timestamp_seconds",
      "fill_tracker_refresh_token_expiry_timestamp_seconds"
    ])
      expect(text).toContain(`# TYPE ${family} `)
    expect(text).toContain("fill_tracker_cycles_total 5")
    // At the client's exchange: each failing cycle sent its list twice (retry policy of 2 attempts).
    const list = 'method="GET",route="/accounts/{accountHash}/orders"'
    expect(text).toContain(`fill_tracker_schwab_requests_total{${list},status="200"} 2`)
    expect(text).toContain(`fill_tracker_schwab_requests_total{${list},status="500"} 6`)
    expect(text).toContain(`fill_tracker_schwab_retries_total{${list}} 3`)
    expect(text).toContain('fill_tracker_schwab_errors_total{kind="ServerError"} 3')
    expect(text).toContain("fill_tracker_fills_recorded_total 2")
    expect(text).toContain('fill_tracker_health_status{state="ok"} 1')
    expect(text).toContain('fill_tracker_health_status{state="degraded"} 0')
    expect(text).toContain("# TYPE fill_tracker_cycle_duration_seconds histogram")
    expect(text).toContain("fill_tracker_cycle_duration_seconds_count 5")
    expect(text).toContain("# TYPE fill_tracker_fill_detection_seconds histogram")
    expect(text).toContain('fill_tracker_fill_detection_seconds_bucket{le="+Inf"} 2')
    expect(text).toContain("fill_tracker_fill_detection_seconds_count 2")
    const expiry = /^fill_tracker_refresh_token_expiry_timestamp_seconds (\d+(\.\d+)?)$/m.exec(text)
    expect(Number(expiry?.[1]) * 1000).toBe(Date.parse(good.tokens.refreshExpiresAt))
    // Process, GC and event-loop metrics come from prom-client's default collectors.
    for (const family of [
      "process_cpu_seconds_total",
      "nodejs_eventloop_lag_seconds",
      "nodejs_gc_duration_seconds"
    ])
      expect(text).toContain(`# TYPE ${family} `)
    expect(r.missing.status).toBe(404)
  })
})

describe("currentHealth on the Effect clock", () => {
  it("turns degraded once no cycle has succeeded for 3 x (interval + jitter), not a millisecond before", async () => {
    const o = options({ intervalMs: 15_000, maxJitterMs: 5_000 })
    const staleAfter = 3 * (15_000 + 5_000)
    const r = await Effect.runPromise(
      Effect.gen(function* () {
        const status = yield* PollerStatus
        const look = Effect.map(currentHealth(o), (h) => ({ status: h.status, problems: h.problems }))
        const atStart = yield* look
        yield* TestClock.adjust(staleAfter)
        const lastMomentStarting = yield* look
        yield* TestClock.adjust(1)
        const neverSucceeded = yield* look
        const now = staleAfter + 1
        yield* Ref.update(status, (s) => ({ ...s, lastCycleAt: now, lastSuccessAt: now, cycles: 1 }))
        const succeeded = yield* look
        yield* TestClock.adjust(staleAfter)
        const lastMomentOk = yield* look
        yield* TestClock.adjust(1)
        const overdue = yield* look
        return { atStart, lastMomentStarting, neverSucceeded, succeeded, lastMomentOk, overdue }
      }).pipe(
        Effect.provide(Layer.effect(PollerStatus, Ref.make(initialStatus(0)))),
        Effect.provide(TestContext.TestContext)
      )
    )
    expect(r.atStart).toEqual({ status: "starting", problems: [] })
    expect(r.lastMomentStarting).toEqual({ status: "starting", problems: [] })
    expect(r.neverSucceeded).toEqual({
      status: "degraded",
      problems: ["no successful cycle since the start 60s ago"]
    })
    expect(r.succeeded).toEqual({ status: "ok", problems: [] })
    expect(r.lastMomentOk).toEqual({ status: "ok", problems: [] })
    expect(r.overdue).toEqual({ status: "degraded", problems: ["no successful cycle for 60s"] })
  })
})

describe("healthReport", () => {
  const now = Date.parse("2026-01-02T15:00:00Z")
  const status = (overrides: Partial<PollerStatusValue> = {}): PollerStatusValue => ({
    ...initialStatus(now - 60_000),
    lastCycleAt: now - 1_000,
    lastSuccessAt: now - 1_000,
    lastCycleMs: 12,
    openExecutions: 3,
    heldExecutions: 2,
    cycles: 4,
    ...overrides
  })
  const noTokens = { accessExpiresAt: undefined, refreshExpiresAt: undefined }

  it("is ok with a recent success, counting the store's open executions apart from those held", () => {
    const r = healthReport(status(), noTokens, now, options())
    expect(r).toMatchObject({
      status: "ok",
      problems: [],
      warnings: [],
      openExecutions: 3,
      heldExecutions: 2,
      unheldExecutions: 0,
      lastCycleMs: 12,
      lastError: null
    })
    expect(r.lastSuccessAt).toBe(new Date(now - 1_000).toISOString())
  })

  it("is starting until a first successful cycle, then degraded once that is overdue", () => {
    const fresh = initialStatus(now - 1_000)
    expect(healthReport(fresh, noTokens, now, options())).toMatchObject({ status: "starting", problems: [] })
    const failedOnce = { ...fresh, cycles: 1, consecutiveFailures: 1, lastCycleAt: now - 10 }
    expect(healthReport(failedOnce, noTokens, now, options()).status).toBe("starting")
    const late = healthReport(initialStatus(now - 61_000), noTokens, now, options())
    expect(late.status).toBe("degraded")
    expect(late.problems).toEqual(["no successful cycle since the start 61s ago"])
  })

  it("is ok after two failures and degraded from the third", () => {
    expect(healthReport(status({ consecutiveFailures: 2 }), noTokens, now, options()).status).toBe("ok")
    const r = healthReport(status({ consecutiveFailures: 3, lastError: "boom" }), noTokens, now, options())
    expect(r.status).toBe("degraded")
    expect(r.problems).toEqual(["3 failed cycles in a row"])
    expect(r.lastError).toBe("boom")
  })

  it("is degraded when no cycle has succeeded for longer than three intervals plus jitter", () => {
    // 3 × (15 s + 5 s) = 60 s
    const o = options()
    expect(healthReport(status({ lastSuccessAt: now - 60_000 }), noTokens, now, o).status).toBe("ok")
    const stale = healthReport(status({ lastSuccessAt: now - 61_000 }), noTokens, now, o)
    expect(stale.status).toBe("degraded")
    expect(stale.problems).toEqual(["no successful cycle for 61s"])
  })

  it("names every reason at once", () => {
    const r = healthReport(
      status({
        consecutiveFailures: 4,
        lastSuccessAt: now - 90_000,
        lastCycleCrashed: true,
        lastError: "cycle crashed: boom",
        storeError: "Sql: attempt to write a readonly database",
        leaseRenewalError: "Sql: database or disk is full",
        everyListFailed: true,
        unauthorizedCycles: 2,
        unheld: { executions: 5, accounts: 2 },
        unheldSince: now - 1
      }),
      { accessExpiresAt: undefined, refreshExpiresAt: new Date(now - 1).toISOString() },
      now,
      options(),
      { problems: ["stream: down"], warnings: ["stream: slow"] }
    )
    expect(r.status).toBe("degraded")
    expect(r.problems).toEqual([
      "4 failed cycles in a row",
      "no successful cycle for 90s",
      "the last poll cycle crashed: cycle crashed: boom",
      "the store failed in the last cycle: Sql: attempt to write a readonly database",
      "poller leases cannot be renewed in the store: Sql: database or disk is full",
      "every listOrders call failed in the last cycle",
      expect.stringMatching(
        /^Schwab refused requests with 401 after a token refresh in 2 cycle\(s\) in a row: run `fill-tracker auth url`/
      ),
      "5 open execution(s) in 2 account(s) that no live poller holds",
      expect.stringMatching(/^Schwab refresh token expired: run `fill-tracker auth url`/),
      "stream: down"
    ])
    expect(r.warnings).toEqual(["stream: slow"])
    expect(r.unheldExecutions).toBe(5)
  })

  it("allows unheld executions for the takeover grace, not longer", () => {
    const unheld = { unheld: { executions: 1, accounts: 1 } }
    const o = options({ unheldGraceMs: 6_250 })
    expect(healthReport(status({ ...unheld, unheldSince: now - 6_249 }), noTokens, now, o).status).toBe("ok")
    expect(healthReport(status({ ...unheld, unheldSince: now - 6_250 }), noTokens, now, o).problems).toEqual([
      "1 open execution(s) in 1 account(s) that no live poller holds"
    ])
  })

  it("is degraded when the refresh token has expired, warns within a day of it, and says how to fix it", () => {
    const tokens = {
      accessExpiresAt: "2026-01-02T14:00:00.000Z",
      refreshExpiresAt: "2026-01-02T14:59:59.000Z"
    }
    const r = healthReport(status(), tokens, now, options())
    expect(r.status).toBe("degraded")
    expect(r.problems[0]).toContain("auth login")
    expect(r.tokens).toEqual(tokens)
    const soon = { ...tokens, refreshExpiresAt: "2026-01-03T12:30:00.000Z" }
    const warned = healthReport(status(), soon, now, options())
    expect(warned).toMatchObject({ status: "ok", problems: [] })
    expect(warned.warnings).toEqual([
      expect.stringMatching(
        /^Schwab refresh token expires in 21h 30m \(2026-01-03T12:30:00.000Z\): run `fill-tracker auth url`.*auth login/
      )
    ])
    const justOverADay = { ...tokens, refreshExpiresAt: new Date(now + 24 * 3_600_000 + 1).toISOString() }
    expect(healthReport(status(), justOverADay, now, options())).toMatchObject({ status: "ok", warnings: [] })
  })
})
