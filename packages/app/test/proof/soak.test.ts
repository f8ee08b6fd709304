import { describe, expect, it } from "vitest"
import { runSoak } from "../../proof/soak.js"

describe("fault soak (short form)", () => {
  it("150 orders under ≥ 20% faulted requests: no lost fill, no wrong price, no duplicate, replay equal", async () => {
    const r = await runSoak({ orders: 150, seed: 7, spanMs: 3_000, timeoutMs: 50_000 })
    expect(r.audit.mismatches).toEqual([])
    expect(r.audit.terminal).toBe(150)
    expect(r.audit.lostFills).toBe(0)
    expect(r.audit.duplicateFills).toBe(0)
    expect(r.audit.replayDifferences).toBe(0)
    expect(r.faulted / r.requests).toBeGreaterThanOrEqual(0.2)
    expect(Object.keys(r.faultsByKind).length).toBeGreaterThanOrEqual(5)
  }, 60_000)
})
