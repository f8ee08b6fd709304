/**
 * The operator page on the health port: every route refuses a Host that is not a loopback
 * name with the port (DNS rebinding), the page and its JSON show health, the token's
 * expiry with the re-authorization steps, executions and fills, and carry no secret and no
 * account (number or hash); one execution's page holds its history. In Chromium (Debian's,
 * driven by playwright-core), a fill recorded while the page is open appears without a reload.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { SchwabAuth } from "@fill-tracker/schwab-client"
import { fillsInLegs, type Sandbox } from "@fill-tracker/schwab-sandbox"
import { Effect, type Layer, Redacted, type Scope } from "effect"
import { chromium } from "playwright-core"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { serveHealth } from "../src/health/HealthServer.js"
import { escapeHtml } from "../src/page/operatorHtml.js"
import { runCycleOnce } from "../src/poller/Poller.js"
import { FillTracker } from "../src/tracker/FillTracker.js"
import { getWithHost as get } from "./httpGet.js"
import {
  accountOf,
  authorize,
  cycleOptions,
  manualSandbox,
  runApp,
  tempDir,
  testConfig,
  type testLayer
} from "./support.js"

const CHROMIUM = "/usr/bin/chromium"

describe("the operator page", () => {
  let dir: string
  let sandbox: Sandbox
  beforeEach(async () => {
    dir = tempDir("page")
    sandbox = await manualSandbox()
  })
  afterEach(async () => {
    await sandbox.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  /** An order filling in two legs a minute apart, tracked by the app with the page up. */
  const withPage = <A, E>(
    program: (
      port: number
    ) => Effect.Effect<A, E, Layer.Layer.Success<ReturnType<typeof testLayer>> | Scope.Scope>
  ) => {
    const orderId = sandbox.seedOrder(
      accountOf(sandbox),
      { symbol: "AAPL", quantity: 4 },
      fillsInLegs(2, 60_000, { prices: ["150.25", "151.75"] })
    )
    return runApp(
      testConfig(sandbox, path.join(dir, "fills.db")),
      Effect.gen(function* () {
        yield* authorize(sandbox)
        yield* Effect.flatMap(FillTracker, (t) =>
          t.recordSubmission({
            executionId: "page-1",
            orderId,
            accountHash: accountOf(sandbox),
            symbol: "AAPL",
            shares: 4,
            direction: "BUY"
          })
        )
        const port = yield* serveHealth({
          port: 0,
          // Stale only after 3 minutes: no cycle runs on its own here.
          intervalMs: 60_000,
          maxJitterMs: 0,
          tokenExpiries: Effect.succeed({
            accessExpiresAt: undefined,
            refreshExpiresAt: new Date(Date.now() + 3_600_000 * 20).toISOString()
          })
        })
        yield* runCycleOnce(cycleOptions())
        return yield* program(port)
      })
    )
  }

  /** The next cycle, after the broker's clock passed the second fill. */
  const secondFill = Effect.suspend(() => {
    sandbox.advance(60_000)
    return runCycleOnce(cycleOptions())
  })

  it("refuses every route, /health and /metrics included, unless Host is a loopback name with the port", async () => {
    const r = await withPage((port) =>
      Effect.promise(async () => {
        const routes = ["/", "/health", "/metrics", "/api/live", "/page.js", "/executions/page-1"]
        const refused: Record<string, number> = {}
        for (const route of routes)
          for (const host of [
            "evil.example",
            `evil.example:${port}`,
            `127.0.0.1.evil.example:${port}`,
            "127.0.0.1",
            `localhost:${port + 1}`,
            "",
            null
          ])
            refused[`${host ?? "(none)"} ${route}`] = (await get(port, route, host)).status
        const allowed: Record<string, number> = {}
        for (const route of routes)
          for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`])
            allowed[`${host} ${route}`] = (await get(port, route, host)).status
        return { refused, allowed }
      })
    )
    // Node's server itself answers 400 to a request without Host; every other one is ours, 403.
    expect(
      Object.entries(r.refused).filter(([what, status]) => status !== (what.startsWith("(none)") ? 400 : 403))
    ).toEqual([])
    expect(Object.keys(r.refused)).toHaveLength(42)
    // /health answers 200 after a good cycle; everything else is served too.
    expect(new Set(Object.values(r.allowed))).toEqual(new Set([200]))
  })

  it("shows health, the token's expiry with the steps, executions and fills, and no secret or account", async () => {
    const r = await withPage((port) =>
      Effect.gen(function* () {
        const page = yield* Effect.promise(() => get(port, "/"))
        const live = yield* Effect.promise(() => get(port, "/api/live"))
        yield* secondFill
        const last = JSON.parse(live.body).view.last as string
        const since = yield* Effect.promise(() => get(port, `/api/live?after=${last}`))
        const execution = yield* Effect.promise(() => get(port, "/executions/page-1"))
        const missing = yield* Effect.promise(() => get(port, "/executions/nope"))
        const malformed = yield* Effect.promise(() => get(port, "/executions/%E0%A4%A"))
        const script = yield* Effect.promise(() => get(port, "/page.js"))
        const token = Redacted.value(yield* Effect.flatMap(SchwabAuth.SchwabAuth, (a) => a.accessToken()))
        return { page, live, since, execution, missing, malformed, script, token }
      })
    )
    expect(r.page.status).toBe(200)
    expect(r.page.type).toBe("text/html; charset=utf-8")
    expect(r.page.csp).toContain("script-src 'self'")
    expect(r.page.body).toContain('id="health-status">ok<')
    expect(r.page.body).toMatch(/The refresh token expires at [^<]+ \(in (19|20) h\)/)
    expect(r.page.body).toContain("<code>fill-tracker auth url</code>")
    expect(r.page.body).toContain(
      "<code>fill-tracker auth login --code &#39;&lt;redirect URL&gt;&#39;</code>"
    )
    expect(r.page.body).toContain('<a href="/executions/page-1">page-1</a>')
    expect(r.page.body).toContain("<td>150.25</td>")
    expect(r.page.body).toContain("1 fill(s) detected by this process")
    expect(r.script.type).toContain("text/javascript")

    const live = JSON.parse(r.live.body)
    expect(live.view.health).toMatchObject({ status: "ok", problems: [], openExecutions: 1 })
    expect(live.view.fills).toMatchObject([{ executionId: "page-1", quantity: "2", price: "150.25" }])
    expect(live.view.open).toMatchObject([
      { executionId: "page-1", state: "PARTIALLY_FILLED", filled: "2/4" }
    ])
    expect(live.view.latency.count).toBe(1)
    // After the position the page saw: only the new fill.
    const since = JSON.parse(r.since.body)
    expect(since.view.fills).toMatchObject([{ executionId: "page-1", price: "151.75" }])
    expect(since.html.fills).toHaveLength(1)
    expect(since.html.fills[0]).toContain("<td>151.75</td>")
    expect(BigInt(since.view.last)).toBeGreaterThan(BigInt(live.view.last))

    expect(r.execution.status).toBe(200)
    for (const type of ["Submitted", "LegFilled", "Filled"])
      expect(r.execution.body).toContain(`<td>${type}</td>`)
    expect(r.missing.status).toBe(404)
    expect(r.malformed.status).toBe(404)

    for (const body of [r.page.body, r.live.body, r.since.body, r.execution.body]) {
      for (const account of sandbox.accounts) {
        expect(body).not.toContain(account.accountNumber)
        expect(body).not.toContain(account.hashValue)
      }
      expect(body).not.toContain(sandbox.appKey)
      expect(body).not.toContain(sandbox.appSecret)
      expect(body).not.toContain(r.token)
      expect(body).not.toMatch(/access_token|refresh_token/i)
    }
  })

  it("escapes what it renders", () => {
    expect(escapeHtml(`<img src=x onerror="a('b')">&`)).toBe(
      "&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;"
    )
  })

  it("in Chromium: loads, and a fill recorded while it is open appears without a reload", async () => {
    expect(fs.existsSync(CHROMIUM), "Debian's chromium at /usr/bin/chromium (.ci/run installs it)").toBe(true)
    const profile = tempDir("chromium")
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync"
      ]
    })
    try {
      const r = await withPage((port) =>
        Effect.gen(function* () {
          // A fresh --user-data-dir (the profile above) holds this context: nothing carried over.
          const page = yield* Effect.promise(() => browser.newPage())
          const errors: Array<string> = []
          page.on("pageerror", (e) => errors.push(e.message))
          page.on("console", (m) => {
            if (m.type() === "error") errors.push(m.text())
          })
          yield* Effect.promise(() => page.goto(`http://127.0.0.1:${port}/`))
          const title = yield* Effect.promise(() => page.title())
          const status = yield* Effect.promise(() => page.textContent("#health-status"))
          const before = yield* Effect.promise(() => page.locator("#fills tbody tr").count())
          // A mark on this document: gone if the page were loaded again.
          yield* Effect.promise(() =>
            page.evaluate(() => {
              Object.assign(globalThis, { __mark: 1 })
            })
          )
          yield* secondFill
          // Waits on the condition (the poll brings it), with no time assumed.
          yield* Effect.promise(() =>
            page.locator("#fills tbody tr", { hasText: "151.75" }).waitFor({ timeout: 60_000 })
          )
          const after = yield* Effect.promise(() => page.locator("#fills tbody tr").count())
          const mark = yield* Effect.promise(() =>
            page.evaluate(() => (globalThis as { __mark?: number }).__mark)
          )
          const top = yield* Effect.promise(() => page.textContent("#fills tbody tr:first-child"))
          const state = yield* Effect.promise(() =>
            page.locator("#recent tbody tr", { hasText: "FILLED" }).waitFor({ timeout: 60_000 })
          )
          return { title, status, before, after, mark, top, state, errors }
        })
      )
      expect(r.title).toBe("fill-tracker")
      expect(r.status).toBe("ok")
      expect(r.before).toBe(1)
      expect(r.after).toBe(2)
      expect(r.mark).toBe(1)
      expect(r.top).toContain("151.75")
      expect(r.errors).toEqual([])
    } finally {
      await browser.close()
      fs.rmSync(profile, { recursive: true, force: true })
    }
  })
})
