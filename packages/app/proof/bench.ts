/**
 * `bench`: one table of what fill-tracker costs.
 *
 * - store append and replay: the store's own benchmark (packages/store/bench, compiled, run
 *   with `--quick`, i.e. 100k events, in its child processes) beside its raw better-sqlite3
 *   baseline; cost ratio = Effect time / raw time;
 * - decode per order: `decodeOrder` on sandbox-rendered bodies beside a bare `JSON.parse`;
 * - reconcile per order: one snapshot with fills into a submitted execution, with evolve;
 * - poll cycle per order: the real cycle in-process over open orders across 5 accounts
 *   (load.ts), wall time and process CPU;
 * - peak RSS of this process.
 *
 *   node --conditions=@fill-tracker/source --import tsx packages/app/proof/bench.ts [--no-store]
 */
import { execFileSync } from "node:child_process"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { decodeOrder, evolve, type Instant, initial, reconcile, type SchwabOrder } from "@fill-tracker/domain"
import {
  fillInOneActivity,
  fillsInLegs,
  immediateFill,
  manualClock,
  startSandbox
} from "@fill-tracker/schwab-sandbox"
import { toSubmitted } from "../src/tracker/Submission.js"
import { runLoad } from "./load.js"

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")

type Row = readonly [measure: string, unit: string, value: string, baseline: string, ratio: string]

const micros = (ms: number, n: number) => (1000 * ms) / n

/** Runs `f` `n` times after a warm-up and answers µs per call. */
const time = (n: number, f: (i: number) => void): number => {
  for (let i = 0; i < Math.min(n, 1_000); i++) f(i)
  const t0 = performance.now()
  for (let i = 0; i < n; i++) f(i)
  return micros(performance.now() - t0, n)
}

/**
 * The store benchmark's rows: workload, events, effect ev/s, raw ev/s, ratio, RSS, RSS.
 * Built and run compiled as `pnpm bench` in packages/store does (under tsx every one of its
 * child processes would start ~59 MB larger, which its RSS column would carry).
 */
const storeRows = (): Array<Row> => {
  execFileSync(
    process.execPath,
    ["node_modules/typescript/bin/tsc", "-b", "packages/store/tsconfig.bench.json"],
    {
      cwd: repoRoot,
      stdio: "inherit"
    }
  )
  const out = execFileSync(
    process.execPath,
    ["packages/store/dist/bench-build/bench/store.bench.js", "--quick"],
    {
      cwd: repoRoot,
      encoding: "utf8",
      maxBuffer: 16 * 1024 * 1024
    }
  )
  const rows: Array<Row> = []
  for (const line of out.split("\n")) {
    const cells = line
      .split("|")
      .slice(1, -1)
      .map((c) => c.trim())
    const [workload, , effect, raw, , effectRss] = cells
    const e = Number((effect ?? "").replaceAll(",", ""))
    const r = Number((raw ?? "").replaceAll(",", ""))
    if (workload === undefined || !Number.isFinite(e) || !Number.isFinite(r) || e === 0 || r === 0) continue
    rows.push([
      `store ${workload}`,
      "µs/event",
      (1e6 / e).toFixed(1),
      `${(1e6 / r).toFixed(1)} raw`,
      // The PostgreSQL table has no RSS column: the work is in the server process.
      effectRss === undefined || effectRss === ""
        ? `${(r / e).toFixed(2)}×`
        : `${(r / e).toFixed(2)}× (RSS ${effectRss} MB)`
    ])
  }
  return rows
}

const decodeAndReconcileRows = async (): Promise<Array<Row>> => {
  const clock = manualClock()
  const sandbox = await startSandbox({ seed: 9, clock })
  const hash = sandbox.accounts[0]!.hashValue
  const ids = Array.from({ length: 300 }, (_, i) =>
    sandbox.seedOrder(
      hash,
      { symbol: "AAPL", quantity: 9 },
      i % 3 === 0
        ? immediateFill({ price: "150.25" })
        : i % 3 === 1
          ? fillsInLegs(3, 100, { prices: ["10.01", "10.02", "10.0333"] })
          : fillInOneActivity(3, { price: "22.7299" })
    )
  )
  clock.advance(10_000)
  const bodies = ids.map((id) => sandbox.orderJson(id))
  await sandbox.close()
  const decoded: Array<SchwabOrder> = bodies.map((b) => {
    const d = decodeOrder(b)
    if (d._tag === "Left") throw new Error("a sandbox body did not decode")
    return d.right
  })
  const states = decoded.map((o, i) => {
    const s = toSubmitted(
      {
        executionId: `bench-${i}`,
        orderId: o.orderId ?? "1",
        accountHash: hash,
        symbol: "AAPL",
        shares: 9,
        direction: "BUY",
        referencePrice: "100.00"
      },
      new Date(clock.now() - 60_000)
    )
    if (!("type" in s)) throw new Error("bad submission")
    return evolve(initial, s)
  })
  const now = new Date(clock.now()).toISOString() as Instant
  const n = 30_000
  const decodeUs = time(n, (i) => decodeOrder(bodies[i % bodies.length]!))
  const parseUs = time(n, (i) => JSON.parse(bodies[i % bodies.length]!))
  const reconcileUs = time(n, (i) => {
    const k = i % decoded.length
    const r = reconcile(states[k]!, decoded[k]!, now)
    if (r._tag === "Right") r.right.reduce(evolve, states[k]!)
  })
  const bytes = bodies.reduce((a, b) => a + b.length, 0) / bodies.length
  return [
    [
      "decodeOrder (one order body)",
      "µs/order",
      decodeUs.toFixed(1),
      `${parseUs.toFixed(1)} JSON.parse`,
      `${(decodeUs / parseUs).toFixed(1)}× (${bytes.toFixed(0)} B body)`
    ],
    ["reconcile + evolve (snapshot with 1–3 fills → Filled)", "µs/order", reconcileUs.toFixed(1), "", ""]
  ]
}

const cycleRows = async (): Promise<Array<Row>> => {
  const load = await runLoad({ orders: 2_000, accounts: 5, cycles: 5 })
  return [
    [
      "poll cycle, 2,000 open orders / 5 accounts",
      "µs/order",
      micros(load.cycleMs.mean, load.orders).toFixed(1),
      `${load.listPerCycle} listOrders/cycle`,
      `CPU ${(load.cpuUsPerOrder - load.sandboxCpuUsPerOrder).toFixed(1)} µs/order app`
    ]
  ]
}

const print = (rows: ReadonlyArray<Row>) => {
  const header: Row = ["measure", "unit", "value", "baseline", "ratio / note"]
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (r: Row) =>
    `| ${r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`
  console.log(
    `${new Date().toISOString().slice(0, 10)} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"} · Node ${process.version}`
  )
  console.log(line(header))
  console.log(`|${widths.map((w, i) => (i < 2 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`)
  for (const r of rows) console.log(line(r))
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows: Array<Row> = []
  if (!process.argv.includes("--no-store")) rows.push(...storeRows())
  rows.push(...(await decodeAndReconcileRows()))
  rows.push(...(await cycleRows()))
  rows.push(["peak RSS of this process", "MB", (process.resourceUsage().maxRSS / 1024).toFixed(0), "", ""])
  print(rows)
}
