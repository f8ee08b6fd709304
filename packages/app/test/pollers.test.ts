import * as fs from "node:fs"
import * as path from "node:path"
import { Decimal, type ExecutionId, type OrderId } from "@fill-tracker/domain"
import { SchwabClient } from "@fill-tracker/schwab-client"
import { immediateFill } from "@fill-tracker/schwab-sandbox"
import { EventStore, Leases } from "@fill-tracker/store"
import { startPostgres } from "@fill-tracker/store/testing"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { describePollers, type PollersOptions, runPollers } from "../proof/pollers.js"
import { trackExecution } from "../src/poller/trackExecution.js"
import { FillTracker } from "../src/tracker/FillTracker.js"
import { accountOf, authorize, manualSandbox, runApp, tempDir, testConfig } from "./support.js"

const shortForm: PollersOptions = {
  orders: 120,
  pollers: 3,
  kills: 2,
  seed: 5,
  spanMs: 12_000,
  intervalMs: 4_000,
  rateLimit: 120,
  // Seed 5's ten account hashes fall 5/2/3 into three shards: one shard per poller.
  shards: 3,
  killWindowMs: [2_000, 8_000],
  // The orders stay open until the dead pollers' shards were taken over, whatever the
  // machine's speed; the time limit only bounds a run that never gets there.
  holdBroker: true,
  timeoutMs: 150_000
}

const check = (r: Awaited<ReturnType<typeof runPollers>>) => {
  console.log(describePollers(r))
  expect(r.audit.mismatches).toEqual([])
  expect(r.audit.terminal).toBe(120)
  expect(r.audit.lostFills).toBe(0)
  expect(r.audit.duplicateFills).toBe(0)
  expect(r.audit.replayDifferences).toBe(0)
  expect(r.killed).toHaveLength(2)
  expect(r.overlaps).toEqual([])
  expect(r.fencingViolations).toEqual([])
  // The survivors took the dead pollers' shards over, under higher tokens.
  expect(r.takeovers.length).toBeGreaterThan(0)
  expect(Object.keys(r.pollerEvents).length).toBeGreaterThan(1)
  expect(r.accountPolls).toBeGreaterThan(0)
  expect(r.maxLimitedInMinute).toBeLessThanOrEqual(120)
}

describe("several pollers (short form)", () => {
  it("3 run processes on one PostgreSQL database, 2 SIGKILLed: broker's truth, no overlap, fenced, within the budget", async () => {
    const pg = await startPostgres()
    try {
      check(await runPollers({ ...shortForm, database: pg.url }))
    } finally {
      await pg.stop()
    }
  })

  it("the same on one SQLite file", async () => {
    check(await runPollers(shortForm))
  })
})

describe("a stale poller", () => {
  it("is fenced out of an append once its shard changed hands; the new owner appends", async () => {
    const dir = tempDir("stale")
    const sandbox = await manualSandbox()
    try {
      const orderId = sandbox.seedOrder(
        accountOf(sandbox),
        { symbol: "AAPL", quantity: 10 },
        immediateFill({ price: "150.25", afterMs: 0 })
      )
      sandbox.advance(1_000)
      const r = await runApp(
        testConfig(sandbox, path.join(dir, "stale.db")),
        Effect.gen(function* () {
          yield* authorize(sandbox)
          const tracker = yield* FillTracker
          yield* tracker.recordSubmission({
            executionId: "stale-1",
            orderId,
            accountHash: accountOf(sandbox),
            symbol: "AAPL",
            shares: 10,
            direction: "BUY"
          })
          const leases = yield* Leases
          const ttlMs = 100
          const [stale] = yield* leases.balance({ pollerId: "stale", shards: 1, ttlMs, release: true })
          // The stale poller pauses past its lease; another takes the shard over.
          yield* Effect.sleep(ttlMs + 20)
          const [fresh] = yield* leases.balance({
            pollerId: "fresh",
            shards: 1,
            ttlMs: 60_000,
            release: true
          })
          const client = yield* SchwabClient.SchwabClient
          const snapshot = (id: OrderId) => Effect.orDie(client.getOrder(accountOf(sandbox), id))
          const id = "stale-1" as ExecutionId
          const options = (poller: string, lease: { shard: number; token: bigint }) => ({
            priceBand: Decimal.make(5n, 2),
            fence: lease,
            metadata: { poller, shard: lease.shard, leaseToken: lease.token.toString() }
          })
          const staleOutcome = yield* trackExecution(id, snapshot, options("stale", stale!))
          const afterStale = (yield* (yield* EventStore).readStream(id)).version
          const freshOutcome = yield* trackExecution(id, snapshot, options("fresh", fresh!))
          const events = (yield* (yield* EventStore).readStream(id)).events
          return { staleOutcome, afterStale, freshOutcome, events, tokens: [stale!.token, fresh!.token] }
        })
      )
      expect(r.staleOutcome).toBe("fenced")
      expect(r.afterStale).toBe(1)
      expect(r.freshOutcome).toBe("terminal")
      expect(r.tokens[1]).toBeGreaterThan(r.tokens[0]!)
      expect(r.events.slice(1).map((e) => e.metadata.poller)).toEqual(r.events.slice(1).map(() => "fresh"))
      expect(r.events.at(-1)?.event.type).toBe("Filled")
    } finally {
      await sandbox.close()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
