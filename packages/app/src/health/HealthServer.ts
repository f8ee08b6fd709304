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
import { Metrics } from "./Metrics.js"

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
        const text = await run(Effect.map(Metrics, (m) => m.render()))
        res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(text)
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
