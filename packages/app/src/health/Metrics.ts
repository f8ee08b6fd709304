/**
 * Counters and a latency histogram for `/metrics`, in Prometheus text format.
 *
 * Hand-rolled rather than Effect's Metric API because the exposition must be the plain
 * Prometheus text a scraper expects, with labels, and nothing here needs more than adds.
 */
import { Context, Effect, Layer } from "effect"

type Labels = Readonly<Record<string, string>>

const labelKey = (labels: Labels): string =>
  Object.keys(labels)
    .sort()
    .map(
      (k) => `${k}="${String(labels[k]).replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`
    )
    .join(",")

interface Family {
  readonly help: string
  readonly type: "counter" | "gauge" | "histogram"
  readonly values: Map<string, number>
}

/** Upper bounds (seconds) of the broker-fill-to-recorded-fill histogram. */
const LATENCY_BUCKETS = [1, 2, 5, 10, 15, 20, 30, 45, 60, 120, 300, 900] as const

export interface MetricsRegistry {
  readonly inc: (name: string, help: string, labels?: Labels, by?: number) => void
  readonly set: (name: string, help: string, value: number, labels?: Labels) => void
  readonly observeLatencyMs: (ms: number) => void
  readonly value: (name: string, labels?: Labels) => number
  readonly render: () => string
}

export const makeRegistry = (): MetricsRegistry => {
  const families = new Map<string, Family>()
  const family = (name: string, help: string, type: Family["type"]): Family => {
    let f = families.get(name)
    if (f === undefined) {
      f = { help, type, values: new Map() }
      families.set(name, f)
    }
    return f
  }
  const latency = { buckets: LATENCY_BUCKETS.map(() => 0), count: 0, sumMs: 0 }
  return {
    inc: (name, help, labels = {}, by = 1) => {
      const f = family(name, help, "counter")
      const key = labelKey(labels)
      f.values.set(key, (f.values.get(key) ?? 0) + by)
    },
    set: (name, help, value, labels = {}) => {
      family(name, help, "gauge").values.set(labelKey(labels), value)
    },
    observeLatencyMs: (ms) => {
      const clamped = Math.max(0, Math.trunc(ms))
      latency.count += 1
      latency.sumMs += clamped
      LATENCY_BUCKETS.forEach((le, i) => {
        if (clamped <= le * 1000) latency.buckets[i] = (latency.buckets[i] ?? 0) + 1
      })
    },
    value: (name, labels = {}) => families.get(name)?.values.get(labelKey(labels)) ?? 0,
    render: () => {
      const lines: Array<string> = []
      for (const [name, f] of [...families.entries()].sort(([a], [b]) => a.localeCompare(b))) {
        lines.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`)
        for (const [key, v] of f.values) lines.push(`${name}${key === "" ? "" : `{${key}}`} ${v}`)
      }
      const h = "fill_tracker_fill_detection_seconds"
      lines.push(
        `# HELP ${h} Time from the broker's fill to the recorded fill event`,
        `# TYPE ${h} histogram`
      )
      LATENCY_BUCKETS.forEach((le, i) => {
        lines.push(`${h}_bucket{le="${le}"} ${latency.buckets[i] ?? 0}`)
      })
      lines.push(
        `${h}_bucket{le="+Inf"} ${latency.count}`,
        `${h}_sum ${latency.sumMs / 1000}`,
        `${h}_count ${latency.count}`
      )
      return `${lines.join("\n")}\n`
    }
  }
}

/** The process's metrics registry as a service, so tests can read what a cycle counted. */
export class Metrics extends Context.Tag("@fill-tracker/app/Metrics")<Metrics, MetricsRegistry>() {
  static readonly layer = Layer.sync(Metrics, makeRegistry)
}

/** Counts one event of `name` with labels, from inside an Effect. */
export const count = (name: string, help: string, labels?: Labels, by?: number) =>
  Effect.flatMap(Metrics, (m) => Effect.sync(() => m.inc(name, help, labels, by)))
