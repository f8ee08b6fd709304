/**
 * `/health` meets real failures: a read-only database file, a full filesystem, a cycle
 * that crashes, Schwab refusing our token after a refresh, and executions in accounts no
 * live poller holds. Each turns the answer degraded (503) with the reason named; before the
 * fixes each of these answered 200 "ok".
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { SqlClient } from "@effect/sql"
import { immediateFill, type Sandbox } from "@fill-tracker/schwab-sandbox"
import { Leases, shardOf } from "@fill-tracker/store"
import { Effect } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { type HealthOptions, serveHealth } from "../src/health/HealthServer.js"
import { makeLeaseKeeper } from "../src/poller/leaseKeeper.js"
import { runCycleOnce } from "../src/poller/Poller.js"
import type { SnapshotMemo } from "../src/poller/snapshotMemo.js"
import { FillTracker } from "../src/tracker/FillTracker.js"
import { healthUrlOf, serviceEnv, startCli, until, waitFor } from "./serviceProcess.js"
import { accountOf, authorize, cycleOptions, manualSandbox, runApp, tempDir, testConfig } from "./support.js"

const healthOptions: HealthOptions = {
  port: 0,
  intervalMs: 60_000,
  maxJitterMs: 0,
  tokenExpiries: Effect.succeed({ accessExpiresAt: undefined, refreshExpiresAt: undefined })
}

interface Health {
  readonly code: number
  readonly body: { status: string; problems: ReadonlyArray<string>; [k: string]: unknown }
}

const fetchHealth = async (url: string): Promise<Health> => {
  const res = await fetch(url)
  return { code: res.status, body: (await res.json()) as Health["body"] }
}

const getHealth = (port: number) => Effect.promise(() => fetchHealth(`http://127.0.0.1:${port}/health`))

const isRoot = process.getuid?.() === 0

describe("health under real failures", () => {
  let dir: string
  let sandbox: Sandbox
  beforeEach(async () => {
    dir = tempDir("health-failures")
    sandbox = await manualSandbox()
  })
  afterEach(async () => {
    await sandbox.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  const submit = (executionId: string, account = accountOf(sandbox)) =>
    Effect.flatMap(FillTracker, (t) =>
      t.recordSubmission({
        executionId,
        orderId: sandbox.seedOrder(account, { symbol: "AAPL", quantity: 1 }, immediateFill()),
        accountHash: account,
        symbol: "AAPL",
        shares: 1,
        direction: "BUY"
      })
    )

  it("a read-only database file: the run process reports the store failing, not ok with nothing polled", async () => {
    const database = path.join(dir, "fills.db")
    const env = {
      ...serviceEnv(sandbox, database),
      FILL_TRACKER_TOKEN_KEY: "11".repeat(32),
      LOG_FORMAT: "json"
    }
    await runApp(testConfig(sandbox, database), Effect.zipRight(authorize(sandbox), submit("ro-1")))
    // The file (not its directory: SQLite keeps its -wal/-shm there) is read-only. Root ignores
    // file modes, so a root test runner starts the service as `nobody`.
    fs.chmodSync(dir, 0o777)
    fs.chmodSync(database, 0o444)
    const run = startCli(["run"], env, isRoot ? { uid: 65534, gid: 65534 } : undefined)
    try {
      await until(() => healthUrlOf(run.out.stderr) !== undefined, "the service announces its health URL")
      const url = healthUrlOf(run.out.stderr)!
      // The first write of a cycle is taking the account shards' leases: they cannot be taken,
      // so nothing is polled, and that is named instead of passing for a quiet success.
      // Unheld accounts are named after the takeover grace (1.25 lease times), so wait for that.
      const health = await waitFor(
        () => fetchHealth(url),
        (h) => h.body.problems.some((p) => p.includes("no live poller holds")),
        "health names the unheld account"
      )
      expect(health.code).toBe(503)
      expect(health.body).toMatchObject({
        status: "degraded",
        openExecutions: 1,
        heldExecutions: 0,
        unheldExecutions: 1,
        lastSuccessAt: null
      })
      expect(health.body.problems).toEqual([
        expect.stringMatching(/^\d+ failed cycles in a row$/),
        expect.stringMatching(/^no successful cycle since the start [\d.]+s ago$/),
        expect.stringMatching(
          /^poller leases cannot be renewed in the store: .*attempt to write a readonly database/
        ),
        "1 open execution(s) in 1 account(s) that no live poller holds"
      ])
      expect(health.body.lastError).toMatch(/^poller leases cannot be renewed: .*readonly/)
    } finally {
      run.child.kill("SIGTERM")
      await run.done
    }
  })

  /** Runs `program` in the app with the health endpoint up, returning its port to the program. */
  const withHealth = <A, E, R>(database: string, program: (port: number) => Effect.Effect<A, E, R>) =>
    runApp(
      testConfig(sandbox, database),
      Effect.flatMap(serveHealth(healthOptions), (port) => program(port)) as Effect.Effect<A, E, never>
    )

  it("a full filesystem: writes fail and health names the store", async () => {
    const mount = path.join(dir, "small")
    fs.mkdirSync(mount)
    const database = path.join(mount, "fills.db")
    if (isRoot) execFileSync("mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", mount])
    try {
      const r = await withHealth(database, (port) =>
        Effect.gen(function* () {
          yield* authorize(sandbox)
          yield* submit("full-1")
          yield* runCycleOnce(cycleOptions())
          const before = yield* getHealth(port)
          yield* submit("full-2")
          if (isRoot) {
            // Fill the filesystem to the last block.
            const chunk = Buffer.alloc(64 * 1024, 1)
            const fd = fs.openSync(path.join(mount, "filler"), "w")
            try {
              for (;;) fs.writeSync(fd, chunk)
            } catch (e) {
              if ((e as { code?: unknown }).code !== "ENOSPC") throw e
            } finally {
              fs.closeSync(fd)
            }
          } else {
            // Not root: SQLite's own size cap gives the same SQLITE_FULL, on the store's connection.
            const sql = yield* SqlClient.SqlClient
            const pages = yield* sql<{ page_count: number }>`PRAGMA page_count`
            yield* sql.unsafe(`PRAGMA max_page_count = ${pages[0]!.page_count}`)
          }
          yield* runCycleOnce(cycleOptions())
          return { before, after: yield* getHealth(port) }
        })
      )
      expect(r.before).toMatchObject({ code: 200, body: { status: "ok" } })
      expect(r.after.code).toBe(503)
      expect(r.after.body.status).toBe("degraded")
      expect(r.after.body.problems).toContainEqual(
        expect.stringMatching(/^the store failed in the last cycle: .*database or disk is full/)
      )
      expect(r.after.body).toMatchObject({ consecutiveFailures: 1, openExecutions: 1 })
    } finally {
      if (isRoot) execFileSync("umount", ["-l", mount])
    }
  })

  it("a crashed cycle counts as a failure and is named", async () => {
    const crashing = {
      retain: () => {
        throw new Error("memo bug")
      }
    } as unknown as SnapshotMemo
    const r = await withHealth(path.join(dir, "fills.db"), (port) =>
      Effect.gen(function* () {
        yield* authorize(sandbox)
        yield* submit("crash-1")
        yield* runCycleOnce(cycleOptions())
        yield* runCycleOnce(cycleOptions({ memo: crashing }))
        return yield* getHealth(port)
      })
    )
    expect(r.code).toBe(503)
    expect(r.body).toMatchObject({ status: "degraded", consecutiveFailures: 1, cycles: 2 })
    expect(r.body.problems).toEqual(["the last poll cycle crashed: cycle crashed: memo bug"])
  })

  it("Schwab answering 401 after the refresh: degraded, saying to log in again", async () => {
    const r = await withHealth(path.join(dir, "fills.db"), (port) =>
      Effect.gen(function* () {
        yield* authorize(sandbox)
        yield* submit("auth-1")
        sandbox.faults.inject({ route: "listOrders", kind: "unauthorized", probability: 1 })
        yield* runCycleOnce(cycleOptions())
        yield* runCycleOnce(cycleOptions())
        return yield* getHealth(port)
      })
    )
    expect(r.code).toBe(503)
    expect(r.body.problems).toEqual([
      "every listOrders call failed in the last cycle",
      expect.stringMatching(
        /^Schwab refused requests with 401 after a token refresh in 2 cycle\(s\) in a row: run `fill-tracker auth url`.*auth login/
      )
    ])
    // The client refreshed once per rejected request before giving up.
    expect(sandbox.requests().filter((q) => q.name === "token").length).toBeGreaterThanOrEqual(3)
  })

  it("executions in an account no live poller holds: degraded, with the count", async () => {
    const shards = 2
    // Two accounts, one on each shard: this poller takes one shard, the other stays unheld.
    const hashes = Array.from({ length: 64 }, (_, i) => `${"A".repeat(63)}${i.toString(16).toUpperCase()}`)
    const byShard = [0, 1].map((shard) => hashes.find((h) => shardOf(h, shards) === shard)!)
    await sandbox.close()
    sandbox = await manualSandbox({
      accounts: byShard.map((hashValue, i) => ({ accountNumber: `1000000${i}`, hashValue }))
    })
    const r = await withHealth(path.join(dir, "fills.db"), (port) =>
      Effect.gen(function* () {
        yield* authorize(sandbox)
        for (const [i] of sandbox.accounts.entries()) yield* submit(`unheld-${i}`, accountOf(sandbox, i))
        const leases = yield* Leases
        const sql = yield* SqlClient.SqlClient
        // A second poller registers and takes every shard, then stops renewing its leases
        // (stuck) while its registration still counts it live: this poller takes only its
        // fair half and the other half is held by nobody.
        yield* leases.balance({ pollerId: "stuck", shards, ttlMs: 600_000, release: true })
        yield* sql`UPDATE poller_leases SET expires_at = 1 WHERE owner = 'stuck'`
        const keeper = yield* makeLeaseKeeper({ pollerId: "me", shards, ttlMs: 600_000 })
        yield* keeper.rebalance
        yield* runCycleOnce(cycleOptions({ leases: keeper.cycle }))
        const rows = yield* leases.rows()
        return { health: yield* getHealth(port), rows }
      })
    )
    const mine = new Set(r.rows.filter((row) => row.owner === "me").map((row) => row.shard))
    expect(mine.size).toBe(1)
    const unheldAccounts = sandbox.accounts.filter((a) => !mine.has(shardOf(a.hashValue, shards)))
    expect(unheldAccounts.length).toBe(1)
    expect(r.health.code).toBe(503)
    expect(r.health.body).toMatchObject({
      openExecutions: sandbox.accounts.length,
      heldExecutions: sandbox.accounts.length - unheldAccounts.length,
      unheldExecutions: unheldAccounts.length
    })
    expect(r.health.body.problems).toEqual([
      `${unheldAccounts.length} open execution(s) in ${unheldAccounts.length} account(s) that no live poller holds`
    ])
  })
})
