/**
 * What `/health` says: every reason the service is not doing its job (degraded, 503), the
 * warnings that need a person soon (listed, still 200), and the facts behind them. Pure:
 * the status, the token expiries, the clock and the other checks' findings go in.
 */
import type { PollerStatusValue } from "../poller/PollerStatus.js"

export interface TokenExpiries {
  readonly accessExpiresAt: string | undefined
  readonly refreshExpiresAt: string | undefined
}

export interface HealthReportOptions {
  readonly intervalMs: number
  readonly maxJitterMs: number
  /**
   * How long executions may sit in accounts no live poller holds before that is a problem:
   * a dead poller's shards are taken over within 1.25 lease times. 0: at once.
   */
  readonly unheldGraceMs?: number
}

/** Failures in a row before the service reports itself degraded for them alone. */
export const DEGRADED_AFTER_FAILURES = 3
/** A refresh token this close to expiry is a warning: someone must log in again soon. */
export const REFRESH_WARNING_MS = 24 * 3_600_000

const REAUTHORIZE =
  "run `fill-tracker auth url`, open it, then `fill-tracker auth login --code <redirect URL>`"

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString())

/** Whole seconds, or tenths under ten: a poller on a short interval is overdue within a second. */
const seconds = (ms: number) => (ms >= 10_000 ? `${Math.trunc(ms / 1000)}s` : `${(ms / 1000).toFixed(1)}s`)

const span = (ms: number) => {
  const minutes = Math.max(0, Math.floor(ms / 60_000))
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`
}

export type HealthState = "ok" | "starting" | "degraded"

export const healthReport = (
  s: PollerStatusValue,
  tokens: TokenExpiries,
  now: number,
  options: HealthReportOptions,
  others: { readonly problems: ReadonlyArray<string>; readonly warnings: ReadonlyArray<string> } = {
    problems: [],
    warnings: []
  }
) => {
  const staleAfter = 3 * (options.intervalMs + options.maxJitterMs)
  const problems: Array<string> = []
  const warnings: Array<string> = []
  if (s.consecutiveFailures >= DEGRADED_AFTER_FAILURES)
    problems.push(`${s.consecutiveFailures} failed cycles in a row`)
  if (s.lastSuccessAt === undefined) {
    if (now - s.startedAt > staleAfter)
      problems.push(`no successful cycle since the start ${seconds(now - s.startedAt)} ago`)
  } else if (now - s.lastSuccessAt > staleAfter)
    problems.push(`no successful cycle for ${seconds(now - s.lastSuccessAt)}`)
  if (s.lastCycleCrashed) problems.push(`the last poll cycle crashed: ${s.lastError ?? "unknown"}`)
  if (s.storeError !== undefined) problems.push(`the store failed in the last cycle: ${s.storeError}`)
  if (s.leaseRenewalError !== undefined)
    problems.push(`poller leases cannot be renewed in the store: ${s.leaseRenewalError}`)
  if (s.everyListFailed) problems.push("every listOrders call failed in the last cycle")
  if (s.unauthorizedCycles > 0)
    problems.push(
      `Schwab refused requests with 401 after a token refresh in ${s.unauthorizedCycles} cycle(s) in a row: ${REAUTHORIZE}`
    )
  if (s.unheldSince !== undefined && now - s.unheldSince >= (options.unheldGraceMs ?? 0))
    problems.push(
      `${s.unheld.executions} open execution(s) in ${s.unheld.accounts} account(s) that no live poller holds`
    )
  if (tokens.refreshExpiresAt !== undefined) {
    const left = Date.parse(tokens.refreshExpiresAt) - now
    if (left <= 0) problems.push(`Schwab refresh token expired: ${REAUTHORIZE}`)
    else if (left <= REFRESH_WARNING_MS)
      warnings.push(
        `Schwab refresh token expires in ${span(left)} (${tokens.refreshExpiresAt}): ${REAUTHORIZE}`
      )
  }
  problems.push(...others.problems)
  warnings.push(...others.warnings)
  const status: HealthState =
    problems.length > 0 ? "degraded" : s.lastSuccessAt === undefined ? "starting" : "ok"
  return {
    status,
    problems,
    warnings,
    startedAt: iso(s.startedAt),
    lastCycleAt: iso(s.lastCycleAt),
    lastSuccessAt: iso(s.lastSuccessAt),
    lastCycleMs: s.lastCycleMs ?? null,
    cycles: s.cycles,
    consecutiveFailures: s.consecutiveFailures,
    lastError: s.lastError ?? null,
    openExecutions: s.openExecutions,
    heldExecutions: s.heldExecutions,
    unheldExecutions: s.unheld.executions,
    tokens: {
      accessExpiresAt: tokens.accessExpiresAt ?? null,
      refreshExpiresAt: tokens.refreshExpiresAt ?? null
    }
  }
}

/** The report's shape, for the operator page and clients. */
export type HealthReport = ReturnType<typeof healthReport>

/** 200 only when ok: a load balancer or monitor must not take `starting` for tracking. */
export const httpStatusOf = (state: HealthState): number => (state === "ok" ? 200 : 503)
