import { describe, expect, it } from "vitest"
import { describeSoak, runSoak } from "../../proof/soak.js"

describe("fault soak (short form)", () => {
  it("150 orders under ≥ 20% faulted requests: no lost fill, no wrong price, no duplicate, replay equal", async () => {
    const r = await runSoak({ orders: 150, seed: 7, accounts: 6, spanMs: 5_000, timeoutMs: 50_000 })
    const report = describeSoak(r)
    expect(r.audit.mismatches, report).toEqual([])
    expect(r.audit.terminal, report).toBe(150)
    expect(r.audit.lostFills, report).toBe(0)
    expect(r.audit.duplicateFills, report).toBe(0)
    expect(r.audit.replayDifferences, report).toBe(0)
    // The share of faults depends on how many cycles the machine fits in the lifecycles;
    // the coins are 7 × 6%, so about 35% is expected (6 accounts for enough requests).
    expect(r.faulted / r.requests, report).toBeGreaterThanOrEqual(0.2)
    expect(Object.keys(r.faultsByKind).length, report).toBeGreaterThanOrEqual(4)
  }, 60_000)
})
