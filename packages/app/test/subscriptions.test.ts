import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { SqlClient } from "@effect/sql"
import { fillsInLegs, realClock, startSandbox } from "@fill-tracker/schwab-sandbox"
import { Checkpoints, EventStore, type RecordedEvent, Store } from "@fill-tracker/store"
import { startPostgres } from "@fill-tracker/store/testing"
import { Chunk, Effect, Fiber, Layer, Logger, LogLevel, ManagedRuntime, Stream } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { Metrics } from "../src/health/Metrics.js"
import { createFillTracker, type FillEvent, FillTracker } from "../src/index.js"
import { executionIdOf, lifecycle } from "./fixtures/fillEvents.js"
import { tempDir } from "./support.js"
import { until } from "./waitUntil.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const repoRoot = path.resolve(here, "../../..")
const subscriberTs = path.join(here, "fixtures/subscriber.ts")

let dir: string
beforeEach(() => {
  dir = tempDir("subscriptions")
})
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

/** The FillTracker on a SQLite file or a PostgreSQL URL, quiet: the retry warnings are what one test provokes. */
const trackerLayer = (database: string) =>
  Layer.provideMerge(
    Layer.mergeAll(FillTracker.layer, Metrics.layer, Logger.minimumLogLevel(LogLevel.None)),
    Store.layerFromUrl(database)
  )

type Runtime = ManagedRuntime.ManagedRuntime<Layer.Layer.Success<ReturnType<typeof trackerLayer>>, unknown>

/** Appends whole lifecycles: Submitted, then the fills in one append per event. */
const appendLifecycle = (id: string, legs: number, fails = false) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const { submitted, fills } = lifecycle(id, legs, fails)
    yield* store.append(executionIdOf(id), 0, [submitted])
    for (let i = 0; i < fills.length; i++) yield* store.append(executionIdOf(id), i + 1, [fills[i]!])
  })

/** The fill events in the store, in global order. */
const recordedFills = Effect.flatMap(EventStore, (store) =>
  Stream.runCollect(store.readAll()).pipe(
    Effect.map((c) => Chunk.toReadonlyArray(c).filter((r) => r.event.type !== "Submitted"))
  )
)

/** A small seeded generator (mulberry32), so the kill points repeat run to run. */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
}

describe("subscribe (in process)", () => {
  it("delivers every fill event in global order, resumes after its checkpoint, and ignores Submitted", async () => {
    const runtime: Runtime = ManagedRuntime.make(trackerLayer(path.join(dir, "fills.db")))
    try {
      const seen: Array<RecordedEvent> = []
      const subscribe = () =>
        runtime.runFork(
          Effect.flatMap(FillTracker, (t) =>
            t.subscribe("bot", (_e, r) => Effect.sync(() => seen.push(r)), { pollEvery: "10 millis" })
          )
        )
      await runtime.runPromise(Effect.all([appendLifecycle("a-1", 2), appendLifecycle("a-2", 1, true)]))
      let fiber = subscribe()
      await until(() => seen.length === 5)
      await runtime.runPromise(Fiber.interrupt(fiber))
      // Appended while nobody listens: the next run of "bot" starts after its checkpoint.
      await runtime.runPromise(appendLifecycle("a-3", 3))
      fiber = subscribe()
      await until(() => seen.length === 9)
      await runtime.runPromise(appendLifecycle("a-4", 1))
      await until(() => seen.length === 11)
      await runtime.runPromise(Fiber.interrupt(fiber))

      const all = await runtime.runPromise(recordedFills)
      expect(seen.map((r) => r.position)).toEqual(all.map((r) => r.position))
      expect(seen.map((r) => `${r.event.executionId}:${r.event.type}`)).toEqual([
        "a-1:LegFilled",
        "a-1:LegFilled",
        "a-1:Filled",
        "a-2:LegFilled",
        "a-2:Failed",
        "a-3:LegFilled",
        "a-3:LegFilled",
        "a-3:LegFilled",
        "a-3:Filled",
        "a-4:LegFilled",
        "a-4:Filled"
      ])
      expect(await runtime.runPromise(Effect.flatMap(Checkpoints, (c) => c.load("bot")))).toBe(
        all.at(-1)!.position + 1n
      )
    } finally {
      await runtime.dispose()
    }
  })

  it("retries a handler that fails 3 times (and one that throws), counts each failure, skips nothing", async () => {
    const runtime: Runtime = ManagedRuntime.make(trackerLayer(path.join(dir, "fills.db")))
    try {
      await runtime.runPromise(Effect.all([appendLifecycle("b-1", 2), appendLifecycle("b-2", 1)]))
      const attempts = new Map<bigint, number>()
      const delivered: Array<FillEvent["type"]> = []
      const fiber = runtime.runFork(
        Effect.flatMap(FillTracker, (t) =>
          t.subscribe(
            "flaky",
            (event, r) =>
              Effect.suspend(() => {
                const n = (attempts.get(r.position) ?? 0) + 1
                attempts.set(r.position, n)
                // The second fill fails three times; the Filled of b-1 throws (a defect) once.
                if (delivered.length === 1 && n <= 3) return Effect.fail(new Error("bot busy"))
                if (event.type === "Filled" && n === 1) throw new Error("handler bug")
                return Effect.sync(() => delivered.push(event.type))
              }),
            { pollEvery: "10 millis", retryBase: "5 millis", retryMax: "20 millis" }
          )
        )
      )
      await until(() => delivered.length === 5)
      await runtime.runPromise(Fiber.interrupt(fiber))
      expect(delivered).toEqual(["LegFilled", "LegFilled", "Filled", "LegFilled", "Filled"])
      expect([...attempts.values()]).toEqual([1, 4, 2, 1, 2])
      const metrics = await runtime.runPromise(Metrics)
      expect(metrics.value("fill_tracker_subscription_failures_total", { subscription: "flaky" })).toBe(5)
      expect(await metrics.render()).toContain(
        'fill_tracker_subscription_failures_total{subscription="flaky"} 5'
      )
    } finally {
      await runtime.dispose()
    }
  })
})

const startSubscriber = (database: string, logFile: string): Promise<ChildProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--conditions=@fill-tracker/source", "--import", "tsx", subscriberTs, database, logFile],
      { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] }
    )
    let output = ""
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8")
      if (output.includes("subscribed")) resolve(child)
    }
    child.stdout?.on("data", onData)
    child.stderr?.on("data", onData)
    child.once("exit", (code, signal) =>
      reject(new Error(`subscriber exited (${code ?? signal}) before subscribing:\n${output.slice(-2_000)}`))
    )
  })

const killed = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once("exit", () => resolve())
    child.kill("SIGKILL")
  })

/** Where the kill test's database lives: a SQLite file, or a throwaway PostgreSQL cluster. */
const databases = [
  { name: "SQLite", open: async () => ({ database: path.join(dir, "fills.db"), close: async () => {} }) },
  {
    name: "PostgreSQL",
    open: async () => {
      const pg = await startPostgres()
      return { database: pg.url, close: pg.stop }
    }
  }
]

describe.each(databases)("subscribe across SIGKILL on $name", (backend) => {
  it("a subscriber killed and restarted 10 times gets every fill in order, at least once; the withCheckpoint one exactly once", async () => {
    const { database, close } = await backend.open()
    const logFile = path.join(dir, "delivered.log")
    const runtime: Runtime = ManagedRuntime.make(trackerLayer(database))
    const killAfter = seeded(8)
    let child: ChildProcess | undefined
    try {
      await runtime.runPromise(Effect.void) // migrated before any subscriber opens the file
      // 60 lifecycles (about 150 fill events), six appended while each of ten children runs.
      const plan = Array.from({ length: 60 }, (_, i) => ({
        id: `k-${i}`,
        legs: 1 + (i % 3),
        fails: i % 7 === 3
      }))
      const delivered = () =>
        fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").split("\n").length - 1 : 0
      // Each child is killed once it has delivered a seeded 1 to 6 more events: a kill always
      // lands mid-stream, whatever the machine's speed (a timer could fire before any delivery,
      // or after the round's events were all through).
      const kills: Array<number> = []
      for (let k = 0; k < 10; k++) {
        child = await startSubscriber(database, logFile)
        // Counted before the round's events exist, so at least 12 deliveries are still to come.
        const before = delivered()
        const round = plan.slice(k * 6, k * 6 + 6)
        const appended = runtime.runPromise(
          Effect.forEach(round, (p) => appendLifecycle(p.id, p.legs, p.fails), { discard: true })
        )
        const more = 1 + Math.floor(killAfter() * 6)
        kills.push(more)
        await until(() => delivered() >= before + more, `subscriber ${k} delivering ${more} more`)
        await killed(child)
        await appended
      }
      const expected = await runtime.runPromise(recordedFills)
      const last = expected.at(-1)!.position
      child = await startSubscriber(database, logFile)
      const readLog = () =>
        fs
          .readFileSync(logFile, "utf8")
          .split("\n")
          .filter((l) => l !== "")
          .map((l) => l.split(" "))
      const checkpointOf = (name: string) =>
        runtime.runPromise(Effect.flatMap(Checkpoints, (c) => c.load(name)))
      await until(
        async () => (await checkpointOf("log")) > last && (await checkpointOf("table")) > last,
        "both subscriptions checkpointed past the last fill"
      )
      await killed(child)

      // At least once, in order: the log never goes back, and holds every fill event.
      const log = readLog()
      const positions = log.map((l) => BigInt(l[0]!))
      for (let i = 1; i < positions.length; i++) expect(positions[i]! >= positions[i - 1]!).toBe(true)
      expect([...new Set(positions)]).toEqual(expected.map((r) => r.position))
      const byPosition = new Map(expected.map((r) => [r.position, `${r.event.type} ${r.event.executionId}`]))
      for (const l of log) expect(`${l[1]} ${l[2]}`).toBe(byPosition.get(BigInt(l[0]!)))
      const redelivered = positions.length - expected.length
      expect(redelivered).toBeLessThanOrEqual(10)

      // Exactly once: what the handler committed with the checkpoint, each position once (the log proves order).
      const rows = await runtime.runPromise(
        Effect.flatMap(
          SqlClient.SqlClient,
          (sql) => sql<{ position: number | string }>`SELECT position FROM received_by_bot`
        )
      )
      const committed = rows.map((r) => BigInt(r.position)).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))
      expect(committed).toEqual(expected.map((r) => r.position))
      console.log(
        `${backend.name} subscriber kills: 10, after ${kills.join(" ")} more deliveries each; ${expected.length} fill events; ` +
          `log redeliveries ${redelivered}; table rows ${rows.length}`
      )
    } finally {
      if (child !== undefined) await killed(child)
      await runtime.dispose()
      await close()
    }
  }, 300_000)
})

describe("subscribe (Promise facade)", () => {
  it("follows the poller's fills, retries a rejecting handler, and a new subscribe resumes after unsubscribe", async () => {
    const sandbox = await startSandbox({ seed: 4, clock: realClock() })
    const tracker = await createFillTracker({
      database: path.join(dir, "facade.db"),
      pollingInterval: "100ms",
      pollingMaxJitter: "0s",
      logLevel: "error",
      schwab: {
        appKey: sandbox.appKey,
        appSecret: sandbox.appSecret,
        tokenKey: "22".repeat(32),
        baseUrl: sandbox.baseUrl,
        tokenUrl: sandbox.tokenUrl,
        authorizeUrl: sandbox.authorizeUrl
      }
    })
    try {
      await tracker.authorize(sandbox.issueAuthorizationCode())
      const account = sandbox.accounts[0]!.hashValue
      const record = (executionId: string, prices: ReadonlyArray<string>) =>
        tracker.recordSubmission({
          executionId,
          orderId: sandbox.seedOrder(
            account,
            { symbol: "MSFT", quantity: prices.length },
            fillsInLegs(prices.length, 50, { prices })
          ),
          accountHash: account,
          symbol: "MSFT",
          shares: prices.length,
          direction: "SELL"
        })
      const seen: Array<string> = []
      let rejections = 0
      const handler = async (event: FillEvent) => {
        if (event.type === "Filled" && rejections < 2) {
          rejections += 1
          throw new Error("bot not ready")
        }
        seen.push(`${event.executionId}:${event.type}`)
      }
      const options = { pollEvery: "20 millis", retryBase: "10 millis" } as const
      let unsubscribe = tracker.subscribe("hedger", handler, options)
      await record("f-1", ["410.10", "410.20"])
      await tracker.start()
      await until(() => seen.includes("f-1:Filled"))
      await unsubscribe()
      await record("f-2", ["411.00"])
      await until(async () => (await tracker.getExecution("f-2"))?.status === "FILLED")
      unsubscribe = tracker.subscribe("hedger", handler, options)
      await until(() => seen.includes("f-2:Filled"))
      await unsubscribe()
      expect(seen).toEqual(["f-1:LegFilled", "f-1:LegFilled", "f-1:Filled", "f-2:LegFilled", "f-2:Filled"])
      expect(rejections).toBe(2)
    } finally {
      await tracker.stop()
      await sandbox.close()
    }
  })
})
