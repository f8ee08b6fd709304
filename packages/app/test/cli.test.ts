import * as fs from "node:fs"
import * as path from "node:path"
import { SqlClient } from "@effect/sql"
import { fillsInLegs, immediateFill, type Sandbox, working } from "@fill-tracker/schwab-sandbox"
import { Effect, Option, Redacted } from "effect"
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
  })

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
  })

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
    })
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
    })

    it("show prints an execution's event history", async () => {
      const r = await cli(["show", "--database", database, "cli-aapl"])
      expect(r.code).toBe(0)
      const types = r.stdout
        .trim()
        .split("\n")
        .map((l) => l.split(" ")[3])
      expect(types).toEqual(["Submitted", "LegFilled", "LegFilled", "LegFilled", "Filled"])
      expect(r.stdout).toContain('"priceCents":"15025"')
    })

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
    })
  })

  it("accounts lists number masked and hash; submit takes a plain number and stores its hash", async () => {
    const dir = tempDir("cli-accounts")
    const sandbox = await manualSandbox({
      accounts: [{ accountNumber: "12345678" }, { accountNumber: "99887766" }]
    })
    try {
      const database = path.join(dir, "fills.db")
      const env = { ...serviceEnv(sandbox, database), LOG_LEVEL: "error" }
      expect((await cli(["auth", "login", "--code", sandbox.issueAuthorizationCode()], env)).code).toBe(0)
      const listed = await cli(["accounts"], env)
      expect(listed.code).toBe(0)
      expect(listed.stdout).toContain(`****5678  ${accountOf(sandbox, 0)}`)
      expect(listed.stdout).toContain(`****7766  ${accountOf(sandbox, 1)}`)
      expect(listed.stdout).not.toContain("12345678")
      expect(listed.stdout).not.toContain("99887766")
      const json = await cli(["accounts", "--json"], env)
      expect(
        json.stdout
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l))
      ).toEqual([
        { account: "****5678", hash: accountOf(sandbox, 0) },
        { account: "****7766", hash: accountOf(sandbox, 1) }
      ])

      const orderId = sandbox.seedOrder(accountOf(sandbox, 1), { symbol: "AAPL", quantity: 2 }, working())
      const order = ["--symbol", "AAPL", "--shares", "2", "--direction", "BUY"]
      const byNumber = await cli(
        ["submit", "--execution-id", "by-number", "--account", "99887766", "--order-id", orderId, ...order],
        env
      )
      expect(byNumber.code).toBe(0)
      expect(JSON.parse(byNumber.stdout)).toMatchObject({
        executionId: "by-number",
        accountHash: accountOf(sandbox, 1)
      })
      // A number Schwab does not know, and junk: refused (exit 2), the number masked.
      const unknown = await cli(
        ["submit", "--execution-id", "unknown-1", "--account", "11112222", "--order-id", "901", ...order],
        env
      )
      expect(unknown.code).toBe(2)
      expect(unknown.stderr).toContain("account ****2222 is neither the hash nor the number")
      expect(unknown.stderr).not.toContain("11112222")
      const junk = await cli(
        ["submit", "--execution-id", "junk-1", "--account", "no such/account", "--order-id", "902", ...order],
        env
      )
      expect(junk.code).toBe(2)
      expect(junk.stderr).toContain('invalid submission: accountHash: "no such/account"')
      // A hash the store already follows is recorded without asking Schwab, even with no
      // Schwab settings at all; a number needs them (it cannot be mapped) and is refused.
      const second = sandbox.seedOrder(accountOf(sandbox, 1), { symbol: "AAPL", quantity: 2 }, working())
      sandbox.resetRequests()
      const storeOnly = { FILL_TRACKER_DATABASE: database, LOG_LEVEL: "error" }
      const byHash = await cli(
        [
          "submit",
          "--execution-id",
          "by-hash",
          "--account",
          accountOf(sandbox, 1),
          "--order-id",
          second,
          ...order
        ],
        storeOnly
      )
      expect(byHash.code).toBe(0)
      const unmapped = await cli(
        ["submit", "--execution-id", "unmapped-1", "--account", "99887766", "--order-id", "903", ...order],
        storeOnly
      )
      expect(unmapped.code).toBe(2)
      expect(unmapped.stderr).toContain("account ****7766 is a plain account number")
      expect(unmapped.stderr).not.toContain("99887766")
      const third = sandbox.seedOrder(accountOf(sandbox, 1), { symbol: "AAPL", quantity: 2 }, working())
      const knownWithSettings = await cli(
        [
          "submit",
          "--execution-id",
          "known-hash",
          "--account",
          accountOf(sandbox, 1),
          "--order-id",
          third,
          ...order
        ],
        env
      )
      expect(knownWithSettings.code).toBe(0)
      expect(sandbox.requests()).toEqual([])
      // Nothing was recorded for any refused input.
      const status = await cli(["status", "--json", "--database", database])
      expect(
        status.stdout
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l).executionId)
          .sort()
      ).toEqual(["by-hash", "by-number", "known-hash"])
      // run refuses an account Schwab does not know before polling anything.
      const badRun = await cli(["run", "--accounts", "11112222"], env)
      expect(badRun.code).toBe(2)
      expect(badRun.stderr).toContain("account ****2222 is neither the hash nor the number")
      expect(badRun.stderr).not.toContain("11112222")
    } finally {
      await sandbox.close()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it("status --untracked lists this app's orders nobody follows; adopt tracks one; junk is refused", async () => {
    const dir = tempDir("cli-untracked")
    const sandbox = await manualSandbox()
    try {
      const database = path.join(dir, "fills.db")
      const env = {
        ...serviceEnv(sandbox, database),
        LOG_LEVEL: "error",
        SCHWAB_ORDER_TAG: "API_TDAM:SANDBOX"
      }
      expect((await cli(["auth", "login", "--code", sandbox.issueAuthorizationCode()], env)).code).toBe(0)
      const lost = sandbox.seedOrder(accountOf(sandbox), { symbol: "MSFT", quantity: 3 }, working())
      const listed = await cli(["status", "--untracked", "--json"], env)
      expect(listed.stderr).toBe("")
      expect(listed.code).toBe(0)
      expect(
        listed.stdout
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l))
      ).toMatchObject([
        { orderId: lost, symbol: "MSFT", instruction: "BUY", quantity: "3", status: "WORKING" }
      ])
      const refused = await cli(["adopt", "12x", "--execution-id", "a-0"], env)
      expect(refused.code).toBe(2)
      expect(refused.stderr).toContain("order 12x cannot be adopted")
      const adopted = await cli(["adopt", lost, "--execution-id", "a-1"], env)
      expect(adopted.code).toBe(0)
      expect(JSON.parse(adopted.stdout)).toMatchObject({
        executionId: "a-1",
        orderId: lost,
        status: "SUBMITTED"
      })
      const after = await cli(["status", "--untracked"], env)
      expect(after.code).toBe(0)
      expect(after.stdout).not.toContain(lost)
      const status = await cli(["status", "--json", "--database", database])
      expect(
        status.stdout
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l).executionId)
      ).toEqual(["a-1"])
    } finally {
      await sandbox.close()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it("place records the intent, places once and prints the row; again places nothing; bad input exits 2 recording nothing", async () => {
    const dir = tempDir("cli-place")
    const sandbox = await manualSandbox({ accounts: [{ accountNumber: "12345678" }] })
    sandbox.scriptNext(working(), working())
    try {
      const database = path.join(dir, "fills.db")
      const env = { ...serviceEnv(sandbox, database), LOG_LEVEL: "error" }
      expect((await cli(["auth", "login", "--code", sandbox.issueAuthorizationCode()], env)).code).toBe(0)
      const order = [
        "--account",
        "12345678",
        "--symbol",
        "AAPL",
        "--shares",
        "3",
        "--direction",
        "SELL_SHORT"
      ]
      const first = await cli(["place", "--execution-id", "placed-1", ...order], env)
      expect(first.code).toBe(0)
      const placed = sandbox.placements()
      expect(placed).toHaveLength(1)
      expect(JSON.parse(first.stdout)).toMatchObject({
        executionId: "placed-1",
        status: "SUBMITTED",
        orderId: placed[0]?.orderId,
        accountHash: accountOf(sandbox, 0)
      })
      const again = await cli(["place", "--execution-id", "placed-1", ...order], env)
      expect(again.code).toBe(0)
      expect(JSON.parse(again.stdout)).toMatchObject({ executionId: "placed-1", orderId: placed[0]?.orderId })
      expect(sandbox.placements()).toHaveLength(1)
      const bad = await cli(
        [
          "place",
          "--execution-id",
          "placed-2",
          "--account",
          "12345678",
          "--symbol",
          "AAPL",
          "--shares",
          "0",
          "--direction",
          "BUY"
        ],
        env
      )
      expect(bad.code).toBe(2)
      expect(bad.stderr).toContain("shares")
      expect(sandbox.placements()).toHaveLength(1)
      const shown = await cli(["show", "placed-2", "--database", database], env)
      expect(shown.code).not.toBe(0)
      expect(shown.stderr).toContain("no execution placed-2")
      // Replace then cancel through the tracker; an unknown execution is refused (exit 2).
      const replaced = await cli(["replace", "--execution-id", "placed-1", "--shares", "4"], env)
      expect(replaced.code).toBe(0)
      const replacement = sandbox.placements().find((p) => p.via === "replace")
      expect(JSON.parse(replaced.stdout)).toMatchObject({
        executionId: "placed-1",
        orderId: replacement?.orderId
      })
      expect((await cli(["cancel", "--execution-id", "placed-1"], env)).code).toBe(0)
      expect(sandbox.requests().filter((r) => r.name === "cancelOrder")).toHaveLength(1)
      const nobody = await cli(["cancel", "--execution-id", "nobody"], env)
      expect(nobody.code).toBe(2)
      expect(nobody.stderr).toContain("no execution nobody")
    } finally {
      await sandbox.close()
      fs.rmSync(dir, { recursive: true, force: true })
    }
    // Eleven binary starts took over 60 s at load 25: the package's 300 s only stops a hang.
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
      const config = testConfig(sandbox, database, {
        tokenKey: Redacted.make(env.FILL_TRACKER_TOKEN_KEY ?? "")
      })
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
      // The account by its plain number: polled under its hash (a number in the URL is refused).
      const run = start(["run", "--accounts", sandbox.accounts[0]?.accountNumber ?? ""], env)
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
  })

  it("demo runs to every order terminal, prints each fault and its progress, exits 0 with the summary", async () => {
    const dir = tempDir("cli-demo")
    try {
      // The demo ends by itself within its 60 s wait plus start-up; a run still going after
      // 240 s is a hang (one CI run met the test's 300 s timeout, which says nothing about
      // where). Then the child writes a Node diagnostic report (its open handles) and the test
      // fails with that and the output's tail.
      const run = startNode(
        [
          "--report-on-signal",
          "--report-signal=SIGUSR2",
          `--report-directory=${dir}`,
          builtBinary,
          "demo",
          "--timeout-seconds",
          "60",
          "--database",
          path.join(dir, "demo.db")
        ],
        {}
      )
      const hung = setTimeout(() => {
        run.child.kill("SIGUSR2")
        setTimeout(() => run.child.kill("SIGKILL"), 5_000)
      }, 240_000)
      const r = await run.done.finally(() => clearTimeout(hung))
      if (r.signal === "SIGKILL") {
        const reports = fs.readdirSync(dir).filter((f) => f.startsWith("report."))
        const handles = reports.map((f) =>
          JSON.stringify(
            JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")).libuv?.filter(
              (h: { is_active?: boolean }) => h.is_active
            )
          )
        )
        throw new Error(
          `demo hung past 240 s; open handles: ${handles.join("\n")}\nstdout tail:\n${r.stdout.split("\n").slice(-40).join("\n")}\nstderr tail:\n${r.stderr.split("\n").slice(-40).join("\n")}`
        )
      }
      expect(r.code).toBe(0)
      expect(r.stdout).toContain("MATCHES BROKER")
      expect(r.stdout).toMatch(/20 orders, 20 terminal, 0 mismatches/)
      // The demo streams by default, against the sandbox's streamer.
      expect(r.stdout).toMatch(/^streaming: on \(account activity from ws:\/\/127\.0\.0\.1:\d+\/ws/m)
      expect(r.stdout).not.toMatch(/\bNO\s*$/m)
      // Every injected fault was printed as it happened: as many lines as the summary counts.
      const faulted = Number(/(\d+) faulted/.exec(r.stdout)?.[1])
      expect(faulted).toBeGreaterThan(0)
      expect(r.stdout.split("\n").filter((l) => l.startsWith("  fault     "))).toHaveLength(faulted)
      // Progress while the late expiries are awaited, as plain lines to a pipe.
      expect(r.stdout).toMatch(/^waiting for \d+ open order\(s\) to end \(demo-\d\d.*\): \d+ s$/m)
      // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for the escape character itself
      expect(r.stdout).not.toMatch(/\x1b|\r/)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
