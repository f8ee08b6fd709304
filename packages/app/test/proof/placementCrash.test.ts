import { describe, expect, it } from "vitest"
import { clean, describePlacementCrash, runPlacementCrash } from "../../proof/placementCrash.js"
import { PHASES } from "../../proof/placementPhases.js"

describe("placement crash matrix (short form)", () => {
  it("place SIGKILLed before the POST, in flight and after the 201: one order per call that reached Schwab, one execution following it, none re-sent", async () => {
    const r = await runPlacementCrash({ runsPerPhase: 2, seed: 5, fillSpanMs: 2_000 })
    const a = r.audit
    // Every run hit the phase it aimed at (read back from the sandbox and the store).
    expect(a.runs.map((v) => v.hit)).toEqual(a.runs.map((v) => v.planned))
    for (const phase of PHASES) expect(a.runs.filter((v) => v.planned === phase)).toHaveLength(2)
    // Schwab never got a before-the-POST call; it has exactly one order for each other call.
    for (const v of a.runs) expect(v.orders).toHaveLength(v.planned === "beforePost" ? 0 : 1)
    for (const v of a.runs) {
      expect(v.state === "NOT_PLACED").toBe(v.planned === "beforePost")
      expect(v.state).not.toBe("PENDING")
    }
    // Some runs were placed again by the bot, some left to the service alone (seed 5).
    expect(a.runs.some((v) => v.replaced)).toBe(true)
    expect(a.runs.some((v) => !v.replaced)).toBe(true)
    expect({ untracked: a.untracked, duplicated: a.duplicated, doubleCounted: a.doubleCounted }).toEqual({
      untracked: 0,
      duplicated: 0,
      doubleCounted: 0
    })
    expect(a.resent).toBe(0)
    expect(a.servicePosts).toBe(0)
    expect(a.broker.mismatches).toEqual([])
    expect(a.broker.terminal).toBe(4)
    expect(a.broker.fillEvents).toBeGreaterThan(0)
    expect(a.broker.replayDifferences).toBe(0)
    expect(a.runs.flatMap((v) => v.problems)).toEqual([])
    expect(clean(a), describePlacementCrash(r)).toBe(true)
  }, 240_000)
})
