/**
 * `/health` (JSON, 503 when degraded) and `/metrics` (Prometheus text) on 127.0.0.1.
 * Loopback only: it shows operational state, and nothing here is meant for the network.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { Clock, Effect, Ref, Runtime } from "effect"
import { PollerStatus, type PollerStatusValue } from "../poller/PollerStatus.js"
import { Metrics } from "./Metrics.js"

export interface TokenExpiries {
  readonly accessExpiresAt: string | undefined
  readonly refreshExpiresAt: string | undefined
}

export interface HealthOptions {
  readonly port: number
  readonly intervalMs: number
  readonly maxJitterMs: number
  readonly cycleTimeoutMs: number
  readonly tokenExpiries: Effect.Effect<TokenExpiries>
}

/** Failures in a row before the service reports itself degraded. */
const DEGRADED_AFTER_FAILURES = 3

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString())

export const healthReport = (
  s: PollerStatusValue,
  tokens: TokenExpiries,
  now: number,
  options: HealthOptions
) => {
  const staleAfter = 3 * (options.intervalMs + options.maxJitterMs) + options.cycleTimeoutMs
  const problems: Array<string> = []
  if (s.consecutiveFailures >= DEGRADED_AFTER_FAILURES)
    problems.push(`${s.consecutiveFailures} failed cycles in a row`)
  const lastGood = s.lastSuccessAt ?? s.startedAt
  if (now - lastGood > staleAfter)
    problems.push(`no successful cycle for ${Math.trunc((now - lastGood) / 1000)}s`)
  if (tokens.refreshExpiresAt !== undefined && Date.parse(tokens.refreshExpiresAt) <= now)
    problems.push("Schwab refresh token expired: run `fill-tracker auth url` and `fill-tracker auth login`")
  return {
    status: problems.length === 0 ? ("ok" as const) : ("degraded" as const),
    problems,
    lastCycleAt: iso(s.lastCycleAt),
    lastSuccessAt: iso(s.lastSuccessAt),
    lastCycleMs: s.lastCycleMs ?? null,
    cycles: s.cycles,
    consecutiveFailures: s.consecutiveFailures,
    lastError: s.lastError ?? null,
    openExecutions: s.openExecutions,
    tokens: {
      accessExpiresAt: tokens.accessExpiresAt ?? null,
      refreshExpiresAt: tokens.refreshExpiresAt ?? null
    }
  }
}

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
        const body = await run(
          Effect.gen(function* () {
            const status = yield* Ref.get(yield* PollerStatus)
            const tokens = yield* options.tokenExpiries
            return healthReport(status, tokens, yield* Clock.currentTimeMillis, options)
          })
        )
        res
          .writeHead(body.status === "ok" ? 200 : 503, { "content-type": "application/json" })
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
