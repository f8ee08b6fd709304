/**
 * The operator page as HTML, rendered on the server from `operatorView`: readable without
 * its script, which then keeps it current (`operatorScript.ts`). Every value is escaped.
 */
import type { ExecutionView, FillView, LatencyView, OperatorView } from "./operatorView.js"

/** Text made safe for HTML content and attribute values. */
export const escapeHtml = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c
  )

const h = escapeHtml

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1d2430;background:#f7f8fa}
h1{font-size:1.4rem;margin:0 0 1rem}h2{font-size:1.05rem;margin:1.5rem 0 .5rem}
section{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:.75rem 1rem;margin-bottom:1rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #eef0f3;font-variant-numeric:tabular-nums}
th{font-weight:600;color:#4a5568}.status{display:inline-block;padding:.1rem .6rem;border-radius:1rem;font-weight:600}
.status-ok{background:#d5f5e3;color:#145a32}.status-starting{background:#fdebd0;color:#7e5109}.status-degraded{background:#fadbd8;color:#78281f}
.problems li{color:#78281f}.warnings li{color:#7e5109}.bar{background:#5b8def;height:.9rem;min-width:1px}
.muted{color:#6b7280}code{background:#eef0f3;padding:0 .25rem;border-radius:3px;overflow-wrap:anywhere}
tr.new td{animation:flash 2s ease-out}@keyframes flash{from{background:#fff3b0}to{background:transparent}}
`

const cell = (v: string | number | null) => `<td>${v === null ? "" : h(String(v))}</td>`

const executionLink = (id: string) => `<a href="/executions/${encodeURIComponent(id)}">${h(id)}</a>`

export const EXECUTION_COLUMNS = [
  "Execution",
  "State",
  "Order",
  "Symbol",
  "Side",
  "Filled",
  "Avg price",
  "Submitted",
  "Closed",
  "Reason"
] as const

export const executionRowHtml = (e: ExecutionView) =>
  `<tr data-execution="${h(e.executionId)}"><td>${executionLink(e.executionId)}</td>${[
    e.state,
    e.orderId,
    e.symbol,
    e.direction,
    e.filled,
    e.averagePrice,
    e.submittedAt,
    e.closedAt,
    e.reason
  ]
    .map(cell)
    .join("")}</tr>`

export const FILL_COLUMNS = [
  "Recorded",
  "Execution",
  "Order",
  "Quantity",
  "Price",
  "Executed (broker)",
  "Detected after"
] as const

const detection = (ms: number) => `${(ms / 1000).toFixed(1)} s`

export const fillRowHtml = (f: FillView) =>
  `<tr data-position="${h(f.position)}">${cell(f.recordedAt)}<td>${executionLink(f.executionId)}</td>${[
    f.orderId,
    f.quantity,
    f.price,
    f.executedAt,
    detection(f.detectionMs)
  ]
    .map(cell)
    .join("")}</tr>`

const table = (id: string, columns: ReadonlyArray<string>, rows: ReadonlyArray<string>, empty: string) =>
  `<table id="${id}"><thead><tr>${columns.map((c) => `<th>${h(c)}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table><p class="muted empty" data-for="${id}"${rows.length > 0 ? " hidden" : ""}>${h(empty)}</p>`

export const latencyHtml = (l: LatencyView) => {
  const most = Math.max(1, ...l.buckets.map((b) => b.count))
  const rows = l.buckets.map(
    (b) =>
      `<tr><td>≤ ${h(b.le === "+Inf" ? "∞" : `${b.le} s`)}</td><td style="width:70%"><div class="bar" style="width:${((100 * b.count) / most).toFixed(1)}%"></div></td><td>${b.count}</td></tr>`
  )
  const mean = l.count === 0 ? "" : `, mean ${(l.sumSeconds / l.count).toFixed(2)} s`
  return `<p class="muted">${l.count} fill(s) detected by this process${mean}</p><table><tbody>${rows.join("")}</tbody></table>`
}

const list = (cls: string, items: ReadonlyArray<string>) =>
  `<ul class="${cls}">${items.map((i) => `<li>${h(i)}</li>`).join("")}</ul>`

export const healthHtml = (v: OperatorView) =>
  `<p><span class="status status-${h(v.health.status)}" id="health-status">${h(v.health.status)}</span>
 <span class="muted">last successful cycle: ${h(v.health.lastSuccessAt ?? "none yet")}; at it, open executions in the store: ${v.health.openExecutions}, held by this poller: ${v.health.heldExecutions}</span></p>
${v.health.problems.length > 0 ? list("problems", v.health.problems) : ""}${v.health.warnings.length > 0 ? list("warnings", v.health.warnings) : ""}`

export const tokenHtml = (v: OperatorView, now: number) => {
  const at = v.refreshToken.expiresAt
  const left =
    at === null
      ? "No Schwab authorization is stored yet."
      : Date.parse(at) <= now
        ? `The refresh token expired at ${at}.`
        : `The refresh token expires at ${at} (in ${Math.floor((Date.parse(at) - now) / 3_600_000)} h).`
  return `<p id="token-expiry">${h(left)}</p><p>To re-authorize (every 7 days, before it expires):</p><ol>${v.refreshToken.reauthorize
    .map((s) => `<li>${h(s).replace(/`([^`]+)`/g, "<code>$1</code>")}</li>`)
    .join("")}</ol>`
}

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${h(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`

/** What `/api/live` hands the page's script to put in place (all escaped here). */
export const liveFragments = (v: OperatorView, now: number) => ({
  health: healthHtml(v),
  token: tokenHtml(v, now),
  latency: latencyHtml(v.latency),
  open: v.open.map(executionRowHtml),
  recent: v.recent.map(executionRowHtml),
  fills: v.fills.map(fillRowHtml)
})

/** The page at `/`. */
export const operatorHtml = (v: OperatorView, now: number) =>
  page(
    "fill-tracker",
    `<h1>fill-tracker</h1>
<section><h2>Health</h2><div id="health">${healthHtml(v)}</div></section>
<section><h2>Schwab authorization</h2><div id="token">${tokenHtml(v, now)}</div></section>
<section><h2>Fills <span class="muted" id="live-note">(live)</span></h2>${table("fills", FILL_COLUMNS, v.fills.map(fillRowHtml), "No fill recorded yet.")}</section>
<section><h2>Open executions</h2>${table("open", EXECUTION_COLUMNS, v.open.map(executionRowHtml), "No open execution.")}</section>
<section><h2>Detection latency (broker execution to recorded fill)</h2><div id="latency">${latencyHtml(v.latency)}</div></section>
<section><h2>Recent executions</h2>${table("recent", EXECUTION_COLUMNS, v.recent.map(executionRowHtml), "No execution recorded yet.")}</section>
<script src="/page.js" data-after="${h(v.last)}" defer></script>`
  )

/** The page at `/executions/<id>`: the execution and its every event. */
export const executionHtml = (x: {
  readonly execution: ExecutionView
  readonly events: ReadonlyArray<{
    readonly version: number
    readonly position: string
    readonly recordedAt: string
    readonly type: string
    readonly fields: Record<string, unknown>
  }>
}) =>
  page(
    `fill-tracker: ${x.execution.executionId}`,
    `<p><a href="/">← all executions</a></p><h1>Execution ${h(x.execution.executionId)}</h1>
<section>${table("execution", EXECUTION_COLUMNS, [executionRowHtml(x.execution)], "")}</section>
<section><h2>History</h2><table id="history"><thead><tr><th>#</th><th>Position</th><th>Recorded</th><th>Event</th><th>Details</th></tr></thead><tbody>${x.events
      .map(
        (e) =>
          `<tr>${cell(e.version)}${cell(e.position)}${cell(e.recordedAt)}${cell(e.type)}<td><code>${h(
            JSON.stringify(
              Object.fromEntries(
                Object.entries(e.fields).filter(([k]) => k !== "type" && k !== "executionId")
              )
            )
          )}</code></td></tr>`
      )
      .join("")}</tbody></table></section>`
  )

/** A small page for a refused or missing route. */
export const messageHtml = (title: string, message: string) =>
  page(title, `<h1>${h(title)}</h1><p>${h(message)}</p><p><a href="/">fill-tracker</a></p>`)
