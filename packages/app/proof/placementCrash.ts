/**
 * The placement crash matrix: the built binary's `place` is SIGKILLed in each phase of a
 * placement (before the POST, in flight, after the 201 and before `Submitted`; see
 * `placementPhases.ts` for how each is reached on purpose), many times, against a loopback
 * sandbox and a real SQLite file. After each kill the bot does what the README tells it to:
 * for a seeded half of the calls it runs the same `place` again (same execution id), and
 * the service (`run`) resolves whatever is still unconfirmed: either running throughout,
 * as in production (it may resolve an intent before the bot's retry does), or started once
 * every call is done (the retry and the lookups see the crash first). The orders fill in the
 * sandbox on seeded schedules meanwhile and afterwards, and the service follows them to
 * their end. Then every call is audited (`placementAudit.ts`): one Schwab order per call
 * that reached Schwab and none for the others, exactly one execution following each order,
 * the intent ended Submitted or Failed "not placed", never re-sent, and the broker's shares
 * and cents.
 *
 *   pnpm --filter @fill-tracker/app bundle
 *   node --conditions=@fill-tracker/source --import tsx packages/app/proof/placementCrash.ts [runsPerPhase=20] [seed=42]
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { SchwabAuth } from "@fill-tracker/schwab-client"
import {
  fillInOneActivity,
  fillsInLegs,
  immediateFill,
  type Lifecycle,
  makeRandom,
  partialThenCancel,
  type Random,
  realClock,
  type Sandbox,
  startSandbox
} from "@fill-tracker/schwab-sandbox"
import { EventStore, Executions, SqliteStore } from "@fill-tracker/store"
import { Effect, Logger, LogLevel } from "effect"
import type { AppConfig } from "../src/config/AppConfig.js"
import { appLayer } from "../src/layers.js"
import { type BinaryChild, binaryEnv, startBinary, until } from "./binary.js"
import { brokerDone, proofConfig, tempDir } from "./harness.js"
import { auditMatrix, clean, type MatrixAudit, type PlacementRun } from "./placementAudit.js"
import {
  armPhase,
  classify,
  PHASES,
  type Phase,
  phaseLabel,
  type WriteLock,
  writeLock
} from "./placementPhases.js"

export interface PlacementCrashOptions {
  readonly runsPerPhase: number
  readonly seed: number
  /** Fills happen up to this long after an order is entered (seeded per order). */
  readonly fillSpanMs: number
  /** When the service runs: from before the first call (as in production), or only once every call is done. */
  readonly service: "throughout" | "after"
  /** Bound on each wait (a hung run fails naming what it waited for; not a timing claim). */
  readonly waitMs?: number
}

export interface PlacementCrashReport {
  readonly audit: MatrixAudit
  readonly runsPerPhase: number
  readonly seed: number
  readonly service: "throughout" | "after"
  readonly childStarts: number
  readonly wallMs: number
}

const SYMBOLS = ["AAPL", "MSFT", "NVDA", "AMD", "TSLA", "SPY", "QQQ", "KO"]
const DIRECTIONS = ["BUY", "SELL", "SELL_SHORT", "BUY_TO_COVER"] as const

/** The fills of an order placed over HTTP: a seeded mix, all within `spanMs` of entry. */
const fillsWithin =
  (spanMs: number) =>
  (_spec: unknown, rng: Random): Lifecycle => {
    const at = () => rng.int(0, spanMs)
    switch (rng.int(0, 3)) {
      case 0:
        return immediateFill({ afterMs: at() })
      case 1:
        return fillsInLegs(3, Math.floor(spanMs / 6), { firstAfterMs: at() })
      case 2:
        return fillInOneActivity(2, { afterMs: at() })
      default:
        return partialThenCancel({ fillAfterMs: at(), cancelAfterMs: spanMs + 500 })
    }
  }

interface Plan {
  readonly executionId: string
  readonly phase: Phase
  readonly account: { readonly hash: string; readonly number: string; readonly byNumber: boolean }
  readonly symbol: string
  /** Unique per call: the audit tells the calls' orders apart by it, and no lookup sees two alike. */
  readonly shares: number
  readonly direction: (typeof DIRECTIONS)[number]
  readonly again: boolean
}

const plans = (sandbox: Sandbox, runsPerPhase: number, rng: Random): ReadonlyArray<Plan> => {
  const phases = PHASES.flatMap((p) => Array.from({ length: runsPerPhase }, () => p))
  // A seeded shuffle, so the phases interleave and each run follows a different one.
  for (let i = phases.length - 1; i > 0; i--) {
    const j = rng.int(0, i)
    ;[phases[i], phases[j]] = [phases[j]!, phases[i]!]
  }
  return phases.map((phase, i) => {
    const account = rng.pick(sandbox.accounts)
    return {
      executionId: `crash-place-${String(i + 1).padStart(4, "0")}`,
      phase,
      account: { hash: account.hashValue, number: account.accountNumber, byNumber: rng.chance(0.5) },
      symbol: rng.pick(SYMBOLS),
      shares: i + 1,
      direction: rng.pick(DIRECTIONS),
      again: rng.chance(0.5)
    }
  })
}

const placeArgs = (p: Plan) => [
  "place",
  "--execution-id",
  p.executionId,
  "--account",
  p.account.byNumber ? p.account.number : p.account.hash,
  "--symbol",
  p.symbol,
  "--shares",
  String(p.shares),
  "--direction",
  p.direction
]

const quiet = <A, E>(e: Effect.Effect<A, E, never>) =>
  Effect.runPromise(e.pipe(Logger.withMinimumLogLevel(LogLevel.None)))

/** The stream's event types, read by a short-lived connection of our own. */
const streamEvents = (database: string, executionId: string) =>
  quiet(
    Effect.flatMap(EventStore, (s) => s.readStream(executionId as never)).pipe(
      Effect.map((s) => s.events.map((r) => r.event.type as string)),
      Effect.provide(SqliteStore.layer({ filename: database })),
      Effect.scoped
    )
  )

/** Intents still unconfirmed plus executions still working, as the store holds them. */
const unsettled = (database: string) =>
  quiet(
    Effect.gen(function* () {
      const e = yield* Executions
      const pending = yield* e.query({ status: "PENDING" })
      const open = yield* e.open()
      return pending.length + open.length
    }).pipe(Effect.provide(SqliteStore.layer({ filename: database })), Effect.scoped)
  )

const postsSince = (sandbox: Sandbox, from: number) =>
  sandbox
    .requests()
    .slice(from)
    .filter((r) => r.name === "placeOrder")

/** `run` with the shortest intent window it accepts, polling fast; a proof's "service". */
const startService = (config: AppConfig) =>
  startBinary(
    ["run"],
    binaryEnv(config, {
      ORDER_POLLING_INTERVAL: "200ms",
      ORDER_POLLING_MAX_JITTER: "0s",
      INTENT_RESOLUTION_WINDOW: "10s",
      SCHWAB_RATE_LIMIT_PER_MINUTE: "10000"
    })
  )

export const runPlacementCrash = async (options: PlacementCrashOptions): Promise<PlacementCrashReport> => {
  const waitMs = options.waitMs ?? 60_000
  const started = Date.now()
  const dir = tempDir("placement-crash")
  const sandbox = await startSandbox({
    seed: options.seed,
    clock: realClock(),
    accounts: [{ accountNumber: "31111111" }, { accountNumber: "32222222" }],
    defaultLifecycle: fillsWithin(options.fillSpanMs)
  })
  const config = proofConfig(sandbox, path.join(dir, "placement-crash.db"))
  const env = binaryEnv(config, { LOG_LEVEL: "debug", SCHWAB_RATE_LIMIT_PER_MINUTE: "10000" })
  let lock: WriteLock | undefined
  let service: BinaryChild | undefined
  let childStarts = 0

  /** One call: `place` killed in its phase, classified, then (seeded) the bot's same call again. */
  const killOnce = async (plan: Plan, held: WriteLock): Promise<PlacementRun> => {
    const requestsBefore = sandbox.requests().length
    const ordersBefore = sandbox.orderIds().length
    const armed = armPhase(sandbox, plan.phase, held, { timeoutMs: waitMs })
    const child = startBinary(placeArgs(plan), env)
    childStarts++
    try {
      await armed.reached(child)
    } finally {
      child.child.kill("SIGKILL")
      await child.done
      armed.disarm()
    }
    const hit = classify({
      posts: postsSince(sandbox, requestsBefore),
      ordersCreated: sandbox.orderIds().length - ordersBefore,
      events: await streamEvents(config.database, plan.executionId)
    })
    if (plan.again) {
      // The bot's retry after the crash: the same call, which must look, never send again.
      const again = startBinary(placeArgs(plan), env)
      childStarts++
      const end = await again.done
      if (end.code !== 0)
        throw new Error(
          `place again exited ${end.code} for ${plan.executionId}:\n${again.out.stderr.slice(-2_000)}`
        )
    }
    return {
      executionId: plan.executionId,
      planned: plan.phase,
      hit,
      accountHash: plan.account.hash,
      symbol: plan.symbol,
      shares: plan.shares,
      direction: plan.direction,
      replaced: plan.again,
      posts: postsSince(sandbox, requestsBefore).length
    }
  }

  try {
    // The person's `auth login`, once; every child reads the stored tokens.
    await quiet(
      Effect.flatMap(SchwabAuth.SchwabAuth, (auth) =>
        auth.exchangeCode(sandbox.issueAuthorizationCode())
      ).pipe(Effect.provide(appLayer(config)), Effect.scoped)
    )
    lock = writeLock(config.database)
    const requestsFrom = sandbox.requests().length
    // Throughout: the service runs as in production while the calls crash, and may resolve
    // an intent before the bot's own retry does. After: it starts once every call is done.
    if (options.service === "throughout") {
      service = startService(config)
      childStarts++
    }
    const runs: Array<PlacementRun> = []
    for (const plan of plans(sandbox, options.runsPerPhase, makeRandom(`placement-crash/${options.seed}`)))
      runs.push(await killOnce(plan, lock))
    if (service === undefined) {
      service = startService(config)
      childStarts++
    }
    const running = service
    const placed = sandbox.orderIds().map((orderId) => ({ orderId }))
    try {
      await until(
        async () => {
          if (running.child.exitCode !== null)
            throw new Error(`run exited ${running.child.exitCode}:\n${running.out.stderr.slice(-2_000)}`)
          return brokerDone(sandbox, placed) && (await unsettled(config.database)) === 0
        },
        "every intent resolved and every order followed to its end",
        waitMs + options.fillSpanMs + 15_000
      )
    } finally {
      running.child.kill("SIGTERM")
      await running.done
    }
    // POSTs no place call accounts for: the service's (it must never place).
    const otherPosts = postsSince(sandbox, requestsFrom).length - runs.reduce((n, r) => n + r.posts, 0)
    const audit = await quiet(
      auditMatrix(sandbox, runs, { servicePosts: otherPosts }).pipe(
        Effect.provide(SqliteStore.layer({ filename: config.database })),
        Effect.scoped
      )
    )
    return {
      audit,
      runsPerPhase: options.runsPerPhase,
      seed: options.seed,
      service: options.service,
      childStarts,
      wallMs: Date.now() - started
    }
  } finally {
    if (service !== undefined && service.child.exitCode === null && service.child.signalCode === null) {
      service.child.kill("SIGKILL")
      await service.done
    }
    lock?.close()
    await sandbox.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

const pad = (text: string, width: number) => text.padEnd(width)

/** The matrix: one row per phase and a total, then any run with a problem. */
export const describePlacementCrash = (r: PlacementCrashReport): string => {
  const a = r.audit
  const header = [
    "phase",
    "runs",
    "hit",
    "placed again",
    "orders (0/1/2+)",
    "followers ≠ 1",
    "Submitted",
    "not placed",
    "re-sent",
    "problems"
  ]
  const row = (label: string, runs: MatrixAudit["runs"]) => {
    const orders = (n: number) =>
      runs.filter((v) => (n < 2 ? v.orders.length === n : v.orders.length >= 2)).length
    return [
      label,
      String(runs.length),
      String(runs.filter((v) => v.hit === v.planned).length),
      String(runs.filter((v) => v.replaced).length),
      `${orders(0)}/${orders(1)}/${orders(2)}`,
      String(runs.filter((v) => v.followers.some((n) => n !== 1)).length),
      String(runs.filter((v) => v.submittedBy !== "").length),
      String(runs.filter((v) => v.state === "NOT_PLACED").length),
      String(runs.filter((v) => v.problems.some((p) => p.includes("POSTs"))).length),
      String(runs.filter((v) => v.problems.length > 0).length)
    ]
  }
  const rows = [
    header,
    ...PHASES.map((p) =>
      row(
        phaseLabel[p],
        a.runs.filter((v) => v.planned === p)
      )
    ),
    row("total", a.runs)
  ]
  const widths = header.map((_, i) => Math.max(...rows.map((cells) => cells[i]!.length)))
  const table = rows.map((cells) => `  ${cells.map((c, i) => pad(c, widths[i]!)).join("  ")}`.trimEnd())
  const b = a.broker
  return [
    `placement crash matrix (service ${r.service === "throughout" ? "running throughout" : "started after the calls"}): ${r.runsPerPhase} runs per phase, seed ${r.seed}, ${r.childStarts} binary starts, wall ${(r.wallMs / 1000).toFixed(1)} s`,
    ...table,
    `  ${a.untracked} untracked, ${a.duplicated} duplicated, ${a.doubleCounted} double-counted, ${a.resent} re-sent, ${a.servicePosts} POSTs outside the calls`,
    `  broker: ${b.orders} orders, ${b.terminal} terminal, ${b.fillEvents} fill events, ${b.mismatches.length} mismatches (shares, cents, fill keys, end), ${b.lostFills} lost fills, ${b.replayDifferences} replay differences`,
    `  Submitted recorded by: ${[...new Set(a.runs.map((v) => v.submittedBy).filter((s) => s !== ""))]
      .map((s) => `${s} ${a.runs.filter((v) => v.submittedBy === s).length}`)
      .join(", ")}`,
    ...a.runs
      .filter((v) => v.problems.length > 0)
      .map((v) => `  PROBLEM ${v.executionId} (${v.planned}): ${v.problems.join("; ")}`),
    ...b.mismatches.slice(0, 20).map((m) => `  MISMATCH ${m}`)
  ].join("\n")
}

export { clean }

if (import.meta.url === `file://${process.argv[1]}`) {
  const runsPerPhase = Number(process.argv[2] ?? 20)
  const seed = Number(process.argv[3] ?? 42)
  let ok = true
  // Both ways a bot meets a crash: the service already running, and the service started after.
  for (const service of ["throughout", "after"] as const) {
    const report = await runPlacementCrash({
      runsPerPhase,
      seed,
      service,
      fillSpanMs: 20_000,
      waitMs: 120_000
    })
    console.log(describePlacementCrash(report))
    ok = ok && clean(report.audit)
  }
  process.exitCode = ok ? 0 : 1
}
