/**
 * Scale-out: many open (working, never filling) orders across many accounts, polled by
 * several pollers in one process, each with its own app graph (own connection pool, own
 * poller id) on one PostgreSQL database, sharing the account shards by lease as
 * `startPoller` does (rebalance, then a cycle). Prints one table: requests per round (one
 * list per account across all pollers, no getOrder), cycle time per poller, CPU per order
 * (this process, the sandbox's share measured apart as in load.ts, and PostgreSQL's),
 * peak RSS, and what Schwab's 120 requests a minute means for this many accounts.
 *
 *   node --conditions=@fill-tracker/source --import tsx packages/app/proof/scaleOut.ts [orders] [accounts] [pollers] [rounds]
 */
import * as fs from "node:fs"
import * as os from "node:os"
import type { AccountHash } from "@fill-tracker/domain"
import { SchwabAuth } from "@fill-tracker/schwab-client"
import { realClock, startSandbox, working } from "@fill-tracker/schwab-sandbox"
import { startPostgres } from "@fill-tracker/store/testing"
import { Duration, Effect, type Layer, Logger, LogLevel, ManagedRuntime } from "effect"
import { appLayer } from "../src/layers.js"
import { type LeaseKeeper, makeLeaseKeeper } from "../src/poller/leaseKeeper.js"
import { type PollerOptions, runCycleOnce } from "../src/poller/Poller.js"
import { pollerOptionsFrom } from "../src/poller/pollerOptions.js"
import { SnapshotMemo } from "../src/poller/snapshotMemo.js"
import { FillTracker } from "../src/tracker/FillTracker.js"
import { proofConfig } from "./harness.js"

export interface ScaleOutOptions {
  readonly orders: number
  readonly accounts: number
  readonly pollers: number
  readonly rounds: number
  /** Lease shards, the same for every poller (the app's default is 16). */
  readonly shards?: number
}

export interface RoundCheck {
  /** listOrders / getOrder the sandbox saw in this round, all pollers together. */
  readonly list: number
  readonly get: number
  /** Accounts leased by no poller, and by more than one, during the round. */
  readonly unowned: number
  readonly doubleOwned: number
  /** Open executions each poller polled (its report's `open`) and what its leased accounts hold. */
  readonly openPerPoller: ReadonlyArray<number>
  readonly expectedPerPoller: ReadonlyArray<number>
  readonly cycleMsPerPoller: ReadonlyArray<number>
  /** Wall time of the round: every poller's cycle, run side by side. */
  readonly roundMs: number
}

export interface ScaleOutReport {
  readonly options: Required<ScaleOutOptions>
  readonly setupMs: { readonly seed: number; readonly record: number; readonly leases: number }
  readonly warmUpMs: number
  readonly rounds: ReadonlyArray<RoundCheck>
  /** Process CPU per order per round (app pollers plus the in-process sandbox). */
  readonly cpuUsPerOrder: number
  readonly sandboxCpuUsPerOrder: number
  /** PostgreSQL's server processes, per order per round (from /proc; 0 where unreadable). */
  readonly postgresCpuUsPerOrder: number
  readonly peakRssMb: number
}

const cpuMicros = () => {
  const u = process.cpuUsage()
  return u.user + u.system
}

/** utime + stime of every `postgres` process, in µs (clock ticks are 1/100 s on Linux). */
const postgresCpuMicros = (): number => {
  let ticks = 0
  for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
      const close = stat.lastIndexOf(")")
      if (!stat.slice(stat.indexOf("(") + 1, close).startsWith("postgres")) continue
      const fields = stat.slice(close + 2).split(" ")
      ticks += Number(fields[11]) + Number(fields[12])
    } catch {
      // a process that ended meanwhile
    }
  }
  return ticks * 10_000
}

const sum = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0)
const quiet = <A, E, R>(e: Effect.Effect<A, E, R>) => e.pipe(Logger.withMinimumLogLevel(LogLevel.None))

export const runScaleOut = async (input: ScaleOutOptions): Promise<ScaleOutReport> => {
  const options: Required<ScaleOutOptions> = { shards: 16, ...input }
  const pg = await startPostgres()
  const sandbox = await startSandbox({
    seed: 8,
    clock: realClock(),
    accounts: Array.from({ length: options.accounts }, (_, i) => ({ accountNumber: String(40_000_001 + i) }))
  })
  const runtimes: Array<
    ManagedRuntime.ManagedRuntime<Layer.Layer.Success<ReturnType<typeof appLayer>>, unknown>
  > = []
  try {
    const base = proofConfig(sandbox, pg.url, {
      pollConcurrency: 16,
      // The default interval: leases live 15 s, so a long warm-up cycle keeps its leases.
      pollingInterval: 15_000,
      pollerShards: options.shards
    })
    const tuning = { retry: { baseDelay: Duration.millis(20) } }

    const seedStart = performance.now()
    const hashes = sandbox.accounts.map((a) => a.hashValue as AccountHash)
    const orders = Array.from({ length: options.orders }, (_, i) => {
      const accountHash = hashes[i % hashes.length] as AccountHash
      const orderId = sandbox.seedOrder(
        accountHash,
        { symbol: "AAPL", quantity: 10, price: "150.00" },
        working()
      )
      return { i, orderId, accountHash }
    })
    const seedMs = performance.now() - seedStart

    // Recording: one graph, many submissions at once (each is its own transaction).
    const recordStart = performance.now()
    await Effect.runPromise(
      quiet(
        Effect.gen(function* () {
          const auth = yield* SchwabAuth.SchwabAuth
          yield* auth.exchangeCode(sandbox.issueAuthorizationCode())
          const tracker = yield* FillTracker
          yield* Effect.forEach(
            orders,
            (o) =>
              tracker.recordSubmission({
                executionId: `scale-${String(o.i).padStart(6, "0")}`,
                orderId: o.orderId,
                accountHash: o.accountHash,
                symbol: "AAPL",
                shares: 10,
                direction: "BUY",
                referencePrice: "150.00"
              }),
            { concurrency: 16, discard: true }
          )
        }).pipe(Effect.provide(appLayer(base, tuning)), Effect.scoped)
      )
    )
    const recordMs = performance.now() - recordStart
    const openPerAccount = new Map<AccountHash, number>()
    for (const o of orders) openPerAccount.set(o.accountHash, (openPerAccount.get(o.accountHash) ?? 0) + 1)

    // The pollers: each its own graph (pool), poller id, memo and lease keeper.
    const pollers: Array<{
      readonly runtime: (typeof runtimes)[number]
      readonly keeper: LeaseKeeper
      readonly cycle: PollerOptions
    }> = []
    for (let p = 0; p < options.pollers; p++) {
      const config = { ...base, pollerId: `scale-p${p + 1}` }
      const runtime = ManagedRuntime.make(appLayer(config, tuning))
      runtimes.push(runtime)
      const pollerOptions = pollerOptionsFrom(config, [])
      const lease = pollerOptions.lease
      if (lease === undefined) throw new Error("poller options without a lease")
      const keeper = await runtime.runPromise(quiet(makeLeaseKeeper(lease)))
      pollers.push({
        runtime,
        keeper,
        // As startPoller runs it; the cycle cap raised for the first cycle, which reads every stream.
        cycle: { ...pollerOptions, cycleTimeoutMs: 600_000, memo: new SnapshotMemo(), leases: keeper.cycle }
      })
    }
    const owners = async (account: AccountHash) => {
      let n = 0
      for (const p of pollers)
        if ((await p.runtime.runPromise(p.keeper.cycle.leaseOf(account))) !== undefined) n++
      return n
    }
    const leasesStart = performance.now()
    // Rebalance until every account has exactly one owner and every poller has a share.
    for (let attempt = 0; attempt < 20; attempt++) {
      for (const p of pollers) await p.runtime.runPromise(quiet(p.keeper.rebalance))
      const counts = await Promise.all(hashes.map(owners))
      if (counts.every((c) => c === 1)) break
    }
    const leasesMs = performance.now() - leasesStart

    const round = async (): Promise<RoundCheck> => {
      const before = sandbox.requests().length
      const t0 = performance.now()
      const results = await Promise.all(
        pollers.map((p) =>
          p.runtime.runPromise(
            quiet(
              Effect.gen(function* () {
                yield* p.keeper.rebalance
                const started = performance.now()
                const report = yield* runCycleOnce(p.cycle)
                return { report, ms: performance.now() - started }
              })
            )
          )
        )
      )
      const roundMs = performance.now() - t0
      const seen = sandbox.requests().slice(before)
      const held = await Promise.all(
        pollers.map(async (p) => {
          const mine: Array<AccountHash> = []
          for (const a of hashes)
            if ((await p.runtime.runPromise(p.keeper.cycle.leaseOf(a))) !== undefined) mine.push(a)
          return mine
        })
      )
      const ownerCount = hashes.map((a) => held.filter((h) => h.includes(a)).length)
      return {
        list: seen.filter((r) => r.name === "listOrders").length,
        get: seen.filter((r) => r.name === "getOrder").length,
        unowned: ownerCount.filter((c) => c === 0).length,
        doubleOwned: ownerCount.filter((c) => c > 1).length,
        openPerPoller: results.map((r) => r.report?.open ?? -1),
        expectedPerPoller: held.map((h) => sum(h.map((a) => openPerAccount.get(a) ?? 0))),
        cycleMsPerPoller: results.map((r) => r.ms),
        roundMs
      }
    }

    const warmStart = performance.now()
    await round() // warm-up: every stream read once, JIT, PostgreSQL's caches
    const warmUpMs = performance.now() - warmStart

    const rounds: Array<RoundCheck> = []
    const cpuStart = cpuMicros()
    const pgStart = postgresCpuMicros()
    for (let r = 0; r < options.rounds; r++) rounds.push(await round())
    const cpu = cpuMicros() - cpuStart
    const pgCpu = postgresCpuMicros() - pgStart

    // The sandbox's share: the same list requests, straight over HTTP, bodies read and dropped.
    const token = sandbox.authorize().accessToken
    const from = new Date(Date.now() - 3_600_000).toISOString()
    const to = new Date(Date.now() + 3_600_000).toISOString()
    const sandboxStart = cpuMicros()
    for (let r = 0; r < options.rounds; r++)
      for (const a of hashes) {
        const url = `${sandbox.baseUrl}/accounts/${a}/orders?fromEnteredTime=${from}&toEnteredTime=${to}`
        await (await fetch(url, { headers: { Authorization: `Bearer ${token}` } })).arrayBuffer()
      }
    const sandboxCpu = cpuMicros() - sandboxStart

    for (const p of pollers) await p.runtime.runPromise(quiet(p.keeper.release))
    const perOrder = (us: number) => us / (options.rounds * options.orders)
    return {
      options,
      setupMs: { seed: seedMs, record: recordMs, leases: leasesMs },
      warmUpMs,
      rounds,
      cpuUsPerOrder: perOrder(cpu),
      sandboxCpuUsPerOrder: perOrder(sandboxCpu),
      postgresCpuUsPerOrder: perOrder(pgCpu),
      peakRssMb: process.resourceUsage().maxRSS / 1024
    }
  } finally {
    for (const r of runtimes) await r.dispose().catch(() => undefined)
    await sandbox.close()
    await pg.stop()
  }
}

/** Schwab's budget: 120 requests in a 61 s window (the app's margin), one list per account per round. */
export const budgetNote = (accounts: number, intervalMs = 15_000, meanJitterMs = 2_500, perMinute = 120) => {
  const wantedPerMinute = (accounts * 60_000) / (intervalMs + meanJitterMs)
  const throttledRoundS = (accounts * 61) / perMinute
  return { wantedPerMinute, throttledRoundS }
}

const row = (cells: ReadonlyArray<string>) => `| ${cells.join(" | ")} |`

export const describeScaleOut = (r: ScaleOutReport): string => {
  const o = r.options
  const n = r.rounds.length
  const perPoller = Array.from({ length: o.pollers }, (_, p) =>
    r.rounds.map((x) => x.cycleMsPerPoller[p] ?? 0)
  )
  const roundMs = r.rounds.map((x) => x.roundMs)
  const budget = budgetNote(o.accounts)
  const fmt = (x: number, d = 0) => x.toFixed(d)
  const lines = [
    `${new Date().toISOString().slice(0, 10)} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"} · Node ${process.version}`,
    `scale-out: ${o.orders.toLocaleString("en")} open orders / ${o.accounts} accounts / ${o.pollers} pollers (own pool each) on PostgreSQL, ${o.shards} shards, ${n} rounds after a warm-up`,
    row(["measure", "value", "note"]),
    row(["---", "---:", "---"]),
    row([
      "setup: seed sandbox / record submissions",
      `${fmt(r.setupMs.seed / 1000, 1)} s / ${fmt(r.setupMs.record / 1000, 1)} s`,
      `${fmt((1000 * r.setupMs.record) / o.orders)} µs per submission, 16 at once`
    ]),
    row(["warm-up round (every stream read)", `${fmt(r.warmUpMs / 1000, 1)} s`, "not in the figures below"]),
    row([
      "listOrders per round (all pollers)",
      r.rounds.map((x) => x.list).join(" "),
      `accounts ${o.accounts}; getOrder ${r.rounds.map((x) => x.get).join(" ")}`
    ]),
    row([
      "accounts unowned / double-owned per round",
      `${sum(r.rounds.map((x) => x.unowned))} / ${sum(r.rounds.map((x) => x.doubleOwned))}`,
      "over all rounds"
    ]),
    row([
      "open polled per poller (last round)",
      (r.rounds.at(-1)?.openPerPoller ?? []).join(" / "),
      `leased accounts hold ${(r.rounds.at(-1)?.expectedPerPoller ?? []).join(" / ")}`
    ]),
    ...perPoller.map((ms, p) =>
      row([
        `cycle time poller ${p + 1}`,
        `${fmt(sum(ms) / n)} ms`,
        `max ${fmt(Math.max(...ms))} ms; ${r.rounds.at(-1)?.openPerPoller[p] ?? 0} orders`
      ])
    ),
    row([
      "round time (pollers side by side)",
      `${fmt(sum(roundMs) / n)} ms`,
      `max ${fmt(Math.max(...roundMs))} ms`
    ]),
    row([
      "CPU per order per round, this process",
      `${fmt(r.cpuUsPerOrder, 1)} µs`,
      `sandbox alone ${fmt(r.sandboxCpuUsPerOrder, 1)} µs → app ≈ ${fmt(r.cpuUsPerOrder - r.sandboxCpuUsPerOrder, 1)} µs`
    ]),
    row([
      "CPU per order per round, PostgreSQL",
      `${fmt(r.postgresCpuUsPerOrder, 1)} µs`,
      "server processes, /proc"
    ]),
    row(["peak RSS of this process", `${fmt(r.peakRssMb)} MB`, "3 app graphs + sandbox"]),
    row([
      "Schwab budget at 15 s + ≤ 5 s jitter",
      `${fmt(budget.wantedPerMinute)} req/min`,
      budget.wantedPerMinute > 120
        ? `> 120: the shared budget stretches a round to ≥ ${fmt(budget.throttledRoundS, 1)} s (${o.accounts} × 61 s / 120)`
        : "within 120: the budget does not bind"
    ])
  ]
  return lines.join("\n")
}

/** Whether every round asked each account once, never getOrder, and each order's poller was its lease holder. */
export const scaleOutHolds = (r: ScaleOutReport): boolean =>
  r.rounds.every(
    (x) =>
      x.list === r.options.accounts &&
      x.get === 0 &&
      x.unowned === 0 &&
      x.doubleOwned === 0 &&
      sum(x.openPerPoller) === r.options.orders &&
      x.openPerPoller.every((n, p) => n === x.expectedPerPoller[p])
  )

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now()
  const report = await runScaleOut({
    orders: Number(process.argv[2] ?? 100_000),
    accounts: Number(process.argv[3] ?? 50),
    pollers: Number(process.argv[4] ?? 3),
    rounds: Number(process.argv[5] ?? 3)
  })
  console.log(describeScaleOut(report))
  console.log(
    `(wall ${((Date.now() - started) / 1000).toFixed(0)} s; checks ${scaleOutHolds(report) ? "hold" : "FAIL"})`
  )
  process.exitCode = scaleOutHolds(report) ? 0 : 1
}
