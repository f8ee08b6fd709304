import { describe, expect, it } from "vitest"
import { describePollers, type PollersOptions, runPollers } from "../proof/pollers.js"
import { startPostgres } from "../proof/pollersPostgres.js"

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
  timeoutMs: 55_000
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
  }, 75_000)

  it("the same on one SQLite file", async () => {
    check(await runPollers(shortForm))
  }, 70_000)
})
