import { describe, expect, it } from "vitest"
import {
  clean,
  describePlacementCrash,
  type PlacementCrashReport,
  runPlacementCrash
} from "../../proof/placementCrash.js"
import { PHASES } from "../../proof/placementPhases.js"

/** What every matrix run must show, whatever the seed and the service's timing. */
const expectClean = (r: PlacementCrashReport, runsPerPhase: number) => {
  const a = r.audit
  // Every run hit the phase it aimed at (read back from the sandbox and the store).
  expect(a.runs.map((v) => v.hit)).toEqual(a.runs.map((v) => v.planned))
  for (const phase of PHASES) expect(a.runs.filter((v) => v.planned === phase)).toHaveLength(runsPerPhase)
  // Schwab never got a before-the-POST call; it has exactly one order for each other call.
  for (const v of a.runs) {
    expect(v.orders).toHaveLength(v.planned === "beforePost" ? 0 : 1)
    expect(v.state === "NOT_PLACED").toBe(v.planned === "beforePost")
    expect(v.state).not.toBe("PENDING")
  }
  expect({ untracked: a.untracked, duplicated: a.duplicated, doubleCounted: a.doubleCounted }).toEqual({
    untracked: 0,
    duplicated: 0,
    doubleCounted: 0
  })
  expect(a.resent).toBe(0)
  expect(a.servicePosts).toBe(0)
  expect(a.broker.mismatches).toEqual([])
  expect(a.broker.terminal).toBe(2 * runsPerPhase)
  expect(a.broker.fillEvents).toBeGreaterThan(0)
  expect(a.broker.replayDifferences).toBe(0)
  expect(a.runs.flatMap((v) => v.problems)).toEqual([])
  expect(clean(a), describePlacementCrash(r)).toBe(true)
}

describe("placement crash matrix (short form)", () => {
  it("place SIGKILLed before the POST, in flight and after the 201, the service started after: one order per call that reached Schwab, one execution following it, none re-sent", async () => {
    const r = await runPlacementCrash({ runsPerPhase: 2, seed: 5, service: "after", fillSpanMs: 2_000 })
    console.log(describePlacementCrash(r))
    expectClean(r, 2)
    // Some runs were placed again by the bot, some left to the service alone (seed 5).
    expect(r.audit.runs.some((v) => v.replaced)).toBe(true)
    expect(r.audit.runs.some((v) => !v.replaced)).toBe(true)
  }, 240_000)

  it("the same with the service running throughout, as in production", async () => {
    const r = await runPlacementCrash({ runsPerPhase: 1, seed: 8, service: "throughout", fillSpanMs: 2_000 })
    console.log(describePlacementCrash(r))
    expectClean(r, 1)
  }, 240_000)
})
