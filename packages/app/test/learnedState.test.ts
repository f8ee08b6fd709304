/**
 * What the poller learns from Schwab outlives the process (LearnedFacts in the store): the
 * entered time of a late-recorded execution's order (else one getOrder per such execution
 * after every restart) and the untracked orders already reported (else logged again after
 * every restart). On a real SQLite file and a real PostgreSQL database, against the sandbox
 * over HTTP, through the service's own poller (`startPoller` with the service's options).
 */
import * as fs from "node:fs"
import * as path from "node:path"
import * as SqlClient from "@effect/sql/SqlClient"
import type { OrderId } from "@fill-tracker/domain"
import { immediateFill, type Sandbox, working } from "@fill-tracker/schwab-sandbox"
import { LearnedFacts, Leases, Replay, Store } from "@fill-tracker/store"
import { type Postgres, startPostgres } from "@fill-tracker/store/testing"
import { Deferred, Effect, type Layer, Option, Ref } from "effect"
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest"
import type { AppConfig } from "../src/config/AppConfig.js"
import { healthReport } from "../src/health/healthReport.js"
import { Metrics } from "../src/health/Metrics.js"
import { EnteredTimes } from "../src/poller/enteredTimes.js"
import { makeLeaseKeeper } from "../src/poller/leaseKeeper.js"
import { type PollerOptions, runCycleOnce, startPoller } from "../src/poller/Poller.js"
import { PollerStatus } from "../src/poller/PollerStatus.js"
import type { CycleReport } from "../src/poller/pollCycle.js"
import { pollerOptionsFrom } from "../src/poller/pollerOptions.js"
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
  type testLayer,
  withLogs
} from "./support.js"

/** What a program run by `runApp` may use: the whole app graph. */
type AppEnv = Layer.Layer.Success<ReturnType<typeof testLayer>>

const TAG = "API_TDAM:SANDBOX"
const HOUR_MS = 3_600_000
const GET_ROUTE = "GET /accounts/{hash}/orders/{orderId}"
const UNTRACKED_LINE = "followed by no execution"

let pg: Postgres | undefined
let databases = 0
beforeAll(async () => {
  pg = await startPostgres()
}, 120_000)
afterAll(async () => {
  await pg?.stop()
}, 60_000)

/** A new, empty store of each backend: a file in the test's directory, a database of its own. */
const backends = [
  { name: "SQLite", fresh: async (dir: string) => path.join(dir, `fills-${++databases}.db`) },
  {
    name: "PostgreSQL",
    fresh: async () => {
      const cluster = pg as Postgres
      const name = `learned_${++databases}`
      await Effect.runPromise(
        Effect.scoped(
          Effect.provide(
            Effect.flatMap(SqlClient.SqlClient, (sql) => sql`CREATE DATABASE ${sql.literal(name)}`),
            Store.layerFromUrl(cluster.url)
          )
        )
      )
      return cluster.urlOf(name)
    }
  }
] as const

/** What one run of the poller did: its cycles' reports, Schwab's getOrder calls, the untracked lines. */
interface Run {
  readonly reports: ReadonlyArray<CycleReport | undefined>
  readonly getOrders: number
  readonly untrackedLogged: ReadonlyArray<unknown>
  readonly untrackedCounted: number | undefined
}

const ofRun = (
  sandbox: Sandbox,
  reports: ReadonlyArray<CycleReport | undefined>,
  lines: ReadonlyArray<{ message: string; orderId: unknown }>,
  untrackedCounted: number | undefined
): Run => ({
  reports,
  getOrders: sandbox.requests().filter((r) => r.route === GET_ROUTE).length,
  untrackedLogged: lines.filter((l) => l.message.includes(UNTRACKED_LINE)).map((l) => l.orderId),
  untrackedCounted
})

describe.each(backends)("what the poller learned, on $name", (backend) => {
  let dir: string
  let sandbox: Sandbox
  let location: string
  beforeEach(async () => {
    dir = tempDir("learned")
    sandbox = await manualSandbox()
    location = await backend.fresh(dir)
  })
  afterEach(async () => {
    await sandbox.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  const configWith = (overrides: Partial<AppConfig> = {}) =>
    testConfig(sandbox, location, { orderTag: TAG, untrackedLookback: 24 * HOUR_MS, ...overrides })

  /** Starts the service's poller on the store, lets it finish its first cycle, stops it. */
  const runPoller = (config: AppConfig, before: Effect.Effect<void, unknown, AppEnv> = Effect.void) =>
    runApp(
      config,
      Effect.gen(function* () {
        yield* before
        sandbox.resetRequests()
        const reports: Array<CycleReport | undefined> = []
        const cycled = yield* Deferred.make<void>()
        const { lines } = yield* withLogs(
          Effect.gen(function* () {
            const poller = yield* startPoller({
              ...pollerOptionsFrom(config, []),
              onCycle: (report) =>
                Effect.zipRight(
                  Effect.sync(() => reports.push(report)),
                  Deferred.succeed(cycled, undefined)
                )
            })
            yield* Deferred.await(cycled)
            yield* poller.stop
          })
        )
        const counted = (yield* Metrics).value("fill_tracker_untracked_orders")
        return ofRun(sandbox, reports, lines, counted)
      })
    )

  const submit = (executionId: string, orderId: string, submittedAt?: Date) =>
    Effect.flatMap(FillTracker, (t) =>
      t.recordSubmission({
        executionId,
        orderId,
        accountHash: accountOf(sandbox),
        symbol: "AAPL",
        shares: 4,
        direction: "BUY",
        ...(submittedAt === undefined ? {} : { submittedAt })
      })
    ).pipe(Effect.orDie, Effect.asVoid)

  const learned = (orderIds: ReadonlyArray<string>) =>
    runApp(
      configWith(),
      Effect.gen(function* () {
        const facts = yield* LearnedFacts
        const entered = yield* facts.enteredTimes(orderIds as ReadonlyArray<OrderId>)
        const reported = yield* facts.reportedUntracked(0)
        return { entered: [...entered.keys()].sort(), reported: reported.map((r) => r.orderId).sort() }
      })
    )

  /**
   * `late`: entered by Schwab three hours ago, to be recorded now (outside the window its
   * submission gives); `lost`: an order of this app's that no execution follows.
   */
  const lateAndLost = () => ({
    late: sandbox.seedOrder(
      accountOf(sandbox),
      { symbol: "AAPL", quantity: 4, enteredAt: sandbox.clock.now() - 3 * HOUR_MS },
      working()
    ),
    lost: sandbox.seedOrder(accountOf(sandbox), { symbol: "MSFT", quantity: 3 }, working())
  })

  it("after a restart, and after a replay, a late-recorded execution costs no getOrder and an untracked order is not logged again", async () => {
    const { late, lost } = lateAndLost()
    const config = configWith()
    const first = await runPoller(
      config,
      Effect.zipRight(Effect.orDie(authorize(sandbox)), submit("late-1", late))
    )
    const restarted = await runPoller(config)
    const rebuilt = await runApp(
      config,
      Effect.flatMap(Replay, (r) => r.rebuild())
    )
    const afterReplay = await runPoller(config)

    expect(first.getOrders).toBe(1)
    expect(first.untrackedLogged).toEqual([lost])
    expect(rebuilt.executions).toBe(1)
    for (const run of [restarted, afterReplay]) {
      expect(run.reports[0]).toMatchObject({
        open: 1,
        listRequests: 1,
        getRequests: 0,
        storeError: undefined
      })
      expect(run.getOrders).toBe(0)
      expect(run.untrackedLogged).toEqual([])
      // Still counted: the metric says what is untracked now, the log line says it once.
      expect(run.untrackedCounted).toBe(1)
    }
  }, 120_000)

  it("prunes: untracked reports once entered before the lookback, entered times once the execution ended", async () => {
    const now = sandbox.clock.now()
    // Recorded when entered, 21 h ago, so the first list reaches back over the untracked
    // orders below; it fills a minute from now on the sandbox's clock.
    const early = now - 21 * HOUR_MS
    const late = sandbox.seedOrder(
      accountOf(sandbox),
      { symbol: "AAPL", quantity: 4, enteredAt: early },
      immediateFill({ price: "150.25", afterMs: 21 * HOUR_MS + 60_000 })
    )
    const old = sandbox.seedOrder(
      accountOf(sandbox),
      { symbol: "KO", quantity: 1, enteredAt: now - 20 * HOUR_MS },
      working()
    )
    const recent = sandbox.seedOrder(
      accountOf(sandbox),
      { symbol: "MSFT", quantity: 2, enteredAt: now - HOUR_MS },
      working()
    )
    const first = await runPoller(
      configWith(),
      Effect.zipRight(Effect.orDie(authorize(sandbox)), submit("late-1", late, new Date(early)))
    )
    const afterFirst = await learned([late])
    sandbox.advance(61_000)
    // Restarted with a two-hour lookback: the order entered 20 h ago is out of it for good.
    const shorter = await runPoller(configWith({ untrackedLookback: 2 * HOUR_MS }))
    const afterShorter = await learned([late])
    const state = await runApp(
      configWith(),
      Effect.flatMap(FillTracker, (t) => t.getExecution("late-1")).pipe(
        Effect.map((o) => Option.getOrThrow(o).state)
      )
    )
    // The next start forgets the entered time of an execution that ended.
    await runPoller(configWith({ untrackedLookback: 2 * HOUR_MS }))
    const afterEnd = await learned([late])

    expect([...first.untrackedLogged].sort()).toEqual([old, recent].sort())
    expect(afterFirst).toEqual({ entered: [late], reported: [old, recent].sort() })
    expect(shorter.untrackedLogged).toEqual([])
    expect(shorter.getOrders).toBe(0)
    expect(afterShorter).toEqual({ entered: [late], reported: [recent] })
    expect(state).toBe("FILLED")
    expect(afterEnd).toEqual({ entered: [], reported: [recent] })
  }, 120_000)

  it("another poller taking the account over starts from what the holder learned; before, it asks and logs nothing", async () => {
    const { late, lost } = lateAndLost()
    const config = configWith()
    /** One cycle of poller `id` as the service runs it: leased shard, memory kept across its cycles. */
    const pollerNamed = (id: string) => {
      const memory = {
        enteredTimes: new EnteredTimes(),
        untracked: { options: { tag: TAG, lookbackMs: 24 * HOUR_MS }, report: new UntrackedReport() }
      }
      return (before: Effect.Effect<void, unknown, AppEnv> = Effect.void) =>
        runApp(
          config,
          Effect.gen(function* () {
            yield* Effect.orDie(before)
            const keeper = yield* makeLeaseKeeper({ pollerId: id, shards: 1, ttlMs: 600_000 })
            yield* keeper.rebalance
            sandbox.resetRequests()
            const options: PollerOptions = { ...cycleOptions(memory), leases: keeper.cycle }
            const { a: report, lines } = yield* withLogs(runCycleOnce(options))
            return { ...ofRun(sandbox, [report], lines, memory.untracked.report.count()), report }
          })
        )
    }
    const holder = pollerNamed("holder")
    const other = pollerNamed("other")
    const held = await holder(Effect.zipRight(Effect.orDie(authorize(sandbox)), submit("late-1", late)))
    // The holder's lease lives on (600 s): the other poller holds nothing and polls nothing.
    const waiting = await other()
    // The holder goes away (a deploy): its shard is free and the other takes it.
    const took = await other(Effect.flatMap(Leases, (l) => l.release("holder")))

    expect(held.report).toMatchObject({ open: 1, getRequests: 1 })
    expect(held.untrackedLogged).toEqual([lost])
    expect(waiting.report).toMatchObject({ open: 0, storeOpen: 1, listRequests: 0, getRequests: 0 })
    expect(waiting.getOrders).toBe(0)
    expect(waiting.untrackedLogged).toEqual([])
    expect(took.report).toMatchObject({ open: 1, listRequests: 1, getRequests: 0, storeError: undefined })
    expect(took.getOrders).toBe(0)
    expect(took.untrackedLogged).toEqual([])
    expect(took.untrackedCounted).toBe(1)
  }, 120_000)
  it("a store that refuses the learned facts: health names the store, nothing is logged or lost, the next cycle writes them", async () => {
    const { late, lost } = lateAndLost()
    const memory = {
      enteredTimes: new EnteredTimes(),
      untracked: { options: { tag: TAG, lookbackMs: 24 * HOUR_MS }, report: new UntrackedReport() }
    }
    // Suspended: withLogs collects into a new array on each run.
    const cycle = Effect.suspend(() => withLogs(runCycleOnce(cycleOptions(memory))))
    const tables = ["order_entered_times", "untracked_reports"]
    // A real refusal by the database itself, as a full disk or a read-only grant would give.
    const refuse = Effect.flatMap(SqlClient.SqlClient, (sql) =>
      Effect.forEach(tables, (table) =>
        sql.onDialectOrElse({
          pg: () =>
            Effect.zipRight(
              sql.unsafe(`CREATE OR REPLACE FUNCTION refuse() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION 'refused for the test'; END $$ LANGUAGE plpgsql`),
              sql.unsafe(`CREATE TRIGGER refuse_${table} BEFORE INSERT ON ${table}
                FOR EACH ROW EXECUTE FUNCTION refuse()`)
            ),
          orElse: () =>
            sql.unsafe(`CREATE TRIGGER refuse_${table} BEFORE INSERT ON ${table}
              BEGIN SELECT RAISE(ABORT, 'refused for the test'); END`)
        })
      )
    )
    const allow = Effect.flatMap(SqlClient.SqlClient, (sql) =>
      Effect.forEach(tables, (table) =>
        sql.onDialectOrElse({
          pg: () => sql.unsafe(`DROP TRIGGER refuse_${table} ON ${table}`),
          orElse: () => sql.unsafe(`DROP TRIGGER refuse_${table}`)
        })
      )
    )
    const r = await runApp(
      configWith(),
      Effect.gen(function* () {
        yield* authorize(sandbox)
        yield* submit("late-1", late)
        yield* refuse
        const refused = yield* cycle
        const status = yield* Ref.get(yield* PollerStatus)
        const health = healthReport(
          status,
          { accessExpiresAt: undefined, refreshExpiresAt: undefined },
          Date.now(),
          { intervalMs: 60_000, maxJitterMs: 0 }
        )
        yield* allow
        sandbox.resetRequests()
        const recovered = yield* cycle
        const getOrders = sandbox.requests().filter((q) => q.route === GET_ROUTE).length
        return { refused, health, recovered, getOrders }
      })
    )
    const restarted = await runPoller(configWith())

    expect(r.refused.a?.storeError).toContain("refused for the test")
    expect(r.health.status).toBe("degraded")
    expect(r.health.problems).toContainEqual(
      expect.stringMatching(/^the store failed in the last cycle: .*refused for the test/)
    )
    // Not claimed, so not logged yet: the line comes with the claim, in the next cycle.
    expect(r.refused.lines.filter((l) => l.message.includes(UNTRACKED_LINE))).toEqual([])
    expect(r.recovered.a?.storeError).toBeUndefined()
    expect(r.recovered.lines.filter((l) => l.message.includes(UNTRACKED_LINE)).map((l) => l.orderId)).toEqual(
      [lost]
    )
    // What the refused cycle learned was kept in memory and written by the next one.
    expect(r.getOrders).toBe(0)
    expect(restarted.getOrders).toBe(0)
    expect(restarted.untrackedLogged).toEqual([])
  }, 120_000)
})
