/**
 * The process's metrics for `/metrics`, on `prom-client` (the kept Prometheus client): the
 * app's counters, gauges and histograms in one registry per app graph, and Node's process,
 * GC and event-loop metrics in one registry per process (they describe the process, and
 * each collector installs observers that must not pile up with every graph a test builds).
 *
 * Families are made on first use from a name, a help text and the label names of that first
 * use, so a part of the app (the stream, say) adds a metric by counting it. `value` keeps a
 * plain copy of counters and gauges so tests and the demo read them without a scrape.
 */
import { Context, Effect, Layer } from "effect"
import * as Prom from "prom-client"

type Labels = Readonly<Record<string, string>>

/** Upper bounds (seconds) of the broker-fill-to-recorded-fill histogram. */
export const LATENCY_BUCKETS = [1, 2, 5, 10, 15, 20, 30, 45, 60, 120, 300, 900] as const
/** Upper bounds (seconds) of poll-cycle and Schwab-request durations. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const

export interface MetricsRegistry {
  /** The app's prom-client registry, for a part that needs a metric type not covered below. */
  readonly registry: Prom.Registry
  readonly inc: (name: string, help: string, labels?: Labels, by?: number) => void
  readonly set: (name: string, help: string, value: number, labels?: Labels) => void
  readonly observe: (
    name: string,
    help: string,
    buckets: ReadonlyArray<number>,
    seconds: number,
    labels?: Labels
  ) => void
  /**
   * A gauge read when scraped (an age, say, that grows between events): `read` gives one
   * value, or one per label set. Registering the name again replaces the reader, so a
   * stream that reconnects registers anew; `labelNames` must name every label `read` uses.
   */
  readonly gauge: (
    name: string,
    help: string,
    read: () => number | ReadonlyArray<{ readonly labels: Labels; readonly value: number }>,
    labelNames?: ReadonlyArray<string>
  ) => void
  /** Broker fill to recorded fill, into `fill_tracker_fill_detection_seconds`. */
  readonly observeLatencyMs: (ms: number) => void
  /** A counter's or gauge's value (read gauges too), summed over the label sets that contain `labels`. */
  readonly value: (name: string, labels?: Labels) => number
  /** The exposition text: the app's metrics, then the process's. */
  readonly render: () => Promise<string>
  readonly contentType: string
}

let processRegistry: Prom.Registry | undefined
/** Process, GC and event-loop metrics (`process_*`, `nodejs_*`), made once per process. */
const processMetrics = (): Prom.Registry => {
  if (processRegistry === undefined) {
    processRegistry = new Prom.Registry()
    Prom.collectDefaultMetrics({ register: processRegistry })
  }
  return processRegistry
}

const keyOf = (labels: Labels) =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(",")

export const makeRegistry = (): MetricsRegistry => {
  const registry = new Prom.Registry()
  processMetrics()
  const counters = new Map<string, Prom.Counter>()
  const gauges = new Map<string, Prom.Gauge>()
  const histograms = new Map<string, Prom.Histogram>()
  const plain = new Map<string, Map<string, { labels: Labels; value: number }>>()
  const remember = (name: string, labels: Labels, f: (v: number) => number) => {
    let values = plain.get(name)
    if (values === undefined) {
      values = new Map()
      plain.set(name, values)
    }
    const key = keyOf(labels)
    values.set(key, { labels, value: f(values.get(key)?.value ?? 0) })
  }
  const made = <M>(cache: Map<string, M>, name: string, make: () => M): M => {
    let m = cache.get(name)
    if (m === undefined) {
      m = make()
      cache.set(name, m)
    }
    return m
  }
  const observe: MetricsRegistry["observe"] = (name, help, buckets, seconds, labels = {}) =>
    made(
      histograms,
      name,
      () =>
        new Prom.Histogram({
          name,
          help,
          buckets: [...buckets],
          labelNames: Object.keys(labels),
          registers: [registry]
        })
    ).observe(labels, Math.max(0, seconds))
  const readers = new Map<string, Parameters<MetricsRegistry["gauge"]>[2]>()
  const gauge: MetricsRegistry["gauge"] = (name, help, read, labelNames = []) => {
    // Made anew each time, so a new registration may name other labels.
    registry.removeSingleMetric(name)
    new Prom.Gauge({
      name,
      help,
      labelNames: [...labelNames],
      registers: [registry],
      collect() {
        const found = readers.get(name)?.() ?? []
        this.reset()
        if (typeof found === "number") this.set(found)
        else for (const { labels, value } of found) this.set(labels, value)
      }
    })
    readers.set(name, read)
  }
  return {
    registry,
    gauge,
    inc: (name, help, labels = {}, by = 1) => {
      made(
        counters,
        name,
        () => new Prom.Counter({ name, help, labelNames: Object.keys(labels), registers: [registry] })
      ).inc(labels, by)
      remember(name, labels, (v) => v + by)
    },
    set: (name, help, value, labels = {}) => {
      made(
        gauges,
        name,
        () => new Prom.Gauge({ name, help, labelNames: Object.keys(labels), registers: [registry] })
      ).set(labels, value)
      remember(name, labels, () => value)
    },
    observe,
    observeLatencyMs: (ms) =>
      observe(
        "fill_tracker_fill_detection_seconds",
        "Time from the broker's fill to the recorded fill event",
        LATENCY_BUCKETS,
        Math.trunc(ms) / 1000
      ),
    value: (name, labels = {}) => {
      const read = readers.get(name)?.()
      const values =
        read === undefined
          ? (plain.get(name)?.values() ?? [])
          : typeof read === "number"
            ? [{ labels: {}, value: read }]
            : read
      let sum = 0
      for (const v of values)
        if (Object.entries(labels).every(([k, want]) => v.labels[k] === want)) sum += v.value
      return sum
    },
    render: async () => `${await registry.metrics()}\n${await processMetrics().metrics()}`,
    contentType: registry.contentType
  }
}

/** The process's metrics registry as a service, so tests can read what a cycle counted. */
export class Metrics extends Context.Tag("@fill-tracker/app/Metrics")<Metrics, MetricsRegistry>() {
  static readonly layer = Layer.sync(Metrics, makeRegistry)
}

/** Counts one event of `name` with labels, from inside an Effect. */
export const count = (name: string, help: string, labels?: Labels, by?: number) =>
  Effect.flatMap(Metrics, (m) => Effect.sync(() => m.inc(name, help, labels, by)))
