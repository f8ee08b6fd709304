import { describe, expect, it } from "vitest"
import { runCrash } from "../../proof/crash.js"

describe("crash safety (short form)", () => {
  it("the run binary SIGKILLed 4 times over 30 orders still records exactly the broker's truth", async () => {
    const r = await runCrash({
      orders: 30,
      kills: 4,
      seed: 3,
      spanMs: 16_000,
      maxKillDelayMs: 1_500,
      // Limits that only stop a run that never ends: each tsx-started child takes 6-15 s to
      // come up at load 20-28, five of them ran past the old 60 s of a correct run.
      timeoutMs: 150_000
    })
    expect(r.audit.mismatches).toEqual([])
    expect(r.audit.terminal).toBe(30)
    expect(r.audit.lostFills).toBe(0)
    expect(r.audit.duplicateFills).toBe(0)
    expect(r.audit.replayDifferences).toBe(0)
    expect(r.audit.fillEvents).toBeGreaterThan(0)
  }, 300_000)
})
