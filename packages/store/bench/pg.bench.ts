/**
 * PostgreSQL rows of the store benchmark (a script, not a test): the Effect store on
 * `@effect/sql-pg` beside a raw baseline running the same statements through the `pg`
 * driver directly, in the same run, on a throwaway PostgreSQL cluster with its default
 * durability (fsync and synchronous_commit on).
 *
 *   node --conditions=@fill-tracker/source --import tsx packages/store/bench/pg.bench.ts [--quick]
 *
 * (also run at the end of `store.bench.ts`). Rows:
 * - batched append: 1,000 streams of 100 events, one append (transaction) each, in six
 *   rounds, each running the three paths in a rotated order;
 * - one-event append: streams × 5 single-event appends, three rounds rotating the three
 *   paths' order, median of each;
 * - replay: `Replay.rebuild` vs a raw paged scan with JSON.parse, and vs a raw paged scan
 *   with `decodeStoredEvent` (what decoding every event costs);
 * - the cost of the append lock: raw one-event appends from 4 connections at once, with and
 *   without `pg_advisory_xact_lock` (ratio = with / without).
 * Every append of both paths takes the append lock (the store's gap-free ordering), and both
 * write the hash chain as `EventStore.append` does (read the stream's last hash after the
 * claim, SHA-256 per event). Under each append row, "hashing" sets that raw path against the
 * same raw path writing no hashes into a third database, in the same alternating rounds
 * (ratio = throughput kept with the chain: its cost per append).
 */
import { createRequire } from "node:module"
import * as os from "node:os"
import { fileURLToPath } from "node:url"
import { decodeStoredEvent, type ExecutionId, encodeStoredEvent, type TradeEvent } from "@fill-tracker/domain"
import * as Effect from "effect/Effect"
import { orderIdsFollowedBy } from "../src/applyEvent.js"
import {
  applyEvent,
  EventStore,
  type ExecutionRow,
  PgStore,
  type RecordedEvent,
  Replay
} from "../src/index.js"
import { appendLockKey } from "../src/internal/ordering.js"
import { columns, fromColumns, toColumns } from "../src/internal/rowColumns.js"
import { startPostgres } from "../src/testing/index.js"
import { filled, legFilled, submitted } from "../test/support/events.js"
import { chainLink } from "./raw.js"
import { rotate } from "./rotate.js"
import { singleEvents } from "./workloads.js"

// `pg` comes with @effect/sql-pg (not a direct dependency of the store): load it from there.
interface PgClient {
  connect(): Promise<void>
  end(): Promise<void>
  query(text: string, values?: ReadonlyArray<unknown>): Promise<{ rows: Array<Record<string, unknown>> }>
}
const requireFromSqlPg = createRequire(createRequire(import.meta.url).resolve("@effect/sql-pg/PgClient"))
const pg = requireFromSqlPg("pg") as { Client: new (o: { connectionString: string }) => PgClient }

const BATCH = 100
const PER_STREAM = 5

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

// ---- raw path: the store's statements through `pg` ---------------------------------------

const colList = columns.join(", ")
const upsertSql = `INSERT INTO executions (${colList}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(", ")}) ON CONFLICT (execution_id) DO UPDATE SET ${columns
  .filter((c) => c !== "execution_id")
  .map((c) => `${c} = excluded.${c}`)
  .join(", ")}`

/** `lock`: take the append lock (default); `hashing`: chain each event's hash (default), or leave it NULL. */
interface RawOptions {
  readonly lock?: boolean
  readonly hashing?: boolean
}

const rawAppend = async (
  c: PgClient,
  streamId: ExecutionId,
  expected: number,
  events: ReadonlyArray<TradeEvent>,
  options: RawOptions = {}
) => {
  const lock = options.lock ?? true
  const hashing = options.hashing ?? true
  await c.query("BEGIN")
  try {
    if (lock) await c.query(`SELECT pg_advisory_xact_lock(${appendLockKey})`)
    const next = expected + events.length
    const claimed =
      expected === 0
        ? await c.query(
            "INSERT INTO streams (stream_id, version) VALUES ($1, $2) ON CONFLICT (stream_id) DO NOTHING RETURNING version",
            [streamId, next]
          )
        : await c.query(
            "UPDATE streams SET version = $1 WHERE stream_id = $2 AND version = $3 RETURNING version",
            [next, streamId, expected]
          )
    if (claimed.rows.length === 0) throw new Error("conflict")
    // EventStore.append refuses an order id another stream follows (OrderAlreadyFollowed).
    const followed = events.flatMap(orderIdsFollowedBy)
    if (followed.length > 0) {
      const others = await c.query(
        `SELECT order_id, execution_id FROM execution_orders WHERE order_id IN (${followed.map((_, i) => `$${i + 1}`).join(", ")}) AND execution_id <> $${followed.length + 1} ORDER BY order_id, execution_id`,
        [...followed, streamId]
      )
      if (others.rows.length > 0) throw new Error("order already followed")
    }
    const recordedAt = new Date()
    const at = recordedAt.toISOString()
    const params: Array<unknown> = []
    const tuples: Array<string> = []
    let link: string | null = null
    if (hashing && expected > 0) {
      const last = await c.query("SELECT hash FROM events WHERE stream_id = $1 AND stream_version = $2", [
        streamId,
        expected
      ])
      link = (last.rows[0]?.hash as string | null | undefined) ?? null
    }
    events.forEach((e, i) => {
      const stored = encodeStoredEvent(e)
      const version = expected + i + 1
      if (hashing) link = chainLink(link, streamId, version, stored, at)
      const b = i * 8
      tuples.push(`($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8})`)
      params.push(
        streamId,
        version,
        stored.type,
        stored.version,
        stored.data,
        "{}",
        at,
        hashing ? link : null
      )
    })
    const inserted = await c.query(
      `INSERT INTO events (stream_id, stream_version, event_type, schema_version, payload, metadata, recorded_at, hash) VALUES ${tuples.join(", ")} RETURNING position, stream_version`,
      params
    )
    const positions = new Map(
      inserted.rows.map((r) => [Number(r.stream_version), BigInt(String(r.position))])
    )
    const found =
      expected === 0
        ? []
        : (await c.query(`SELECT ${colList} FROM executions WHERE execution_id IN ($1)`, [streamId])).rows
    let row: ExecutionRow | undefined = found[0] === undefined ? undefined : fromColumns(found[0])
    const orderIds: Array<string> = []
    events.forEach((event, i) => {
      const version = expected + i + 1
      const rec: RecordedEvent = {
        position: positions.get(version) ?? 0n,
        streamId,
        version,
        event,
        metadata: {},
        recordedAt
      }
      row = applyEvent(row, rec)
      if (event.type === "Submitted") orderIds.push(event.orderId)
      if (event.type === "Replaced") orderIds.push(event.replacementOrderId)
    })
    if (row === undefined) throw new Error("projection")
    const cols = toColumns(row)
    await c.query(
      upsertSql,
      columns.map((k) => cols[k])
    )
    for (const o of orderIds)
      await c.query(
        "INSERT INTO execution_orders (order_id, execution_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        [o, streamId]
      )
    await c.query("COMMIT")
  } catch (e) {
    await c.query("ROLLBACK")
    throw e
  }
}

/** The replay's read side: the same paged statement as `readAll`, then `work` per payload. */
const rawScan = async (c: PgClient, work: (row: Record<string, unknown>) => boolean) => {
  let from = 0n
  let n = 0
  while (true) {
    const page = await c.query(
      "SELECT position, stream_id, stream_version, event_type, schema_version, payload, metadata, recorded_at FROM events WHERE position >= $1 ORDER BY position LIMIT $2",
      [String(from), 2_000]
    )
    for (const row of page.rows) if (work(row)) n++
    const last = page.rows.at(-1)
    if (page.rows.length < 2_000 || last === undefined) return n
    from = BigInt(String(last.position)) + 1n
  }
}

const withClient = async <A>(url: string, f: (c: PgClient) => Promise<A>): Promise<A> => {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    return await f(c)
  } finally {
    await c.end()
  }
}

// ---- Effect path ---------------------------------------------------------------------------

const runEffect = <A>(url: string, body: Effect.Effect<A, unknown, EventStore | Replay>): Promise<A> =>
  Effect.runPromise(Effect.provide(body, PgStore.layer({ url })) as Effect.Effect<A>)

// ---- the run -------------------------------------------------------------------------------

const time = async (f: () => Promise<unknown>): Promise<number> => {
  const t0 = performance.now()
  await f()
  return (performance.now() - t0) / 1000
}
const median = (xs: ReadonlyArray<number>): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0
const fmt = (n: number) => Math.round(n).toLocaleString("en-US")
const rotated = async (round: number, phases: ReadonlyArray<() => Promise<void>>): Promise<void> => {
  for (const phase of rotate(round, phases)) await phase()
}

export const pgBench = async (options: { quick: boolean }): Promise<Array<Array<string>>> => {
  const batchedEvents = 100_000
  const singleStreams = options.quick ? 400 : 1_000
  const server = await startPostgres({ durable: true })
  const rows: Array<Array<string>> = []
  const line = (name: string, events: number, effectSeconds: number, rawSeconds: number) => {
    const e = events / effectSeconds
    const r = events / rawSeconds
    rows.push([name, fmt(events), fmt(e), fmt(r), (e / r).toFixed(2)])
  }
  try {
    await withClient(server.url, async (c) => {
      await c.query("CREATE DATABASE bench_effect")
      await c.query("CREATE DATABASE bench_raw")
      await c.query("CREATE DATABASE bench_unhashed")
    })
    const eff = server.urlOf("bench_effect")
    const raw = server.urlOf("bench_raw")
    const unhashed = server.urlOf("bench_unhashed")
    await runEffect(eff, Effect.void)
    await runEffect(raw, Effect.void)
    await runEffect(unhashed, Effect.void)

    // Six rounds per path, the three phases in a rotated order (each runs first, second and
    // third twice, see rotate.ts): all three meet the same WAL state (the first writes into a
    // fresh cluster create WAL segments, later ones recycle them), and none always runs last.
    const streams = batchedEvents / BATCH
    const rounds = 6
    const bounds = (round: number) =>
      [Math.floor((round * streams) / rounds), Math.floor(((round + 1) * streams) / rounds)] as const
    let effectBatched = 0
    let rawBatched = 0
    let unhashedBatched = 0
    const rawBatchedRound = (url: string, from: number, to: number, hashing: boolean) =>
      time(() =>
        withClient(url, async (c) => {
          for (let s = from; s < to; s++) {
            const { id, events } = batchStream(s)
            await rawAppend(c, id, 0, events, { hashing })
          }
        })
      )
    for (let round = 0; round < rounds; round++) {
      const [from, to] = bounds(round)
      await rotated(round, [
        async () => {
          effectBatched += await time(() =>
            runEffect(
              eff,
              Effect.gen(function* () {
                const store = yield* EventStore
                for (let s = from; s < to; s++) {
                  const { id, events } = batchStream(s)
                  yield* store.append(id, 0, events)
                }
              })
            )
          )
        },
        async () => {
          rawBatched += await rawBatchedRound(raw, from, to, true)
        },
        async () => {
          unhashedBatched += await rawBatchedRound(unhashed, from, to, false)
        }
      ])
    }
    line(`PG append, ${BATCH} events/tx (→ 100k)`, batchedEvents, effectBatched, rawBatched)
    // What the hash chain costs: the raw path with it (left columns) against without it.
    line(`  hashing: raw hashed vs raw unhashed`, batchedEvents, rawBatched, unhashedBatched)

    const singles = singleStreams * PER_STREAM
    const effectRuns: Array<number> = []
    const rawRuns: Array<number> = []
    const unhashedRuns: Array<number> = []
    const rawSinglesRound = (
      url: string,
      round: number,
      all: ReadonlyArray<ReadonlyArray<TradeEvent>>,
      hashing: boolean
    ) =>
      time(() =>
        withClient(url, async (c) => {
          for (let k = 0; k < PER_STREAM; k++)
            for (let s = 0; s < singleStreams; s++)
              await rawAppend(c, `s${round}-${s}` as ExecutionId, k, [all[s]?.[k] as TradeEvent], { hashing })
        })
      )
    // Three rounds, the phases rotated as above: each runs first, second and third once.
    for (let round = 0; round < 3; round++) {
      const all = Array.from({ length: singleStreams }, (_, s) => singleEvents(`s${round}`, s))
      await rotated(round, [
        async () => {
          effectRuns.push(
            await time(() =>
              runEffect(
                eff,
                Effect.gen(function* () {
                  const store = yield* EventStore
                  for (let k = 0; k < PER_STREAM; k++)
                    for (let s = 0; s < singleStreams; s++)
                      yield* store.append(`s${round}-${s}` as ExecutionId, k, [all[s]?.[k] as TradeEvent])
                })
              )
            )
          )
        },
        async () => {
          rawRuns.push(await rawSinglesRound(raw, round, all, true))
        },
        async () => {
          unhashedRuns.push(await rawSinglesRound(unhashed, round, all, false))
        }
      ])
    }
    line(`PG append, 1 event/tx (median of 3)`, singles, median(effectRuns), median(rawRuns))
    line(`  hashing: raw hashed vs raw unhashed`, singles, median(rawRuns), median(unhashedRuns))

    const total = batchedEvents + 3 * singles
    const replayed = await time(() =>
      runEffect(
        eff,
        Effect.flatMap(Replay, (r) => r.rebuild())
      )
    )
    const scanned = await time(() =>
      withClient(eff, (c) => rawScan(c, (row) => JSON.parse(String(row.payload)) !== null))
    )
    const decoded = await time(() =>
      withClient(eff, (c) =>
        rawScan(
          c,
          (row) =>
            decodeStoredEvent(String(row.event_type), Number(row.schema_version), String(row.payload))
              ._tag === "Right"
        )
      )
    )
    line(`PG replay ${fmt(total)} (rebuild vs scan+JSON.parse)`, total, replayed, scanned)
    line(`  same, vs scan+decodeStoredEvent`, total, replayed, decoded)

    // The lock's cost: 4 connections appending at once, raw, with and without it.
    const writers = 4
    const perWriter = Math.floor(singleStreams / writers)
    const concurrent = (lock: boolean, prefix: string) =>
      time(() =>
        Promise.all(
          Array.from({ length: writers }, (_, w) =>
            withClient(raw, async (c) => {
              for (let s = 0; s < perWriter; s++) {
                const events = singleEvents(`${prefix}${w}`, s)
                for (let k = 0; k < PER_STREAM; k++)
                  await rawAppend(c, `${prefix}${w}-${s}` as ExecutionId, k, [events[k] as TradeEvent], {
                    lock
                  })
              }
            })
          )
        )
      )
    const locked = await concurrent(true, "l")
    const unlocked = await concurrent(false, "u")
    line(
      `PG raw 1 event/tx, ${writers} connections: lock vs none`,
      writers * perWriter * PER_STREAM,
      locked,
      unlocked
    )
  } finally {
    await server.stop()
  }
  return rows
}

export const printRows = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>) => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)))
  const print = (r: ReadonlyArray<string>) =>
    console.log(
      `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ")} |`
    )
  print(header)
  console.log(`|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`)
  rows.forEach(print)
}

export const pgHeader = ["workload (PostgreSQL)", "events", "effect ev/s", "raw ev/s", "ratio"]

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes("--quick") || process.env.STORE_BENCH_QUICK === "1"
  const rows = await pgBench({ quick })
  console.log(
    `${new Date().toISOString().slice(0, 10)} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"} · Node ${process.version}`
  )
  printRows(pgHeader, rows)
}
