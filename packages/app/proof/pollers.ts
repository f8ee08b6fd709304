/**
 * Several pollers: N `main.ts run` processes on one database poll an in-process sandbox
 * with 10 accounts, share the account shards by lease and Schwab's budget through the
 * database; two of them are SIGKILLed at seeded random moments. At the end:
 *
 * - every execution matches the broker's truth, no fill key twice (the crash audit);
 * - no two pollers polled one shard (so one order) at once: each child logs when it starts
 *   and finishes an account, with its lease token; a killed child's open interval ends at
 *   the kill, and intervals of different pollers on one shard must not overlap;
 * - every event a poller appended names its poller and lease token: one poller per
 *   (shard, token), and per stream the tokens never go back (no stale append after a takeover);
 * - the sandbox saw at most `rateLimit` requests of the limited routes in any minute.
 *
 *   node --conditions=@fill-tracker/source --import tsx packages/app/proof/pollers.ts [orders] [seed] [database] [pauseAtMs]
 *
 * `database` is a SQLite file path, `sqlite` (a temp file, the default), a `postgres://` URL,
 * or `postgres` for a throwaway cluster started for the run. `pauseAtMs`: SIGSTOP the
 * poller that is never killed that long after start, for 8 s (over a 5 s lease), then SIGCONT.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { SchwabAuth } from "@fill-tracker/schwab-client"
import { makeRandom, realClock, type Sandbox, startSandbox } from "@fill-tracker/schwab-sandbox"
import { EventStore, Executions, Store, type StoreServices, shardOf } from "@fill-tracker/store"
import { startPostgres } from "@fill-tracker/store/testing"
import { Effect, Logger, LogLevel, Stream } from "effect"
import type { AppConfig } from "../src/config/AppConfig.js"
import { appLayer } from "../src/layers.js"
import { configEnv } from "./binary.js"
import {
  type AuditReport,
  audit,
  brokerDone,
  proofConfig,
  recordAll,
  seedOrders,
  summary,
  tempDir
} from "./harness.js"

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")
const mainTs = path.join(repoRoot, "packages/app/src/main.ts")

export interface PollersOptions {
  readonly orders: number
  readonly pollers: number
  readonly kills: number
  readonly seed: number
  readonly spanMs: number
  readonly intervalMs: number
  readonly rateLimit: number
  readonly shards: number
  /** Kills land between these many ms after every poller is up. */
  readonly killWindowMs: readonly [number, number]
  readonly timeoutMs: number
  /** A `postgres://` URL; default a SQLite file in a temp dir. */
  readonly database?: string
  /**
   * SIGSTOP the poller that is never killed this long after all are up, for `forMs` (longer
   * than a lease), then SIGCONT: it comes back stale and must be fenced out.
   */
  readonly pause?: { readonly atMs: number; readonly forMs: number }
  /**
   * Step the broker's clock by conditions instead of letting it run, so the run shows
   * the same things however slowly the machine runs: it stands still from the seeding
   * until every poller has polled; then jumps half the span on, so each poller finds
   * fills to record while later steps (cancels, expiries, last legs) are still ahead; it
   * runs again only once more than one poller appended and every shard a killed poller
   * polled was polled by a survivor under a higher token. On the wall clock alone, a
   * loaded machine could finish every order before any takeover (takeovers 0).
   */
  readonly holdBroker?: boolean
}

export interface PollersReport {
  readonly audit: AuditReport
  readonly database: "sqlite" | "postgres"
  readonly killed: ReadonlyArray<{ readonly poller: string; readonly atMs: number }>
  /** The poller SIGSTOPped and when, and its account polls the pause froze (they span it). */
  readonly paused?: {
    readonly poller: string
    readonly fromMs: number
    readonly toMs: number
    readonly frozenPolls: number
  }
  /** Account polls seen in the children's logs, and pairs of them that overlapped. */
  readonly accountPolls: number
  /** Account polls per poller, and the lease tokens each polled under. */
  readonly pollsPerPoller: Readonly<Record<string, string>>
  readonly overlaps: ReadonlyArray<string>
  /** Shards a killed poller polled that another poller polled later, under a higher token. */
  readonly takeovers: ReadonlyArray<string>
  /** (shard, token) pairs under which more than one poller appended, and token regressions. */
  readonly fencingViolations: ReadonlyArray<string>
  readonly pollerEvents: Readonly<Record<string, number>>
  readonly maxLimitedInMinute: number
  readonly maxAllInMinute: number
  readonly requests: number
  readonly wallMs: number
}

interface Poll {
  readonly poller: string
  readonly shard: number
  readonly token: string
  readonly start: number
  end: number | undefined
}

const childEnv = (config: AppConfig, pollerId: string, o: PollersOptions): NodeJS.ProcessEnv => ({
  ...process.env,
  ...configEnv(config),
  ORDER_POLLING_INTERVAL: `${o.intervalMs}ms`,
  ORDER_POLLING_MAX_JITTER: `${Math.floor(o.intervalMs / 5)}ms`,
  SCHWAB_RATE_LIMIT_PER_MINUTE: String(o.rateLimit),
  POLLER_ID: pollerId,
  POLLER_SHARDS: String(o.shards),
  HEALTH_PORT: "0",
  LOG_FORMAT: "json",
  LOG_LEVEL: "debug"
})

interface Child {
  readonly id: string
  readonly process: ChildProcess
  readonly polls: Array<Poll>
  /** The last few KB the child wrote (stdout and stderr), to say where a stuck one stood. */
  readonly tail: () => string
}

/** Spawns `run`; resolves once it logs that it is running. Its account polls are collected. */
const startChild = (
  config: AppConfig,
  id: string,
  o: PollersOptions,
  spawned: Array<Child>
): Promise<Child> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--conditions=@fill-tracker/source", "--import", "tsx", mainTs, "run"],
      { cwd: repoRoot, env: childEnv(config, id, o), stdio: ["ignore", "pipe", "pipe"] }
    )
    const polls: Array<Poll> = []
    const self: Child = { id, process: child, polls, tail: () => recent }
    // Listed at once, so a child that never says it runs is named with its output.
    spawned.push(self)
    // Two accounts of one shard may be polled at once by one child: a list per shard.
    const open = new Map<number, Array<Poll>>()
    let tail = ""
    let output = ""
    let recent = ""
    const onLine = (line: string) => {
      if (!line.startsWith("{")) return
      let entry: { message?: unknown; timestamp?: unknown; annotations?: Record<string, unknown> }
      try {
        entry = JSON.parse(line)
      } catch {
        return
      }
      const message = Array.isArray(entry.message) ? entry.message.join(" ") : String(entry.message)
      const a = entry.annotations ?? {}
      const at = Date.parse(String(entry.timestamp))
      if (message === "polling account") {
        const poll: Poll = {
          poller: String(a.poller),
          shard: Number(a.shard),
          token: String(a.leaseToken),
          start: at,
          end: undefined
        }
        polls.push(poll)
        open.set(poll.shard, [...(open.get(poll.shard) ?? []), poll])
      } else if (message === "poller leases changed" && process.env.POLLERS_VERBOSE !== undefined) {
        console.log(
          `${new Date(at).toISOString()} ${String(a.poller)} leases ${String(a.leases)} (was ${String(a.was)})`
        )
      } else if (message === "polled account") {
        const poll = open.get(Number(a.shard))?.shift()
        if (poll !== undefined) poll.end = at
      }
    }
    const onData = (chunk: Buffer) => {
      const text = tail + chunk.toString("utf8")
      const lines = text.split("\n")
      tail = lines.pop() ?? ""
      for (const line of lines) onLine(line)
      if (output.length < 20_000) output += chunk.toString("utf8")
      recent = (recent + chunk.toString("utf8")).slice(-4_000)
      if (output.includes("fill-tracker running")) resolve(self)
    }
    child.stdout?.on("data", onData)
    child.stderr?.on("data", onData)
    child.once("exit", (code) =>
      reject(new Error(`${id} exited (${code}) before running:\n${output.slice(-2_000)}`))
    )
  })

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once("exit", () => resolve())
  })

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Fails `stage` once `by` (epoch ms) passes, naming the stage and each child's state and
 * last output: a stage stuck for good (a child that never says it runs, or never exits on
 * SIGTERM, a store call that never returns) is then a finding with its evidence, not a test
 * timeout that says nothing.
 */
const bounded = <A>(
  stage: string,
  by: number,
  children: ReadonlyArray<Child>,
  work: Promise<A>
): Promise<A> => {
  let timer: NodeJS.Timeout | undefined
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        const states = children.map(
          (c) =>
            `${c.id} (pid ${c.process.pid}, ${c.process.exitCode !== null || c.process.signalCode !== null ? `exited ${c.process.exitCode ?? c.process.signalCode}` : "running"}):\n${c.tail()}`
        )
        reject(new Error(`pollers proof: ${stage} did not finish in time\n${states.join("\n")}`))
      },
      Math.max(0, by - Date.now())
    )
  })
  return Promise.race([work, stuck]).finally(() => clearTimeout(timer))
}

/** Waits until `ready` holds or `deadline` (epoch ms) passes; says which. */
const waitFor = async (ready: () => boolean, deadline: number): Promise<boolean> => {
  while (!ready()) {
    if (Date.now() >= deadline) return false
    await sleep(100)
  }
  return true
}

/**
 * A broker clock that starts held: while held it stands still except for `jump`, and once
 * released it runs on in real time from where it stood.
 */
const holdableClock = () => {
  let heldAt: number | undefined = Date.now()
  let behind = 0
  return {
    clock: {
      kind: "real" as const,
      now: () => heldAt ?? Date.now() - behind
    },
    jump: (ms: number) => {
      if (heldAt !== undefined) heldAt += ms
    },
    release: () => {
      if (heldAt === undefined) return
      behind = Date.now() - heldAt
      heldAt = undefined
    }
  }
}

const withStore = <A, E>(database: string, e: Effect.Effect<A, E, StoreServices>) =>
  Effect.runPromise(
    e.pipe(
      Effect.provide(Store.layerFromUrl(database)),
      Effect.scoped,
      Logger.withMinimumLogLevel(LogLevel.None)
    )
  )

const openCount = (database: string) =>
  withStore(database, Effect.flatMap(Executions, (e) => e.open()).pipe(Effect.map((rows) => rows.length)))

/** Two polls of one shard by different pollers whose intervals meet. */
const overlapsOf = (polls: ReadonlyArray<Poll>): Array<string> => {
  const found: Array<string> = []
  const byShard = new Map<number, Array<Poll>>()
  for (const p of polls) byShard.set(p.shard, [...(byShard.get(p.shard) ?? []), p])
  for (const [shard, list] of byShard) {
    const sorted = [...list].sort((a, b) => a.start - b.start)
    for (let i = 0; i < sorted.length; i++)
      for (let j = i + 1; j < sorted.length; j++) {
        const a = sorted[i] as Poll
        const b = sorted[j] as Poll
        if (b.start > (a.end ?? Number.POSITIVE_INFINITY)) break
        if (a.poller !== b.poller)
          found.push(
            `shard ${shard}: ${a.poller}@${a.token} [${a.start}..${a.end}] and ${b.poller}@${b.token} from ${b.start}`
          )
      }
  }
  return found
}

/** Shards the killed pollers polled that no survivor has polled since under a higher token. */
const untakenShards = (children: ReadonlyArray<Child>, killed: ReadonlyArray<{ readonly poller: string }>) =>
  killed.flatMap((k) => {
    const dead = children.find((c) => c.id === k.poller)?.polls ?? []
    return [...new Set(dead.map((p) => p.shard))].filter(
      (shard) => !takeoversOf(children, [k]).some((t) => t.startsWith(`shard ${shard}:`))
    )
  })

const takeoversOf = (
  children: ReadonlyArray<Child>,
  killed: ReadonlyArray<{ readonly poller: string }>
): Array<string> => {
  const found: Array<string> = []
  for (const k of killed) {
    const dead = children.find((c) => c.id === k.poller)
    for (const shard of new Set(dead?.polls.map((p) => p.shard) ?? [])) {
      const last = Math.max(
        ...(dead?.polls ?? []).filter((p) => p.shard === shard).map((p) => Number(p.token))
      )
      const after = children
        .filter((c) => c.id !== k.poller)
        .flatMap((c) => c.polls)
        .find((p) => p.shard === shard && Number(p.token) > last)
      if (after !== undefined)
        found.push(`shard ${shard}: ${k.poller}@${last} -> ${after.poller}@${after.token}`)
    }
  }
  return found
}

/** One poller per (shard, token); per stream, lease tokens of one shard never go back. */
const fencingAudit = (database: string) =>
  withStore(
    database,
    Effect.gen(function* () {
      const store = yield* EventStore
      const owners = new Map<string, Set<string>>()
      const lastToken = new Map<string, bigint>()
      const perPoller: Record<string, number> = {}
      const violations: Array<string> = []
      yield* store.readAll().pipe(
        Stream.runForEach((r) =>
          Effect.sync(() => {
            const m = r.metadata as { poller?: unknown; shard?: unknown; leaseToken?: unknown }
            if (typeof m.poller !== "string") return
            perPoller[m.poller] = (perPoller[m.poller] ?? 0) + 1
            const key = `${String(m.shard)}@${String(m.leaseToken)}`
            owners.set(key, (owners.get(key) ?? new Set()).add(m.poller))
            const token = BigInt(String(m.leaseToken))
            const streamKey = `${r.streamId}/${String(m.shard)}`
            const last = lastToken.get(streamKey)
            if (last !== undefined && token < last)
              violations.push(`${r.streamId}: token ${token} appended after ${last} (position ${r.position})`)
            lastToken.set(streamKey, token)
          })
        )
      )
      for (const [key, set] of owners)
        if (set.size > 1) violations.push(`lease ${key} used by ${[...set].join(", ")}`)
      return { violations, perPoller }
    })
  )

export const runPollers = async (o: PollersOptions): Promise<PollersReport> => {
  const dir = tempDir("pollers")
  const broker =
    o.holdBroker === true ? holdableClock() : { clock: realClock(), jump: () => {}, release: () => {} }
  const sandbox: Sandbox = await startSandbox({
    seed: o.seed,
    clock: broker.clock,
    accounts: Array.from({ length: 10 }, (_, i) => ({ accountNumber: String(10_000_001 + i * 1_111) }))
  })
  const started = Date.now()
  const rng = makeRandom(`pollers/${o.seed}`)
  const database = o.database ?? path.join(dir, "pollers.db")
  const config = proofConfig(sandbox, database, { rateLimit: o.rateLimit })
  const children: Array<Child> = []
  const killed: Array<{ poller: string; atMs: number }> = []
  try {
    const orders = seedOrders(sandbox, o.orders, { seed: o.seed, spanMs: o.spanMs })
    const deadline = started + o.timeoutMs
    await bounded(
      "authorizing and recording the orders",
      deadline,
      children,
      Effect.runPromise(
        Effect.gen(function* () {
          const auth = yield* SchwabAuth.SchwabAuth
          yield* auth.exchangeCode(sandbox.issueAuthorizationCode())
          yield* recordAll(orders)
        }).pipe(Effect.provide(appLayer(config)), Effect.scoped, Logger.withMinimumLogLevel(LogLevel.None))
      )
    )
    await bounded(
      "starting the pollers",
      deadline,
      children,
      Promise.all(Array.from({ length: o.pollers }, (_, k) => startChild(config, `p${k + 1}`, o, children)))
    )
    const up = Date.now()
    if (o.holdBroker === true) {
      await waitFor(() => children.every((c) => c.polls.length > 0), deadline)
      broker.jump(Math.floor(o.spanMs / 2))
      while (
        Date.now() < deadline &&
        Object.keys((await bounded("a fencing audit", deadline, children, fencingAudit(database))).perPoller)
          .length < 2
      )
        await sleep(500)
    }
    // Seeded victims and moments, in time order.
    const victims = [...children].sort(() => rng.int(-1, 1)).slice(0, o.kills)
    const moments = victims.map(() => rng.int(o.killWindowMs[0], o.killWindowMs[1])).sort((a, b) => a - b)
    const survivor = children.find((c) => !victims.includes(c))
    let pausedAt: { poller: string; from: number; to: number } | undefined
    const pausing =
      o.pause === undefined || survivor === undefined
        ? Promise.resolve()
        : (async (pause, child) => {
            await sleep(Math.max(0, up + pause.atMs - Date.now()))
            child.process.kill("SIGSTOP")
            const from = Date.now()
            await sleep(pause.forMs)
            child.process.kill("SIGCONT")
            pausedAt = { poller: child.id, from, to: Date.now() }
          })(o.pause, survivor)
    for (let k = 0; k < victims.length; k++) {
      const victim = victims[k] as Child
      await sleep(Math.max(0, up + (moments[k] as number) - Date.now()))
      victim.process.kill("SIGKILL")
      const at = Date.now()
      await exited(victim.process)
      killed.push({ poller: victim.id, atMs: at - up })
      for (const p of victim.polls) if (p.end === undefined) p.end = at
    }
    await pausing
    if (o.holdBroker === true) await waitFor(() => untakenShards(children, killed).length === 0, deadline)
    broker.release()
    while (Date.now() < deadline) {
      if (
        brokerDone(sandbox, orders) &&
        (await bounded("counting open executions", deadline, children, openCount(database))) === 0
      )
        break
      await sleep(500)
    }
    for (const c of children) if (!killed.some((k) => k.poller === c.id)) c.process.kill("SIGTERM")
    // A poller exits within its shutdown grace (SHUTDOWN_GRACE, 10 s by default) plus a second.
    await bounded(
      "the survivors exiting on SIGTERM",
      Date.now() + 30_000,
      children,
      Promise.all(children.map((c) => exited(c.process)))
    )
    const report = await bounded(
      "the audit",
      Date.now() + 60_000,
      children,
      withStore(database, audit(sandbox, orders))
    )
    const fencing = await bounded(
      "the last fencing audit",
      Date.now() + 60_000,
      children,
      fencingAudit(database)
    )
    // A frozen process sends nothing: its polls that span the pause are set apart, and
    // what it did after SIGCONT is held to the fence (no append under its stale token).
    const frozen = (p: Poll) =>
      pausedAt !== undefined &&
      p.poller === pausedAt.poller &&
      p.start <= pausedAt.from &&
      (p.end ?? Number.POSITIVE_INFINITY) >= pausedAt.from
    const polls = children.flatMap((c) => c.polls).filter((p) => !frozen(p))
    const frozenPolls = children.flatMap((c) => c.polls).filter(frozen).length
    return {
      audit: report,
      database: Store.isPostgresUrl(database) ? "postgres" : "sqlite",
      killed,
      ...(pausedAt === undefined
        ? {}
        : {
            paused: {
              poller: pausedAt.poller,
              fromMs: pausedAt.from - up,
              toMs: pausedAt.to - up,
              frozenPolls
            }
          }),
      accountPolls: polls.length,
      pollsPerPoller: Object.fromEntries(
        children.map((c) => [
          c.id,
          `${c.polls.length} polls, shards@tokens ${[...new Set(c.polls.map((p) => `${p.shard}@${p.token}`))].join(" ")}`
        ])
      ),
      overlaps: overlapsOf(polls),
      takeovers: takeoversOf(children, killed),
      fencingViolations: fencing.violations,
      pollerEvents: fencing.perPoller,
      maxLimitedInMinute: sandbox.maxRequestsInWindow(60_000, (r) => r.name !== "token"),
      maxAllInMinute: sandbox.maxRequestsInWindow(60_000),
      requests: sandbox.requests().length,
      wallMs: Date.now() - started
    }
  } finally {
    for (const c of children)
      if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill("SIGKILL")
    await sandbox.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** Shards of the sandbox's accounts, to print how the work was split. */
export const shardsOfAccounts = (hashes: ReadonlyArray<string>, shards: number) =>
  hashes.map((h) => shardOf(h, shards))

export const describePollers = (r: PollersReport): string =>
  [
    `several pollers (${r.database}): ${summary(r.audit)}`,
    `  killed ${r.killed.map((k) => `${k.poller} at +${(k.atMs / 1000).toFixed(1)} s`).join(", ")}; events appended per poller ${JSON.stringify(r.pollerEvents)}`,
    ...Object.entries(r.pollsPerPoller).map(([id, text]) => `  ${id}: ${text}`),
    ...(r.paused === undefined
      ? []
      : [
          `  SIGSTOPped ${r.paused.poller} from +${(r.paused.fromMs / 1000).toFixed(1)} s to +${(r.paused.toMs / 1000).toFixed(1)} s (${r.paused.frozenPolls} account polls frozen across it)`
        ]),
    `  takeovers after the kills: ${r.takeovers.join("; ") || "none"}`,
    `  ${r.accountPolls} account polls, ${r.overlaps.length} overlapping polls of one shard by two pollers, ${r.fencingViolations.length} fencing violations`,
    `  max Schwab requests in any 60 s: ${r.maxLimitedInMinute} rate-limited (${r.maxAllInMinute} with token calls); ${r.requests} requests in all, wall ${(r.wallMs / 1000).toFixed(1)} s`,
    ...r.overlaps.slice(0, 10).map((x) => `  OVERLAP ${x}`),
    ...r.fencingViolations.slice(0, 10).map((x) => `  FENCING ${x}`),
    ...r.audit.mismatches.slice(0, 20).map((m) => `  MISMATCH ${m}`)
  ].join("\n")

if (import.meta.url === `file://${process.argv[1]}`) {
  const orders = Number(process.argv[2] ?? 1_000)
  const seed = Number(process.argv[3] ?? 8)
  const pg = process.argv[4] === "postgres" ? await startPostgres() : undefined
  const database = pg?.url ?? (process.argv[4] === "sqlite" ? undefined : process.argv[4])
  const pauseAt = process.argv[5] === undefined ? undefined : Number(process.argv[5])
  const report = await runPollers({
    orders,
    pollers: 3,
    kills: 2,
    seed,
    // Orders live a minute and pollers cycle every second: they want more than 120 requests
    // a minute, so the shared budget binds.
    spanMs: 60_000,
    intervalMs: 1_000,
    rateLimit: 120,
    // Seed 8's ten account hashes fall 1/3/2/2/2 into five shards.
    shards: 5,
    killWindowMs: [3_000, 60_000],
    timeoutMs: 900_000,
    ...(database === undefined ? {} : { database }),
    ...(pauseAt === undefined ? {} : { pause: { atMs: pauseAt, forMs: 8_000 } })
  }).finally(() => pg?.stop())
  console.log(describePollers(report))
  const a = report.audit
  process.exitCode =
    a.mismatches.length === 0 &&
    a.duplicateFills === 0 &&
    a.replayDifferences === 0 &&
    report.overlaps.length === 0 &&
    report.fencingViolations.length === 0 &&
    report.maxLimitedInMinute <= 120
      ? 0
      : 1
}
