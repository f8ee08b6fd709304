/**
 * Detection latency: the time from the broker's fill to the recorded `Filled`, with the
 * default schedule (interval 15 s, jitter 0–5 s after each cycle, as `startPoller` does)
 * and with an adaptive proposal at the same request rate.
 *
 * The schedule is simulated arithmetically over many trading days (simulated time, no
 * sleeping); the cycle's own duration is measured by running the real cycle against the
 * sandbox (load.ts), and a fill is recorded when the first cycle that starts after it
 * ends. Every cycle costs one listOrders per account whatever the number of open orders,
 * so "the same request rate" is "the same number of cycles per hour".
 *
 * The adaptive proposal (`adaptivePolicy`): a recorded submission wakes the poller at
 * fixed offsets after it (market orders fill within seconds), and otherwise the poller
 * sleeps a longer `slowMs`, calibrated so the cycles per hour equal the default's.
 * It would plug into `startPoller` by replacing the fixed `intervalMs + jitter` sleep with
 * `Effect.raceFirst(sleep(slow + jitter), wake)`, where `wake` fires at the next pending
 * offset of any recent submission (FillTracker.recordSubmission would offer the
 * submission time to a queue the loop reads; or the loop derives the offsets from the
 * open rows' submittedAt, which needs no new channel). pollCycle itself is unchanged.
 *
 *   node --conditions=@fill-tracker/source --import tsx packages/app/proof/latency.ts [days] [seed]
 */
import { runLoad } from "./load.js"

export interface Workload {
  /** Mean time between submissions. */
  readonly submitEveryMs: number
  /** Share of market orders; they fill `marketFillMs` after submission (uniform). */
  readonly marketShare: number
  readonly marketFillMs: readonly [number, number]
  /** Limit orders fill after an exponential delay with this mean (or not that day). */
  readonly limitMeanMs: number
}

export const defaultWorkload: Workload = {
  submitEveryMs: 120_000,
  marketShare: 0.7,
  marketFillMs: [200, 2_500],
  limitMeanMs: 15 * 60_000
}

export type Policy =
  | { readonly kind: "fixed"; readonly intervalMs: number; readonly jitterMs: number }
  | {
      readonly kind: "adaptive"
      /** Wake-ups after each submission. */
      readonly offsetsMs: ReadonlyArray<number>
      readonly slowMs: number
      readonly jitterMs: number
    }

export const defaultPolicy: Policy = { kind: "fixed", intervalMs: 15_000, jitterMs: 5_000 }

const DAY_MS = 6.5 * 3_600_000

/** A small seeded PRNG (mulberry32): the same seed gives the same days. */
const prng = (seed: number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

interface Day {
  readonly submissions: ReadonlyArray<number>
  readonly fills: ReadonlyArray<{ readonly at: number; readonly market: boolean }>
}

const makeDays = (days: number, w: Workload, seed: number): ReadonlyArray<Day> => {
  const rnd = prng(seed)
  return Array.from({ length: days }, () => {
    const submissions: Array<number> = []
    const fills: Array<{ at: number; market: boolean }> = []
    for (
      let t = -Math.log(1 - rnd()) * w.submitEveryMs;
      t < DAY_MS;
      t += -Math.log(1 - rnd()) * w.submitEveryMs
    ) {
      submissions.push(t)
      const market = rnd() < w.marketShare
      const delay = market
        ? w.marketFillMs[0] + rnd() * (w.marketFillMs[1] - w.marketFillMs[0])
        : -Math.log(1 - rnd()) * w.limitMeanMs
      if (t + delay < DAY_MS) fills.push({ at: t + delay, market })
    }
    fills.sort((a, b) => a.at - b.at)
    return { submissions, fills }
  })
}

/** The cycle start times of one day under a policy; jitter is drawn like `Random.nextIntBetween`. */
const cycleStarts = (day: Day, policy: Policy, cycleMs: number, rnd: () => number): Array<number> => {
  const starts: Array<number> = []
  const jitter = () => Math.floor(rnd() * (policy.jitterMs + 1))
  const wakes =
    policy.kind === "adaptive"
      ? day.submissions.flatMap((s) => policy.offsetsMs.map((o) => s + o)).sort((a, b) => a - b)
      : []
  let w = 0
  let t = rnd() * (policy.kind === "fixed" ? policy.intervalMs : policy.slowMs)
  while (t < DAY_MS + 120_000) {
    starts.push(t)
    const end = t + cycleMs
    const slow = end + (policy.kind === "fixed" ? policy.intervalMs : policy.slowMs) + jitter()
    while (w < wakes.length && wakes[w]! <= end) w++
    t = w < wakes.length ? Math.min(slow, Math.max(end, wakes[w]!)) : slow
  }
  return starts
}

export interface LatencyResult {
  readonly fills: number
  readonly p50: number
  readonly p90: number
  readonly p99: number
  readonly max: number
  readonly marketP50: number
  readonly limitP50: number
  readonly limitP99: number
  readonly cyclesPerHour: number
}

const quantile = (sorted: ReadonlyArray<number>, q: number) =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!

export const simulate = (
  days: ReadonlyArray<Day>,
  policy: Policy,
  cycleMs: number,
  seed: number
): LatencyResult => {
  const rnd = prng(seed ^ 0x5eed)
  const all: Array<number> = []
  const market: Array<number> = []
  const limit: Array<number> = []
  let cycles = 0
  for (const day of days) {
    const starts = cycleStarts(day, policy, cycleMs, rnd)
    cycles += starts.filter((s) => s < DAY_MS).length
    let i = 0
    for (const f of day.fills) {
      while (starts[i]! < f.at) i++
      const latency = starts[i]! + cycleMs - f.at
      all.push(latency)
      ;(f.market ? market : limit).push(latency)
    }
  }
  for (const xs of [all, market, limit]) xs.sort((a, b) => a - b)
  return {
    fills: all.length,
    p50: quantile(all, 0.5),
    p90: quantile(all, 0.9),
    p99: quantile(all, 0.99),
    max: all[all.length - 1] ?? Number.NaN,
    marketP50: quantile(market, 0.5),
    limitP50: quantile(limit, 0.5),
    limitP99: quantile(limit, 0.99),
    cyclesPerHour: cycles / ((days.length * DAY_MS) / 3_600_000)
  }
}

/** The adaptive policy with its slow interval chosen (bisection) to match `cyclesPerHour`. */
export const adaptivePolicy = (
  days: ReadonlyArray<Day>,
  offsetsMs: ReadonlyArray<number>,
  jitterMs: number,
  cyclesPerHour: number,
  cycleMs: number,
  seed: number
): Policy => {
  let lo = 1_000
  let hi = 600_000
  for (let k = 0; k < 40; k++) {
    const mid = (lo + hi) / 2
    const r = simulate(days, { kind: "adaptive", offsetsMs, slowMs: mid, jitterMs }, cycleMs, seed)
    if (r.cyclesPerHour > cyclesPerHour) lo = mid
    else hi = mid
  }
  return { kind: "adaptive", offsetsMs, slowMs: Math.round((lo + hi) / 2), jitterMs }
}

export interface LatencyReport {
  readonly cycleMs: number
  readonly rows: ReadonlyArray<{
    readonly name: string
    readonly policy: Policy
    readonly result: LatencyResult
  }>
}

export const runLatency = (options: {
  readonly days: number
  readonly seed: number
  readonly cycleMs: number
  readonly workload?: Workload
}): LatencyReport => {
  const days = makeDays(options.days, options.workload ?? defaultWorkload, options.seed)
  const base = simulate(days, defaultPolicy, options.cycleMs, options.seed)
  const rows: Array<LatencyReport["rows"][number]> = [
    { name: "default 15 s + 0–5 s jitter", policy: defaultPolicy, result: base }
  ]
  for (const offsets of [
    [1_500, 4_000],
    [1_000, 3_000, 8_000]
  ]) {
    const policy = adaptivePolicy(days, offsets, 5_000, base.cyclesPerHour, options.cycleMs, options.seed)
    rows.push({
      name: `adaptive: wake ${offsets.map((o) => `${o / 1000}s`).join(", ")} after a submission`,
      policy,
      result: simulate(days, policy, options.cycleMs, options.seed)
    })
  }
  // What ships: the default interval and jitter, plus the fresh-order wakes on top
  // (FRESH_ORDER_POLL_OFFSETS=1500ms,4s) — more cycles per hour, still far inside the budget.
  const shipped: Policy = { kind: "adaptive", offsetsMs: [1_500, 4_000], slowMs: 15_000, jitterMs: 5_000 }
  rows.push({
    name: "shipped: 15 s + 0–5 s jitter, and wakes 1.5s, 4s after a submission",
    policy: shipped,
    result: simulate(days, shipped, options.cycleMs, options.seed)
  })
  return { cycleMs: options.cycleMs, rows }
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`

export const describeLatency = (r: LatencyReport): string =>
  [
    `detection latency (simulated schedule, measured cycle ${r.cycleMs.toFixed(0)} ms, ${r.rows[0]?.result.fills} fills):`,
    "  policy | slow interval | cycles/h | p50 | p90 | p99 | max | market p50 | limit p50 | limit p99",
    ...r.rows.map(({ name, policy, result: x }) =>
      [
        `  ${name}`,
        policy.kind === "fixed" ? s(policy.intervalMs) : s(policy.slowMs),
        x.cyclesPerHour.toFixed(1),
        s(x.p50),
        s(x.p90),
        s(x.p99),
        s(x.max),
        s(x.marketP50),
        s(x.limitP50),
        s(x.limitP99)
      ].join(" | ")
    )
  ].join("\n")

if (import.meta.url === `file://${process.argv[1]}`) {
  const days = Number(process.argv[2] ?? 250)
  const seed = Number(process.argv[3] ?? 42)
  // The real cycle's cost with a day's worth of open orders in one account.
  const load = await runLoad({ orders: 50, accounts: 1, cycles: 10 })
  console.log(describeLatency(runLatency({ days, seed, cycleMs: load.cycleMs.mean })))
}
