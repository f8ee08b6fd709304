/**
 * The `run` process as an operator meets it: where its logs go in each format, how long
 * SIGTERM takes while a Schwab request hangs, and its health port (page, /health, /metrics)
 * answering loopback names only.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { immediateFill, type Sandbox } from "@fill-tracker/schwab-sandbox"
import { Effect } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { FillTracker } from "../src/tracker/FillTracker.js"
import { getWithHost } from "./httpGet.js"
import { healthUrlOf, serviceEnv, startCli, until } from "./serviceProcess.js"
import { accountOf, authorize, manualSandbox, requestsNamed, runApp, tempDir, testConfig } from "./support.js"

describe("the run process", () => {
  let dir: string
  let sandbox: Sandbox
  let env: Record<string, string>
  beforeEach(async () => {
    dir = tempDir("service")
    sandbox = await manualSandbox()
    env = { ...serviceEnv(sandbox, path.join(dir, "fills.db")), FILL_TRACKER_TOKEN_KEY: "11".repeat(32) }
    // Authorized in-process (testConfig has the same token key): one tsx start-up less per test.
    await runApp(testConfig(sandbox, env.FILL_TRACKER_DATABASE!), authorize(sandbox))
  })
  afterEach(async () => {
    await sandbox.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  const runUntilRunning = async (extra: Record<string, string>) => {
    const run = startCli(["run"], { ...env, ...extra })
    await until(() => run.out.stderr.includes("fill-tracker running"), "the service starts")
    run.child.kill("SIGTERM")
    const r = await run.done
    expect(r.signal).toBeNull()
    expect(r.code).toBe(0)
    return r
  }

  it.each(["pretty", "json"])(
    "logs only to stderr in the %s format, and nothing else goes there",
    async (format) => {
      const r = await runUntilRunning({ LOG_FORMAT: format, NO_COLOR: "1" })
      expect(r.stdout).toBe("")
      const lines = r.stderr.split("\n").filter((l) => l.trim() !== "")
      expect(lines.length).toBeGreaterThan(0)
      expect(lines.filter((l) => l.trim() === "undefined")).toEqual([])
      if (format === "json") {
        for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow()
        expect(lines.map((l) => JSON.parse(l).message)).toContain("fill-tracker running")
      } else {
        // The pretty format's first line of an entry: [time] LEVEL (#fiber): message
        expect(r.stderr).toMatch(/^\[[^\]]+\] INFO \(#\d+\): fill-tracker running$/m)
        expect(r.stderr).toMatch(/^\s+healthPort: \d+$/m)
        // NO_COLOR: no escape codes.
        expect(r.stderr).not.toContain("\u001b[")
      }
    },
    120_000
  )

  it("exits 0 soon after the grace while a Schwab request hangs, cutting the request", async () => {
    const orderId = sandbox.seedOrder(accountOf(sandbox), { symbol: "AAPL", quantity: 1 }, immediateFill())
    await runApp(
      testConfig(sandbox, env.FILL_TRACKER_DATABASE!),
      Effect.flatMap(FillTracker, (t) =>
        t.recordSubmission({
          executionId: "hang-1",
          orderId,
          accountHash: accountOf(sandbox),
          symbol: "AAPL",
          shares: 1,
          direction: "BUY"
        })
      )
    )
    sandbox.faults.inject({ route: "listOrders", kind: "hang", probability: 1 })
    // Without the cut, stopping would wait out this timeout (and the retries after it).
    const requestTimeoutMs = 120_000
    const run = startCli(["run"], {
      ...env,
      LOG_FORMAT: "json",
      SHUTDOWN_GRACE: "1s",
      SCHWAB_REQUEST_TIMEOUT: `${requestTimeoutMs / 1000}s`
    })
    await until(
      () => requestsNamed(sandbox, "listOrders").some((q) => q.fault === "hang"),
      "a listOrders request hangs"
    )
    const signalledAt = Date.now()
    run.child.kill("SIGTERM")
    const r = await run.done
    const tookMs = r.closedAt - signalledAt
    console.log(`shutdown with a hung request and SHUTDOWN_GRACE=1s took ${tookMs} ms`)
    expect(r.signal).toBeNull()
    expect(r.code).toBe(0)
    expect(r.stderr).toContain("in-flight cycle cut at the shutdown grace period")
    // The figure above is what the issue asks for (grace + 1 s); the assertion only holds that
    // the hung request was not waited for, with room for a loaded machine.
    expect(tookMs).toBeLessThan(requestTimeoutMs / 4)
  })

  it("serves the operator page, /health and /metrics on the health port, refusing other Host names", async () => {
    const run = startCli(["run"], { ...env, LOG_FORMAT: "json" })
    try {
      await until(() => healthUrlOf(run.out.stderr) !== undefined, "the health port is announced")
      const port = Number(new URL(healthUrlOf(run.out.stderr)!).port)
      const page = await getWithHost(port, "/", `localhost:${port}`)
      expect(page.status).toBe(200)
      expect(page.body).toContain("<h1>fill-tracker</h1>")
      expect(page.body).toContain("The refresh token expires at")
      for (const route of ["/", "/health", "/metrics", "/api/live"])
        expect((await getWithHost(port, route, `rebound.example:${port}`)).status, route).toBe(403)
      expect((await getWithHost(port, "/metrics")).body).toContain("# TYPE fill_tracker_cycles_total counter")
    } finally {
      run.child.kill("SIGTERM")
      await run.done
    }
  })
})
