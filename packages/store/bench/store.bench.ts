/**
 * Store benchmark (a script, not a test): append and replay through the Effect SQL path,
 * each beside a raw baseline doing the same work through better-sqlite3 directly.
 *
 *   pnpm bench    (in packages/store: tsc -b tsconfig.bench.json && node dist/bench-build/bench/store.bench.js)
 *
 * It runs compiled, without a loader, on the built packages: what a bot imports. (Under tsx
 * from source every process starts about 59 MB larger, which the peak RSS would carry.)
 *
 * Sizes: 100k events, and 1M unless `--quick` (or STORE_BENCH_QUICK=1). Every phase runs
 * in its own child process so its peak RSS is its own. The PostgreSQL rows of
 * `pg.bench.ts` follow (a throwaway cluster; `--no-pg` skips them).
 *
 * - batched append: streams of 100 events (Submitted, 98 LegFilled, Filled), one append
 *   (one transaction) per stream; this also builds the store of the given size.
 * - one-event append: 4,000 streams × 5 single-event appends onto that store, three
 *   rounds rotating the order of the Effect, raw and unhashed raw paths (rotate.ts),
 *   median of each (RSS: the highest).
 * - replay, two rows each (five rounds rotating the order of the four phases; the median
 *   time, and the highest peak RSS of the five): `EventStore.readAll` streaming every
 *   event decoded (the issue's "replay" against "a raw scan plus JSON.parse": both only
 *   read), and
 *   `Replay.rebuild` (reads, folds and writes the whole read model into the scratch
 *   tables, then swaps it in). Each is shown beside a raw scan of the events table with
 *   JSON.parse of every payload (the issue's baseline) and a raw scan that decodes every
 *   payload with the domain's `decodeStoredEvent` (what decoding every event costs, read as
 *   row objects; the store reads value arrays).
 *
 * The raw append baseline runs the same SQL statements as `EventStore.append` (claim the
 * version, look for another stream following the order ids, read the last hash, insert the
 * events with RETURNING, read the row, upsert it, index order ids, in one BEGIN/COMMIT) with cached prepared statements, and does the same non-SQL work
 * (encodeStoredEvent, applyEvent, row mapping, the hash chain), so the ratio is the cost of
 * the Effect layer. Under each append row, "hashing" sets that raw path against the same
 * path writing no hashes (ratio = throughput kept with the chain: its cost per append).
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { ExecutionId, TradeEvent } from "@fill-tracker/domain"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { EventStore, Replay, SqliteStore } from "../src/index.js"
import { filled, legFilled, submitted } from "../test/support/events.js"
import { openRaw, rawAppender, rawDecode, rawScan } from "./raw.js"
import { rotate } from "./rotate.js"
import { singleEvents } from "./workloads.js"

const self = fileURLToPath(import.meta.url)
const BATCH = 100
const SINGLE_STREAMS = 4_000
const SINGLE_PER_STREAM = 5

// ---- workloads -------------------------------------------------------------------------

const batchStream = (s: number): { id: ExecutionId; events: ReadonlyArray<TradeEvent> } => {
  const name = `b-${s}`
  const order = String(1_000_000 + s)
  const events: Array<TradeEvent> = [submitted(name, order, { shares: String(BATCH * 10) })]
  for (let k = 0; k < BATCH - 2; k++)
    events.push(
      legFilled(name, order, `${s}:${k}`, "10", `${100 + (k % 50)}.${String(k % 10_000).padStart(4, "0")}`, {
        legId: "1"
      })
    )
  events.push(filled(name, order, { filledShares: String((BATCH - 2) * 10) }))
  return { id: name as ExecutionId, events }
}

// ---- Effect path -----------------------------------------------------------------------

const runEffect = <A>(file: string, body: Effect.Effect<A, unknown, EventStore | Replay>): Promise<A> =>
  Effect.runPromise(
    Effect.provide(
      body,
      SqliteStore.layer({
        filename: file,
        ...(process.env.STORE_BENCH_PAGE === undefined
          ? {}
          : { replay: { pageSize: Number(process.env.STORE_BENCH_PAGE) } })
      })
    ) as Effect.Effect<A>
  )

const effectBatched = (file: string, streams: number) =>
  runEffect(
    file,
    Effect.gen(function* () {
      const store = yield* EventStore
      for (let s = 0; s < streams; s++) {
        const { id, events } = batchStream(s)
        yield* store.append(id, 0, events)
      }
    })
  )

const effectSingles = (file: string, round: number) =>
  runEffect(
    file,
    Effect.gen(function* () {
      const store = yield* EventStore
      const all = Array.from({ length: SINGLE_STREAMS }, (_, s) => singleEvents(`s${round}`, s))
      for (let k = 0; k < SINGLE_PER_STREAM; k++)
        for (let s = 0; s < SINGLE_STREAMS; s++)
          yield* store.append(`s${round}-${s}` as ExecutionId, k, [all[s]?.[k] as TradeEvent])
    })
  )

/** Every event decoded, in global order, through `EventStore.readAll` (what a subscriber sees). */
const effectReadAll = (file: string) =>
  runEffect(
    file,
    Effect.flatMap(EventStore, (store) => Stream.runCount(store.readAll()))
  )

const effectReplay = (file: string) =>
  runEffect(
    file,
    Effect.flatMap(Replay, (r) => r.rebuild())
  )

// ---- raw path --------------------------------------------------------------------------

const rawBatched = (file: string, streams: number, hashing = true) => {
  const db = openRaw(file)
  const append = rawAppender(db, { hashing })
  for (let s = 0; s < streams; s++) {
    const { id, events } = batchStream(s)
    append(id, 0, events)
  }
  db.close()
}

const rawSingles = (file: string, round: number, hashing = true) => {
  const db = openRaw(file)
  const append = rawAppender(db, { hashing })
  const all = Array.from({ length: SINGLE_STREAMS }, (_, s) => singleEvents(`s${round}`, s))
  for (let k = 0; k < SINGLE_PER_STREAM; k++)
    for (let s = 0; s < SINGLE_STREAMS; s++)
      append(`s${round}-${s}` as ExecutionId, k, [all[s]?.[k] as TradeEvent])
  db.close()
}

// ---- child phases ----------------------------------------------------------------------

const phases: Record<string, (file: string, n: number) => Promise<unknown> | unknown> = {
  migrate: (file) => runEffect(file, Effect.void),
  "effect-batched": (file, n) => effectBatched(file, n / BATCH),
  "raw-batched": (file, n) => rawBatched(file, n / BATCH),
  "effect-single": (file, round) => effectSingles(file, round),
  "raw-single": (file, round) => rawSingles(file, round),
  "raw-batched-unhashed": (file, n) => rawBatched(file, n / BATCH, false),
  "raw-single-unhashed": (file, round) => rawSingles(file, round, false),
  "effect-replay": (file) => effectReplay(file),
  "effect-readall": (file) => effectReadAll(file),
  "raw-replay": (file) => rawScan(file),
  "raw-decode": (file) => rawDecode(file)
}

const child = async (phase: string, file: string, n: number) => {
  const run = phases[phase]
  if (run === undefined) throw new Error(`unknown phase ${phase}`)
  const t0 = performance.now()
  await run(file, n)
  const seconds = (performance.now() - t0) / 1000
  process.stdout.write(JSON.stringify({ seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 }))
}

interface Phase {
  readonly seconds: number
  readonly maxRssMb: number
}
/** The median time of the runs, and the highest peak RSS of any of them (the figure a limit is about). */
const median = (runs: ReadonlyArray<Phase>): Phase => ({
  seconds: ([...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)] as Phase).seconds,
  maxRssMb: Math.max(...runs.map((r) => r.maxRssMb))
})

/** Rounds of the four replay phases at each size (each phase's figure is its median). */
const REPLAY_ROUNDS = 5

const spawn = (phase: string, file: string, n: number): Phase =>
  JSON.parse(
    execFileSync(process.execPath, [...process.execArgv, self, "--child", phase, file, String(n)], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"]
    })
  )

// ---- report ----------------------------------------------------------------------------

const fmt = (n: number) => Math.round(n).toLocaleString("en-US")

const main = () => {
  const quick = process.argv.includes("--quick") || process.env.STORE_BENCH_QUICK === "1"
  const sizes = quick ? [100_000] : [100_000, 1_000_000]
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fill-tracker-bench-"))
  const rows: Array<Array<string>> = []
  const line = (
    name: string,
    events: number,
    effect: { seconds: number; maxRssMb: number },
    raw: { seconds: number; maxRssMb: number }
  ) => {
    const e = events / effect.seconds
    const r = events / raw.seconds
    rows.push([
      name,
      fmt(events),
      fmt(e),
      fmt(r),
      (e / r).toFixed(2),
      fmt(effect.maxRssMb),
      fmt(raw.maxRssMb)
    ])
  }
  try {
    for (const n of sizes) {
      const eff = path.join(dir, `effect-${n}.db`)
      const raw = path.join(dir, `raw-${n}.db`)
      const unhashed = path.join(dir, `unhashed-${n}.db`)
      spawn("migrate", eff, 0)
      spawn("migrate", raw, 0)
      spawn("migrate", unhashed, 0)
      const rawBatchedPhase = spawn("raw-batched", raw, n)
      line(
        `append, ${BATCH} events/tx (store → ${n / 1000}k)`,
        n,
        spawn("effect-batched", eff, n),
        rawBatchedPhase
      )
      // What the hash chain costs: the raw path with it (left columns) against without it.
      line(
        `  hashing: raw hashed vs raw unhashed`,
        n,
        rawBatchedPhase,
        spawn("raw-batched-unhashed", unhashed, n)
      )
      // One-event appends are short and the machine is shared: three rounds, each starting
      // at a different path, and each path's median.
      const singles = SINGLE_STREAMS * SINGLE_PER_STREAM
      const effectRuns: Array<Phase> = []
      const rawRuns: Array<Phase> = []
      const unhashedRuns: Array<Phase> = []
      for (let round = 0; round < 3; round++)
        for (const phase of rotate(round, [
          () => effectRuns.push(spawn("effect-single", eff, round)),
          () => rawRuns.push(spawn("raw-single", raw, round)),
          () => unhashedRuns.push(spawn("raw-single-unhashed", unhashed, round))
        ]))
          phase()
      line(
        `append, 1 event/tx (onto ${n / 1000}k, median of 3)`,
        singles,
        median(effectRuns),
        median(rawRuns)
      )
      line(`  hashing: raw hashed vs raw unhashed`, singles, median(rawRuns), median(unhashedRuns))
      const total = n + 3 * singles
      // Replays too: five rounds rotating the four phases, the median of each (the
      // machine's speed drifts over minutes; rotating spreads a slow spell over all four,
      // and a median of five is steadier than of three for runs under a second).
      const replays: Record<"scan" | "decode" | "read" | "rebuilt", Array<Phase>> = {
        scan: [],
        decode: [],
        read: [],
        rebuilt: []
      }
      for (let round = 0; round < REPLAY_ROUNDS; round++)
        for (const phase of rotate(round, [
          () => replays.scan.push(spawn("raw-replay", eff, n)),
          () => replays.decode.push(spawn("raw-decode", eff, n)),
          () => replays.read.push(spawn("effect-readall", eff, n)),
          () => replays.rebuilt.push(spawn("effect-replay", eff, n))
        ]))
          phase()
      const scan = median(replays.scan)
      const decode = median(replays.decode)
      const read = median(replays.read)
      const rebuilt = median(replays.rebuilt)
      line(`replay ${fmt(total)}: readAll vs scan+JSON.parse (median of ${REPLAY_ROUNDS})`, total, read, scan)
      line(`  readAll vs scan+decodeStoredEvent`, total, read, decode)
      line(
        `replay ${fmt(total)}: rebuild vs scan+JSON.parse (median of ${REPLAY_ROUNDS})`,
        total,
        rebuilt,
        scan
      )
      line(`  rebuild vs scan+decodeStoredEvent`, total, rebuilt, decode)
      for (const f of [eff, raw, unhashed])
        for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(f + suffix, { force: true })
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
  const header = [
    "workload",
    "events",
    "effect ev/s",
    "raw ev/s",
    "ratio",
    "effect peak RSS MB",
    "raw peak RSS MB"
  ]
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)))
  const print = (r: ReadonlyArray<string>) =>
    console.log(
      `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ")} |`
    )
  console.log(
    `${new Date().toISOString().slice(0, 10)} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"} · Node ${process.version}`
  )
  print(header)
  console.log(`|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`)
  rows.forEach(print)
}

/** PostgreSQL rows (bench/pg.bench.ts) after the SQLite table; `--no-pg` skips them. */
const pgMain = async () => {
  const quick = process.argv.includes("--quick") || process.env.STORE_BENCH_QUICK === "1"
  // Loaded here, not at the top: the SQLite phases' child processes must not carry `pg`.
  const { pgBench, pgHeader, printRows } = await import("./pg.bench.js")
  console.log("")
  printRows(pgHeader, await pgBench({ quick }))
}

const at = process.argv.indexOf("--child")
if (at >= 0) await child(process.argv[at + 1] ?? "", process.argv[at + 2] ?? "", Number(process.argv[at + 3]))
else {
  main()
  if (!process.argv.includes("--no-pg")) await pgMain()
}
