/**
 * Schwab requests as an operator alerts on them: every exchange by method, route template
 * and status (each retried attempt is its own exchange), retries, 429s, and durations.
 * The client reports to a RequestObserver; this one counts into the app's Metrics.
 */
import { RequestObserver } from "@fill-tracker/schwab-client"
import { Effect, Layer } from "effect"
import { DURATION_BUCKETS, Metrics } from "./Metrics.js"

export const requestObserverLayer = Layer.effect(
  RequestObserver.RequestObserver,
  Effect.map(
    Metrics,
    (m): RequestObserver.RequestObserverService => ({
      exchanged: (e) => {
        const where = { method: e.method, route: e.route }
        // No answer (timeout, transport) is its own status, so the family still counts every request.
        const status = e.status === undefined ? (e.error ?? "none") : String(e.status)
        m.inc(
          "fill_tracker_schwab_requests_total",
          "Schwab requests sent, retries included, by route and status",
          {
            ...where,
            status
          }
        )
        if (e.status === 429)
          m.inc(
            "fill_tracker_schwab_rate_limited_total",
            "Schwab requests answered 429 Too Many Requests",
            where
          )
        m.observe(
          "fill_tracker_schwab_request_duration_seconds",
          "Schwab request durations, answered or not",
          DURATION_BUCKETS,
          e.durationMs / 1000,
          where
        )
      },
      retrying: (e) =>
        m.inc("fill_tracker_schwab_retries_total", "Schwab requests sent again by the retry policy", {
          method: e.method,
          route: e.route
        })
    })
  )
)
