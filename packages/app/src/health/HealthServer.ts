/**
 * `/health` (JSON, 503 when degraded) and `/metrics` (Prometheus text) on 127.0.0.1.
 * Loopback only: it shows operational state, and nothing here is meant for the network.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { Clock, Effect, Option, Ref, Runtime } from "effect"
import { PollerStatus } from "../poller/PollerStatus.js"
import { HealthChecks } from "./HealthChecks.js"
import { type HealthReportOptions, healthReport, httpStatusOf, type TokenExpiries } from "./healthReport.js"
import { Metrics, type MetricsRegistry } from "./Metrics.js"

export interface HealthOptions extends HealthReportOptions {
  readonly port: number
  readonly tokenExpiries: Effect.Effect<TokenExpiries>
}

/** The report as `/health` serves it now, with every registered check's findings. */
export const currentHealth = (options: HealthOptions) =>
  Effect.gen(function* () {
    const status = yield* Ref.get(yield* PollerStatus)
    const tokens = yield* options.tokenExpiries
    const checks = yield* Effect.serviceOption(HealthChecks)
    const others = Option.isSome(checks) ? yield* checks.value.run : undefined
    return healthReport(status, tokens, yield* Clock.currentTimeMillis, options, others)
  })

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

/** Serves until the surrounding scope closes; yields the bound port. */
export const serveHealth = (options: HealthOptions) =>
  Effect.gen(function* () {
    const runtime = yield* Effect.runtime<PollerStatus | Metrics>()
    const run = Runtime.runPromise(runtime)
    const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
      const path = (req.url ?? "/").split("?")[0]
      if (req.method !== "GET") {
        res.writeHead(405, { allow: "GET" }).end()
        return
      }
      if (path === "/health") {
        const body = await run(currentHealth(options))
        res
          .writeHead(httpStatusOf(body.status), { "content-type": "application/json" })
          .end(JSON.stringify(body))
        return
      }
      if (path === "/metrics") {
        const metrics = await run(Effect.tap(Metrics, (m) => healthGauges(m, options)))
        const text = await metrics.render()
        res.writeHead(200, { "content-type": metrics.contentType }).end(text)
        return
      }
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "not found" }))
    }
    const server = yield* Effect.acquireRelease(
      Effect.async<http.Server, Error>((resume) => {
        const s = http.createServer((req, res) => {
          handler(req, res).catch((e: unknown) => {
            if (!res.headersSent) res.writeHead(500).end(String(e))
          })
        })
        s.once("error", (e) => resume(Effect.fail(e)))
        s.listen(options.port, "127.0.0.1", () => resume(Effect.succeed(s)))
        return undefined
      }),
      (s) =>
        Effect.async<void>((resume) => {
          s.close(() => resume(Effect.void))
          s.closeAllConnections()
        })
    )
    const port = (server.address() as AddressInfo).port
    yield* Effect.logInfo("health endpoint listening").pipe(
      Effect.annotateLogs({ url: `http://127.0.0.1:${port}/health` })
    )
    return port
  })
