import * as fs from "node:fs"
import * as path from "node:path"
import { SqlClient } from "@effect/sql"
import { fillsInLegs, immediateFill, type Sandbox, working } from "@fill-tracker/schwab-sandbox"
import { Effect, Option } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runCycleOnce } from "../src/poller/Poller.js"
import { FillTracker } from "../src/tracker/FillTracker.js"
import { builtBinary, serviceEnv, startNode, until } from "./child.js"
import { accountOf, authorize, cycleOptions, manualSandbox, runApp, tempDir, testConfig } from "./support.js"

// The binary as users run it (test/globalSetup.ts bundles it when a source is newer).
const start = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  startNode([builtBinary, ...args], env)

const cli = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => start(args, env).done

// The commands run side by side; the test that tampers with a database has its own.
describe.concurrent("the fill-tracker binary", () => {
  it("exits 2 on invalid configuration, naming every problem", async () => {
    const r = await cli(["run", "--order-polling-interval", "nope", "--health-port", "99999"])
    expect(r.code).toBe(2)
    for (const named of [
      "--order-polling-interval / ORDER_POLLING_INTERVAL",
      "--health-port / HEALTH_PORT",
      "--schwab-app-key / SCHWAB_APP_KEY",
      "--schwab-app-secret / SCHWAB_APP_SECRET",
      "--token-key / FILL_TRACKER_TOKEN_KEY"
    ])
      expect(r.stderr).toContain(named)
    expect(r.stderr).toContain('"nope" is not a duration')
  }, 30_000)

  it("submit with bad fields exits 2, naming each bad field and no good one", async () => {
    const dir = tempDir("cli-submit")
    try {
      const database = path.join(dir, "fills.db")
      const args = ["submit", "--database", database, "--execution-id", "hand-1", "--account", "ABC"]
      const r = await cli([
        ...args,
        "--order-id",
        "12x",
        "--symbol",
        "AAPL",
        "--shares",
        "-4",
        "--direction",
        "BUY"
      ])
      expect(r.code).toBe(2)
      expect(r.stderr).toContain("orderId")
      expect(r.stderr).toContain("shares")
      expect(r.stderr).not.toContain("symbol:")
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }, 30_000)

  describe("on a database with rows", () => {
    let dir: string
    let sandbox: Sandbox
    let database: string
    let replayDatabase: string
    /** Two executions, one FILLED in three legs and one still open. */
    const fillDatabase = async (file: string) => {
      const account = accountOf(sandbox)
      const filled = sandbox.seedOrder(
        account,
        { symbol: "AAPL", quantity: 3 },
        fillsInLegs(3, 0, { prices: ["150.25", "150.26", "150.24"] })
      )
      const open = sandbox.seedOrder(account, { symbol: "MSFT", quantity: 5 }, working())
      await runApp(
        testConfig(sandbox, file),
        Effect.gen(function* () {
          yield* authorize(sandbox)
          const tracker = yield* FillTracker
          yield* tracker.recordSubmission({
            executionId: "cli-aapl",
            orderId: filled,
            accountHash: account,
            symbol: "AAPL",
            shares: 3,
            direction: "BUY"
          })
          yield* tracker.recordSubmission({
            executionId: "cli-msft",
            orderId: open,
            accountHash: account,
            symbol: "MSFT",
            shares: 5,
            direction: "SELL"
          })
          yield* runCycleOnce(cycleOptions())
        })
      )
    }
    beforeAll(async () => {
      dir = tempDir("cli-db")
      sandbox = await manualSandbox()
      database = path.join(dir, "fills.db")
      replayDatabase = path.join(dir, "replay.db")
      await fillDatabase(database)
      await fillDatabase(replayDatabase)
    }, 30_000)
    afterAll(async () => {
      await sandbox.close()
      fs.rmSync(dir, { recursive: true, force: true })
    })

    it("status --json prints one JSON row per execution, cents as text", async () => {
      const r = await cli(["status", "--json", "--database", database])
      expect(r.code).toBe(0)
      const rows = r.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, unknown>)
      const byId = Object.fromEntries(rows.map((row) => [row.executionId, row]))
      expect(Object.keys(byId).sort()).toEqual(["cli-aapl", "cli-msft"])
      expect(byId["cli-aapl"]).toMatchObject({ status: "FILLED", filledShares: "3", priceCents: "15025" })
      expect(byId["cli-msft"]).toMatchObject({ status: "SUBMITTED", filledShares: "0", priceCents: null })
    }, 30_000)

    it("show prints an execution's event history", async () => {
      const r = await cli(["show", "--database", database, "cli-aapl"])
      expect(r.code).toBe(0)
      const types = r.stdout
        .trim()
        .split("\n")
        .map((l) => l.split(" ")[3])
      expect(types).toEqual(["Submitted", "LegFilled", "LegFilled", "LegFilled", "Filled"])
      expect(r.stdout).toContain('"priceCents":"15025"')
    }, 30_000)

    it("replay --verify reports a tampered read model, replay repairs it", async () => {
      await runApp(
        testConfig(sandbox, replayDatabase),
        Effect.flatMap(
          SqlClient.SqlClient,
          (sql) => sql`UPDATE executions SET filled_shares = '2' WHERE execution_id = 'cli-aapl'`
        )
      )
      const dirty = await cli(["replay", "--verify", "--database", replayDatabase])
      expect(dirty.code).toBe(1)
      expect(dirty.stdout).toContain("cli-aapl")
      expect(dirty.stderr).toContain("1 execution(s) differ")
      const rebuilt = await cli(["replay", "--database", replayDatabase])
      expect(rebuilt.code).toBe(0)
      expect(rebuilt.stdout).toContain("replay: rebuilt 2 execution(s) from 6 event(s)")
      const again = await cli(["replay", "--verify", "--database", replayDatabase])
      expect(again.code).toBe(0)
      expect(again.stdout).toContain(
        "verify: the events pass check and the live read model equals the one rebuilt from them"
      )
    }, 60_000)
  })

  it("run tracks orders and exits 0 on SIGTERM", async () => {
    const dir = tempDir("cli-run")
    const sandbox = await manualSandbox()
    try {
      const database = path.join(dir, "fills.db")
      const env = serviceEnv(sandbox, database)
      const login = await cli(["auth", "login", "--code", sandbox.issueAuthorizationCode()], env)
      expect(login.code).toBe(0)
      expect(login.stdout).toContain("authorized: tokens stored")
      const orderId = sandbox.seedOrder(
        accountOf(sandbox),
        { symbol: "AAPL", quantity: 2 },
        immediateFill({ price: "150.25" })
      )
      const config = testConfig(sandbox, database)
      await runApp(
        config,
        Effect.flatMap(FillTracker, (t) =>
          t.recordSubmission({
            executionId: "run-1",
            orderId,
            accountHash: accountOf(sandbox),
            symbol: "AAPL",
            shares: 2,
            direction: "BUY"
          })
        )
      )
      const run = start(["run"], env)
      await until(
        () => run.out.stderr.includes('"message":"execution filled"'),
        "the run child records the fill"
      )
      run.child.kill("SIGTERM")
      const r = await run.done
      expect(r.signal).toBeNull()
      expect(r.code).toBe(0)
      expect(r.stderr).toContain("shutting down")
      const row = await runApp(
        config,
        Effect.flatMap(FillTracker, (t) => t.getExecution("run-1"))
      )
      expect(Option.getOrThrow(row)).toMatchObject({
        status: "FILLED",
        filledShares: "2",
        priceCents: 15025n
      })
    } finally {
      await sandbox.close()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)

  it("demo runs to every order terminal, exits 0 and prints the summary", async () => {
    const dir = tempDir("cli-demo")
    try {
      const r = await cli(["demo", "--timeout-seconds", "60", "--database", path.join(dir, "demo.db")])
      expect(r.code).toBe(0)
      expect(r.stdout).toContain("MATCHES BROKER")
      expect(r.stdout).toMatch(/20 orders, 20 terminal, 0 mismatches/)
      expect(r.stdout).not.toMatch(/\bNO\s*$/m)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }, 90_000)
})
