/**
 * The health port on 127.0.0.1: `/health` (JSON, 503 unless ok), `/metrics` (Prometheus
 * text), and the operator page (`/`, `/executions/<id>`, `/api/live`, `/page.js`).
 * Loopback only, and every route refuses a `Host` that is not a loopback name with this
 * port (see loopbackHost.ts): it shows operational state, nothing meant for the network.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import type { EventStore, Executions } from "@fill-tracker/store"
import { Clock, Effect, Option, Runtime } from "effect"
import { executionHtml, liveFragments, messageHtml, operatorHtml } from "../page/operatorHtml.js"
import { OPERATOR_SCRIPT } from "../page/operatorScript.js"
import { executionHistory, operatorView } from "../page/operatorView.js"
import type { PollerStatus } from "../poller/PollerStatus.js"
import type { FillTracker } from "../tracker/FillTracker.js"
import { currentHealth, type HealthOptions } from "./currentHealth.js"
import { httpStatusOf } from "./healthReport.js"
import { isLoopbackHost } from "./loopbackHost.js"
import { Metrics, type MetricsRegistry } from "./Metrics.js"

export { currentHealth, type HealthOptions } from "./currentHealth.js"

const seconds = (iso: string | null) => (iso === null ? Number.NaN : Date.parse(iso) / 1000)

/** Health as gauges, set at each scrape: what the alert rules in deploy/prometheus/ fire on. */
const healthGauges = (m: MetricsRegistry, options: HealthOptions) =>
  Effect.map(currentHealth(options), (h) => {
    for (const state of ["ok", "starting", "degraded"] as const)
      m.set(
        "fill_tracker_health_status",
        "1 for the state /health reports, 0 for the others",
        h.status === state ? 1 : 0,
        {
          state
        }
      )
    m.set("fill_tracker_health_problems", "Reasons /health names for being degraded", h.problems.length)
    m.set("fill_tracker_health_warnings", "Warnings /health lists", h.warnings.length)
    m.set(
      "fill_tracker_last_successful_cycle_timestamp_seconds",
      "When the last successful poll cycle ended (Unix seconds; NaN before the first)",
      seconds(h.lastSuccessAt)
    )
    m.set(
      "fill_tracker_refresh_token_expiry_timestamp_seconds",
      "When the Schwab refresh token expires (Unix seconds; NaN before an authorization)",
      seconds(h.tokens.refreshExpiresAt)
    )
    m.set(
      "fill_tracker_unheld_executions",
      "Open executions in accounts no live poller holds",
      h.unheldExecutions
    )
    m.set("fill_tracker_consecutive_failed_cycles", "Poll cycles in a row that failed", h.consecutiveFailures)
  })

/** What the page's responses carry: no script but our own, no framing, nothing cached or referred. */
const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy":
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store"
} as const

const json = (res: http.ServerResponse, status: number, body: unknown) =>
  res
    .writeHead(status, { "content-type": "application/json", "cache-control": "no-store" })
    .end(JSON.stringify(body))

/** `after` as the page sends it: an event position, or nothing. */
const positionParam = (value: string | null): bigint | undefined =>
  value !== null && /^\d{1,19}$/.test(value) ? BigInt(value) : undefined

/** The services the routes read: the poller's status, the metrics and the store. */
export type HealthServerServices = PollerStatus | Metrics | FillTracker | Executions | EventStore

/** Serves until the surrounding scope closes; yields the bound port. */
export const serveHealth = (options: HealthOptions) =>
  Effect.gen(function* () {
    const runtime = yield* Effect.runtime<HealthServerServices>()
    const run = Runtime.runPromise(runtime)
    let port = options.port
    const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
      if (!isLoopbackHost(req.headers.host, port)) {
        res
          .writeHead(403, { "content-type": "text/plain; charset=utf-8" })
          .end(`refused: this server answers only to 127.0.0.1:${port}, localhost:${port} or [::1]:${port}\n`)
        return
      }
      const url = new URL(req.url ?? "/", `http://127.0.0.1:${port}`)
      const path = url.pathname
      if (req.method !== "GET") {
        res.writeHead(405, { allow: "GET" }).end()
        return
      }
      if (path === "/health") {
        const body = await run(currentHealth(options))
        json(res, httpStatusOf(body.status), body)
        return
      }
      if (path === "/metrics") {
        const metrics = await run(Effect.tap(Metrics, (m) => healthGauges(m, options)))
        const text = await metrics.render()
        res.writeHead(200, { "content-type": metrics.contentType }).end(text)
        return
      }
      if (path === "/") {
        const [view, now] = await run(Effect.zip(operatorView(options), Clock.currentTimeMillis))
        res.writeHead(200, PAGE_HEADERS).end(operatorHtml(view, now))
        return
      }
      if (path === "/page.js") {
        res
          .writeHead(200, {
            "content-type": "text/javascript; charset=utf-8",
            "x-content-type-options": "nosniff",
            "cache-control": "no-store"
          })
          .end(OPERATOR_SCRIPT)
        return
      }
      if (path === "/api/live") {
        const after = positionParam(url.searchParams.get("after"))
        const [view, now] = await run(Effect.zip(operatorView(options, after), Clock.currentTimeMillis))
        json(res, 200, { view, html: liveFragments(view, now) })
        return
      }
      const execution = /^\/executions\/([^/]+)$/.exec(path)
      if (execution?.[1] !== undefined) {
        // A malformed escape names no execution; a store failure stays a failure (500).
        const found = await run(
          Effect.try(() => decodeURIComponent(execution[1] ?? "")).pipe(
            Effect.option,
            Effect.flatMap(Option.match({ onNone: () => Effect.succeedNone, onSome: executionHistory }))
          )
        )
        if (Option.isSome(found)) res.writeHead(200, PAGE_HEADERS).end(executionHtml(found.value))
        else
          res
            .writeHead(404, PAGE_HEADERS)
            .end(messageHtml("Not found", "No execution with this id is recorded."))
        return
      }
      json(res, 404, { error: "not found" })
    }
    yield* Effect.acquireRelease(
      Effect.async<http.Server, Error>((resume) => {
        const s = http.createServer((req, res) => {
          handler(req, res).catch((e: unknown) => {
            // The cause goes to the log, not to the page: it may name paths or queries.
            Runtime.runFork(runtime)(Effect.logError("health port request failed", e))
            if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" }).end("internal error\n")
          })
        })
        s.once("error", (e) => resume(Effect.fail(e)))
        s.listen(options.port, "127.0.0.1", () => {
          port = (s.address() as AddressInfo).port
          resume(Effect.succeed(s))
        })
        return undefined
      }),
      (s) =>
        Effect.async<void>((resume) => {
          s.close(() => resume(Effect.void))
          s.closeAllConnections()
        })
    )
    yield* Effect.logInfo("health endpoint listening").pipe(
      Effect.annotateLogs({ url: `http://127.0.0.1:${port}/health`, page: `http://127.0.0.1:${port}/` })
    )
    return port
  })
