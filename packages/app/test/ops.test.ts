/**
 * The operator's files in deploy/: the Prometheus alert rules pass `promtool check rules`
 * and their unit tests (`promtool test rules`), and every metric the rules and the Grafana
 * dashboard query is one a live `/metrics` serves (a scrape after a run that recorded fills,
 * met a 429, retried and failed), so a renamed metric cannot leave a panel or alert blind.
 * promtool comes from Debian's `prometheus` package (.ci/run installs it).
 */
import { execFileSync, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fillsInLegs, type Sandbox } from "@fill-tracker/schwab-sandbox"
import { Duration, Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { serveHealth } from "../src/health/HealthServer.js"
import { Metrics, makeRegistry } from "../src/health/Metrics.js"
import { runCycleOnce, startPoller } from "../src/poller/Poller.js"
import { pollerOptionsFrom } from "../src/poller/pollerOptions.js"
import { FillTracker } from "../src/tracker/FillTracker.js"
import { repoRoot } from "./child.js"
import { accountOf, authorize, cycleOptions, manualSandbox, runApp, tempDir, testConfig } from "./support.js"

const deploy = path.join(repoRoot, "packages/app/deploy")
const rulesFile = path.join(deploy, "prometheus/fill-tracker.rules.yml")
const rulesTestFile = path.join(deploy, "prometheus/fill-tracker.rules.unit.yml")
const dashboardFile = path.join(deploy, "grafana/fill-tracker.json")

const hasPromtool = spawnSync("promtool", ["--version"], { stdio: "ignore" }).status === 0
const absent = hasPromtool ? "" : " (promtool absent: not run here; apt-get install prometheus)"

/** Series names a PromQL expression reads (functions, keywords, labels and strings removed). */
export const metricNames = (expr: string): ReadonlyArray<string> => {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, "")
    .replace(/\{[^}]*\}/g, "")
    .replace(/\[[^\]]*\]/g, "")
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "")
  const keywords = new Set(["and", "or", "unless", "bool", "offset", "by", "without", "inf", "nan"])
  return [...bare.matchAll(/\b[A-Za-z_:][\w:]*\b(?!\s*\()/g)]
    .map((m) => m[0])
    .filter((name) => !keywords.has(name.toLowerCase()))
}

/** Each rule's `expr`, single-line or a `|` block. */
const ruleExprs = (yaml: string): ReadonlyArray<string> => {
  const lines = yaml.split("\n")
  const exprs: Array<string> = []
  lines.forEach((line, i) => {
    const m = /^(\s*)expr:\s*(.*)$/.exec(line)
    if (m === null) return
    if (m[2] !== "|") {
      exprs.push(m[2] ?? "")
      return
    }
    const indent = (m[1] ?? "").length
    const block: Array<string> = []
    for (const next of lines.slice(i + 1)) {
      if (next.trim() !== "" && next.search(/\S/) <= indent) break
      block.push(next)
    }
    exprs.push(block.join("\n"))
  })
  return exprs
}

interface Panel {
  readonly title?: string
  readonly targets?: ReadonlyArray<{ readonly expr: string }>
  readonly panels?: ReadonlyArray<Panel>
}

const dashboardExprs = (json: string): ReadonlyArray<{ title: string; expr: string }> => {
  const dashboard = JSON.parse(json) as {
    panels: ReadonlyArray<Panel>
    templating: { list: ReadonlyArray<{ query?: unknown }> }
  }
  const out: Array<{ title: string; expr: string }> = []
  const walk = (panels: ReadonlyArray<Panel>) => {
    for (const p of panels) {
      for (const t of p.targets ?? []) out.push({ title: p.title ?? "", expr: t.expr })
      walk(p.panels ?? [])
    }
  }
  walk(dashboard.panels)
  for (const v of dashboard.templating.list) {
    const q = typeof v.query === "object" && v.query !== null ? (v.query as { query: string }).query : ""
    const m = /^label_values\((.*),\s*\w+\)$/.exec(q)
    if (m?.[1] !== undefined) out.push({ title: "variable", expr: m[1] })
  }
  return out
}

/** Waits on a condition in real time (the test's timeout is the limit). */
const until = <E, R>(f: Effect.Effect<boolean, E, R>): Effect.Effect<void, E, R> =>
  Effect.gen(function* () {
    while (!(yield* f)) yield* Effect.sleep(Duration.millis(20))
  })

/**
 * /metrics of the app streaming account activity (interval an hour: only the stream acts)
 * after a lost message (a gap) and a dropped connection (a reconnect).
 */
const streamingScrape = (sandbox: Sandbox, database: string) => {
  const config = testConfig(sandbox, database, {
    pollingInterval: 3_600_000,
    streaming: true,
    freshPollOffsets: []
  })
  return runApp(
    config,
    Effect.gen(function* () {
      yield* authorize(sandbox)
      const orderId = sandbox.seedOrder(
        accountOf(sandbox),
        { symbol: "MSFT", quantity: 2 },
        fillsInLegs(2, 1_000, { price: "410.10", firstAfterMs: 5_000 })
      )
      yield* Effect.flatMap(FillTracker, (t) =>
        t.recordSubmission({
          executionId: "ops-stream-1",
          orderId,
          accountHash: accountOf(sandbox),
          symbol: "MSFT",
          shares: 2,
          direction: "BUY"
        })
      )
      const poller = yield* startPoller(pollerOptionsFrom(config, []))
      yield* Effect.addFinalizer(() => poller.stop)
      const metrics = yield* Metrics
      const subscribed = Effect.sync(() => sandbox.streamer.connections().some((c) => c.key !== undefined))
      yield* until(subscribed)
      sandbox.streamer.faults.inject({ kind: "lose", times: 1 })
      sandbox.advance(6_000)
      yield* until(Effect.sync(() => metrics.value("fill_tracker_stream_gaps_total") >= 1))
      sandbox.streamer.dropConnections()
      yield* until(Effect.sync(() => metrics.value("fill_tracker_stream_reconnects_total") >= 1))
      yield* until(Effect.sync(() => metrics.value("fill_tracker_stream_connected") === 1))
      const port = yield* serveHealth({
        port: 0,
        intervalMs: 3_600_000,
        maxJitterMs: 0,
        tokenExpiries: Effect.succeed({ accessExpiresAt: undefined, refreshExpiresAt: undefined })
      })
      return yield* Effect.promise(() => fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text()))
    })
  )
}

describe("metricNames", () => {
  it("finds the series and only them", () => {
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (route, le) (rate(a_bucket{job="$job",x=~"b|c"}[5m]))) / ignoring (x) b_total - time() > 0 and on (i) c'
      )
    ).toEqual(["a_bucket", "b_total", "c"])
  })
})

describe("deploy/prometheus alert rules", () => {
  it(`pass promtool check rules and their unit tests${absent}`, () => {
    if (!hasPromtool) return
    const check = execFileSync("promtool", ["check", "rules", rulesFile], { encoding: "utf8" })
    expect(check).toContain("SUCCESS: 15 rules found")
    const test = spawnSync("promtool", ["test", "rules", rulesTestFile], {
      encoding: "utf8",
      cwd: path.dirname(rulesTestFile)
    })
    expect(test.stdout + test.stderr).toContain("SUCCESS")
    expect(test.status).toBe(0)
  })

  it(`promtool test rules does fail on a wrong expectation${absent}`, () => {
    if (!hasPromtool) return
    const dir = tempDir("promtool")
    try {
      fs.copyFileSync(rulesFile, path.join(dir, path.basename(rulesFile)))
      const wrong = fs.readFileSync(rulesTestFile, "utf8").replace("429 10 times", "429 11 times")
      fs.writeFileSync(path.join(dir, "wrong.unit.yml"), wrong)
      expect(spawnSync("promtool", ["test", "rules", "wrong.unit.yml"], { cwd: dir }).status).not.toBe(0)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe("the rules and the dashboard against a live /metrics", () => {
  let dir: string
  let sandbox: Sandbox
  let scrape: string
  /** A second scrape, of an app streaming account activity through a lost message and a drop. */
  let streamScrape: string
  beforeAll(async () => {
    dir = tempDir("ops")
    sandbox = await manualSandbox()
    const config = testConfig(sandbox, path.join(dir, "fills.db"))
    const orderId = sandbox.seedOrder(
      accountOf(sandbox),
      { symbol: "AAPL", quantity: 4 },
      fillsInLegs(2, 60_000, { prices: ["150.25", "150.25"] })
    )
    scrape = await runApp(
      config,
      Effect.gen(function* () {
        yield* authorize(sandbox)
        yield* Effect.flatMap(FillTracker, (t) =>
          t.recordSubmission({
            executionId: "ops-1",
            orderId,
            accountHash: accountOf(sandbox),
            symbol: "AAPL",
            shares: 4,
            direction: "BUY"
          })
        )
        // A 429 answered by the retry, then a cycle whose list fails on both attempts.
        sandbox.faults.inject({ route: "listOrders", kind: "rateLimited", times: 1 })
        yield* runCycleOnce(cycleOptions())
        const failing = sandbox.faults.inject({ route: "listOrders", kind: "serverError", probability: 1 })
        yield* runCycleOnce(cycleOptions())
        failing.remove()
        sandbox.advance(60_000)
        yield* runCycleOnce(cycleOptions())
        const port = yield* serveHealth({
          port: 0,
          intervalMs: 100,
          maxJitterMs: 0,
          tokenExpiries: Effect.succeed({
            accessExpiresAt: undefined,
            refreshExpiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString()
          })
        })
        return yield* Effect.promise(() => fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text()))
      })
    )
    streamScrape = await streamingScrape(sandbox, path.join(dir, "streaming.db"))
  })
  afterAll(async () => {
    await sandbox.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  const served = () =>
    new Set(
      `${scrape}\n${streamScrape}`
        .split("\n")
        .filter((l) => l !== "" && !l.startsWith("#"))
        .map((l) => /^[A-Za-z_:][\w:]*/.exec(l)?.[0] ?? l)
    )

  it("counts the 429 and its retry at the client, by route and status", () => {
    const list = 'method="GET",route="/accounts/{accountHash}/orders"'
    expect(scrape).toContain(`fill_tracker_schwab_requests_total{${list},status="429"} 1`)
    expect(scrape).toContain(`fill_tracker_schwab_rate_limited_total{${list}} 1`)
    // One retry after the 429, one in the failing cycle.
    expect(scrape).toContain(`fill_tracker_schwab_retries_total{${list}} 2`)
    expect(scrape).toContain(`fill_tracker_schwab_requests_total{${list},status="500"} 2`)
  })

  it("counts the stream's messages, its gap and its reconnect", () => {
    expect(streamScrape).toMatch(/^fill_tracker_stream_gaps_total [1-9]/m)
    expect(streamScrape).toMatch(/^fill_tracker_stream_reconnects_total [1-9]/m)
    expect(streamScrape).toContain("fill_tracker_stream_connected 1")
  })

  it.each([
    ["polling", () => scrape],
    ["streaming", () => streamScrape]
  ])(
    `the %s scrape parses in promtool check metrics with none of the app's metrics linted${absent}`,
    (_, text) => {
      if (!hasPromtool) return
      const r = spawnSync("promtool", ["check", "metrics"], { input: text(), encoding: "utf8" })
      // Parsed whole; the only lint findings are prom-client's own `nodejs_active_*_total`
      // gauges, whose names its users' dashboards depend on.
      const findings = (r.stdout + r.stderr).split("\n").filter((l) => l.trim() !== "")
      expect(findings.filter((l) => !/^nodejs_active_\w+_total non-counter metrics/.test(l))).toEqual([])
    }
  )

  it("every series an alert rule reads is served (up comes from Prometheus itself)", () => {
    const names = ruleExprs(fs.readFileSync(rulesFile, "utf8")).flatMap(metricNames)
    expect(names.length).toBeGreaterThanOrEqual(12)
    const missing = names.filter((n) => n !== "up" && !served().has(n))
    expect(missing).toEqual([])
  })

  it("every series a dashboard panel or variable reads is served", () => {
    const exprs = dashboardExprs(fs.readFileSync(dashboardFile, "utf8"))
    expect(exprs.length).toBeGreaterThanOrEqual(20)
    const missing = exprs.flatMap(({ title, expr }) =>
      metricNames(expr)
        .filter((n) => !served().has(n))
        .map((n) => `${title}: ${n}`)
    )
    expect(missing).toEqual([])
  })
})

describe("the metrics registry", () => {
  it("reads a scrape-time gauge when scraped, and a second registration replaces the reader", async () => {
    const m = makeRegistry()
    let age = 3
    m.gauge("fill_tracker_test_age_seconds", "An age read at scrape time", () => age)
    expect(await m.render()).toContain("fill_tracker_test_age_seconds 3\n")
    age = 7
    expect(await m.render()).toContain("fill_tracker_test_age_seconds 7\n")
    m.gauge(
      "fill_tracker_test_age_seconds",
      "An age read at scrape time",
      () => [
        { labels: { stream: "a" }, value: 1 },
        { labels: { stream: "b" }, value: 2 }
      ],
      ["stream"]
    )
    const text = await m.render()
    expect(text).toContain('fill_tracker_test_age_seconds{stream="a"} 1')
    expect(text).toContain('fill_tracker_test_age_seconds{stream="b"} 2')
    expect(m.value("fill_tracker_test_age_seconds")).toBe(3)
    expect(m.value("fill_tracker_test_age_seconds", { stream: "b" })).toBe(2)
  })
})
