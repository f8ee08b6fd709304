/**
 * Load: many open (working, never filling) orders across several accounts, polled by the
 * real cycle in-process against the sandbox. Prints requests per cycle, cycle time, CPU
 * per order (process.cpuUsage over the cycles, minus the sandbox's own share measured by
 * asking it for the same lists directly), and peak RSS.
 *
 *   node --conditions=@fill-tracker/source --import tsx packages/app/proof/load.ts [orders] [accounts] [cycles]
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { SchwabAuth } from "@fill-tracker/schwab-client"
import { realClock, startSandbox, working } from "@fill-tracker/schwab-sandbox"
import { Duration, Effect, Logger, LogLevel } from "effect"
import { appLayer } from "../src/layers.js"
import { runCycleOnce } from "../src/poller/Poller.js"
import { pollerOptionsFrom } from "../src/poller/pollerOptions.js"
import { SnapshotMemo } from "../src/poller/snapshotMemo.js"
import { type PlacedOrder, proofConfig, recordAll, tempDir, workingBuy } from "./harness.js"

export interface LoadReport {
  readonly orders: number
  readonly accounts: number
  readonly cycles: number
  readonly requestsPerCycle: ReadonlyArray<number>
  readonly listPerCycle: number
  readonly getPerCycle: number
  readonly recordMs: number
  readonly cycleMs: { readonly mean: number; readonly max: number }
  /** Process CPU per order per cycle, app and in-process sandbox together. */
  readonly cpuUsPerOrder: number
  /** The sandbox's share (rendering the same lists), measured apart. */
  readonly sandboxCpuUsPerOrder: number
  readonly peakRssMb: number
}

const cpuMicros = () => {
  const u = process.cpuUsage()
  return u.user + u.system
}

export const runLoad = async (options: {
  readonly orders: number
  readonly accounts: number
  readonly cycles: number
}): Promise<LoadReport> => {
  const dir = tempDir("load")
  const sandbox = await startSandbox({
    seed: 5,
    clock: realClock(),
    accounts: Array.from({ length: options.accounts }, (_, i) => ({ accountNumber: String(30_000_001 + i) }))
  })
  try {
    const config = proofConfig(sandbox, path.join(dir, "load.db"), { pollConcurrency: 16 })
    const orders: Array<PlacedOrder> = []
    for (let i = 0; i < options.orders; i++) {
      const account = sandbox.accounts[i % options.accounts]!
      const orderId = sandbox.seedOrder(
        account.hashValue,
        { symbol: "AAPL", quantity: 10, price: "150.00" },
        working()
      )
      orders.push(workingBuy(`load-${i}`, orderId, account.hashValue))
    }
    const program = Effect.gen(function* () {
      const auth = yield* SchwabAuth.SchwabAuth
      yield* auth.exchangeCode(sandbox.issueAuthorizationCode())
      const recordStart = Date.now()
      yield* recordAll(orders)
      const recordMs = Date.now() - recordStart
      // As startPoller runs it: with the memo that skips unchanged executions across cycles.
      const pollerOptions = { ...pollerOptionsFrom(config, []), memo: new SnapshotMemo() }
      yield* runCycleOnce(pollerOptions) // warm-up: JIT and the SQLite page cache
      const requestsPerCycle: Array<number> = []
      const times: Array<number> = []
      let list = 0
      let get = 0
      const cpuStart = cpuMicros()
      for (let c = 0; c < options.cycles; c++) {
        const before = sandbox.requests().length
        const t0 = performance.now()
        const report = yield* runCycleOnce(pollerOptions)
        times.push(performance.now() - t0)
        requestsPerCycle.push(sandbox.requests().length - before)
        list += report?.listRequests ?? 0
        get += report?.getRequests ?? 0
      }
      const cpu = cpuMicros() - cpuStart
      return { recordMs, requestsPerCycle, times, list, get, cpu }
    })
    const r = await Effect.runPromise(
      program.pipe(
        Effect.provide(appLayer(config, { retry: { baseDelay: Duration.millis(20) } })),
        Effect.scoped,
        Logger.withMinimumLogLevel(LogLevel.None)
      )
    )
    // The sandbox's share: the same list requests, straight over HTTP, bodies read and dropped.
    const token = sandbox.authorize().accessToken
    const from = new Date(Date.now() - 3_600_000).toISOString()
    const to = new Date(Date.now() + 3_600_000).toISOString()
    const sandboxStart = cpuMicros()
    for (let c = 0; c < options.cycles; c++)
      for (const a of sandbox.accounts) {
        const url = `${sandbox.baseUrl}/accounts/${a.hashValue}/orders?fromEnteredTime=${from}&toEnteredTime=${to}`
        await (await fetch(url, { headers: { Authorization: `Bearer ${token}` } })).arrayBuffer()
      }
    const sandboxCpu = cpuMicros() - sandboxStart
    const perOrder = (us: number) => us / (options.cycles * options.orders)
    return {
      orders: options.orders,
      accounts: options.accounts,
      cycles: options.cycles,
      requestsPerCycle: r.requestsPerCycle,
      listPerCycle: r.list / options.cycles,
      getPerCycle: r.get / options.cycles,
      recordMs: r.recordMs,
      cycleMs: { mean: r.times.reduce((a, b) => a + b, 0) / r.times.length, max: Math.max(...r.times) },
      cpuUsPerOrder: perOrder(r.cpu),
      sandboxCpuUsPerOrder: perOrder(sandboxCpu),
      peakRssMb: process.resourceUsage().maxRSS / 1024
    }
  } finally {
    await sandbox.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

export const describeLoad = (r: LoadReport): string =>
  [
    `load: ${r.orders} open orders across ${r.accounts} accounts, ${r.cycles} cycles after a warm-up`,
    `  requests per cycle: ${r.requestsPerCycle.join(" ")} (listOrders ${r.listPerCycle}, getOrder ${r.getPerCycle})`,
    `  cycle time: mean ${r.cycleMs.mean.toFixed(0)} ms, max ${r.cycleMs.max.toFixed(0)} ms`,
    `  CPU per order per cycle: ${r.cpuUsPerOrder.toFixed(1)} µs in-process (app + sandbox), sandbox alone ${r.sandboxCpuUsPerOrder.toFixed(1)} µs, app ≈ ${(r.cpuUsPerOrder - r.sandboxCpuUsPerOrder).toFixed(1)} µs`,
    `  recording the submissions: ${r.recordMs} ms (${((1000 * r.recordMs) / r.orders).toFixed(0)} µs each); peak RSS ${r.peakRssMb.toFixed(0)} MB`
  ].join("\n")

if (import.meta.url === `file://${process.argv[1]}`) {
  const orders = Number(process.argv[2] ?? 10_000)
  const accounts = Number(process.argv[3] ?? 5)
  const cycles = Number(process.argv[4] ?? 5)
  console.log(describeLoad(await runLoad({ orders, accounts, cycles })))
}
