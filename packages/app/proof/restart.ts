/**
 * Restart cost: the first cycle of a poller that just started, over open executions that
 * were recorded after Schwab entered their orders (late-recorded: the list window their
 * submissions give misses them). Two kinds of start, interleaved, on one SQLite store:
 *
 * - cold (the baseline, what every start cost before the store kept what pollers learn):
 *   the learned entered times deleted, so each such execution costs a getOrder again;
 * - warm (as shipped): the poller reads the entered times from the store (LearnedFacts).
 *
 * Prints, per kind, the median getOrder requests and wall time of that first cycle, and the
 * warm/cold ratio.
 *
 *   node --conditions=@fill-tracker/source --import tsx packages/app/proof/restart.ts [executions] [rounds]
 */
import * as fs from "node:fs"
import * as path from "node:path"
import * as SqlClient from "@effect/sql/SqlClient"
import { SchwabAuth } from "@fill-tracker/schwab-client"
import { realClock, startSandbox, working } from "@fill-tracker/schwab-sandbox"
import { Duration, Effect, Logger, LogLevel } from "effect"
import { appLayer } from "../src/layers.js"
import { EnteredTimes } from "../src/poller/enteredTimes.js"
import { runCycleOnce } from "../src/poller/Poller.js"
import { pollerOptionsFrom } from "../src/poller/pollerOptions.js"
import { proofConfig, recordAll, tempDir, workingBuy } from "./harness.js"

const HOUR_MS = 3_600_000

const median = (xs: ReadonlyArray<number>) => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

export const runRestart = async (options: { readonly executions: number; readonly rounds: number }) => {
  const dir = tempDir("restart")
  const sandbox = await startSandbox({ seed: 5, clock: realClock() })
  try {
    const account = sandbox.accounts[0]!
    const orders = Array.from({ length: options.executions }, (_, i) =>
      workingBuy(
        `late-${i}`,
        sandbox.seedOrder(
          account.hashValue,
          { symbol: "AAPL", quantity: 10, price: "150.00", enteredAt: Date.now() - 3 * HOUR_MS },
          working()
        ),
        account.hashValue
      )
    )
    const config = proofConfig(sandbox, path.join(dir, "restart.db"), { pollConcurrency: 16 })
    // A start: the poller's memory is new, as after a deploy or a crash.
    const firstCycle = Effect.gen(function* () {
      const t0 = performance.now()
      const report = yield* runCycleOnce({
        ...pollerOptionsFrom(config, []),
        enteredTimes: new EnteredTimes()
      })
      return { ms: performance.now() - t0, getOrders: report?.getRequests ?? Number.NaN }
    })
    const forget = Effect.flatMap(SqlClient.SqlClient, (sql) => sql`DELETE FROM order_entered_times`)
    const program = Effect.gen(function* () {
      yield* (yield* SchwabAuth.SchwabAuth).exchangeCode(sandbox.issueAuthorizationCode())
      yield* recordAll(orders)
      yield* firstCycle // warm-up: JIT, the SQLite page cache, and the first learning
      const cold: Array<{ ms: number; getOrders: number }> = []
      const warm: Array<{ ms: number; getOrders: number }> = []
      for (let r = 0; r < options.rounds; r++) {
        yield* forget
        cold.push(yield* firstCycle)
        warm.push(yield* firstCycle)
      }
      return { cold, warm }
    })
    return await Effect.runPromise(
      program.pipe(
        Effect.provide(appLayer(config, { retry: { baseDelay: Duration.millis(20) } })),
        Effect.scoped,
        Logger.withMinimumLogLevel(LogLevel.None)
      )
    )
  } finally {
    await sandbox.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const executions = Number(process.argv[2] ?? 1_000)
  const rounds = Number(process.argv[3] ?? 5)
  const r = await runRestart({ executions, rounds })
  const row = (name: string, xs: ReadonlyArray<{ ms: number; getOrders: number }>) =>
    `  ${name}: getOrder ${median(xs.map((x) => x.getOrders))}, first cycle ${median(xs.map((x) => x.ms)).toFixed(0)} ms (median of ${xs.length})`
  const ratio = median(r.warm.map((x) => x.ms)) / median(r.cold.map((x) => x.ms))
  console.log(
    [
      `restart: ${executions} late-recorded open executions in one account, SQLite, ${rounds} interleaved rounds`,
      row("cold start (baseline: learned entered times deleted)", r.cold),
      row("warm start (as shipped: read from the store)", r.warm),
      `  first-cycle time warm/cold: ${ratio.toFixed(2)}`
    ].join("\n")
  )
}
