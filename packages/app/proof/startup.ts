/**
 * `bench` (startup): how long the built binary takes from `node` being started to its exit,
 * for `fill-tracker --help` and `fill-tracker status` on a small SQLite file, beside
 * `node -e 0` (Node's own start, the floor) measured in the same run, interleaved, so a
 * slow spell of the shared machine weighs on all three alike. Each run is a fresh process
 * (nothing of the binary is warm in V8); the operating system's file cache is warm, as it
 * is for a service restarted on its host. Prints median, p90 and min in ms, and the
 * median over the floor.
 *
 *   pnpm build && node --conditions=@fill-tracker/source --import tsx packages/app/proof/startup.ts [--runs 30]
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const binary = path.join(appDir, "dist/fill-tracker.js")
const runsFlag = process.argv.indexOf("--runs")
const runs = runsFlag === -1 ? 30 : Number(process.argv[runsFlag + 1])
if (!Number.isInteger(runs) || runs < 3) throw new Error("--runs: a whole number of at least 3")
if (!fs.existsSync(binary)) throw new Error(`${binary} is missing: run \`pnpm build\` first`)

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ft-startup-"))
const database = path.join(dir, "startup.db")
const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, NO_COLOR: "1" }

/** Runs `node ...args` to its exit; answers the wall time in ms, failing on a non-zero exit. */
const timed = (args: ReadonlyArray<string>): number => {
  const t0 = process.hrtime.bigint()
  const r = spawnSync(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] })
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}: ${r.stderr.toString()}`)
  return ms
}

// A store to read: one execution, recorded by the binary itself.
timed([
  binary,
  "submit",
  "--database",
  database,
  "--execution-id",
  "startup-1",
  "--order-id",
  "1004055538123",
  "--account",
  "HASH0123456789",
  "--symbol",
  "AAPL",
  "--shares",
  "3",
  "--direction",
  "buy"
])

const cases = [
  { name: "node -e 0 (the floor)", args: ["-e", "0"] },
  { name: "fill-tracker --help", args: [binary, "--help"] },
  { name: "fill-tracker status (SQLite, 1 row)", args: [binary, "status", "--database", database] }
] as const

const samples: Array<Array<number>> = cases.map(() => [])
// One warm-up of each, so the first measured run does not pay for filling the file cache.
for (const c of cases) timed(c.args)
for (let i = 0; i < runs; i++) for (const [k, c] of cases.entries()) samples[k]!.push(timed(c.args))
fs.rmSync(dir, { recursive: true, force: true })

const quantile = (xs: ReadonlyArray<number>, q: number) => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN
}
const floor = quantile(samples[0]!, 0.5)
const rows = cases.map((c, k) => {
  const xs = samples[k]!
  const median = quantile(xs, 0.5)
  return [
    c.name,
    median.toFixed(0),
    quantile(xs, 0.9).toFixed(0),
    Math.min(...xs).toFixed(0),
    k === 0 ? "" : `+${(median - floor).toFixed(0)}`
  ]
})
const header = ["start to exit, fresh process", "median ms", "p90 ms", "min ms", "over floor ms"]
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
const line = (cells: ReadonlyArray<string>) =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ")
console.log(`\nstartup: ${runs} runs of each, interleaved; Node ${process.version}, ${os.cpus().length} CPUs`)
console.log(line(header))
console.log(line(widths.map((w) => "-".repeat(w))))
for (const r of rows) console.log(line(r))
