import { describe, expect, it } from "vitest"
import { describeSoak, runSoak } from "../../proof/soak.js"

describe("fault soak (short form)", () => {
  it("150 orders under ≥ 20% faulted requests: no lost fill, no wrong price, no duplicate, replay equal", async () => {
    const r = await runSoak({ orders: 150, seed: 7, accounts: 6, spanMs: 20_000, timeoutMs: 250_000 })
    const report = describeSoak(r)
    expect(r.audit.mismatches, report).toEqual([])
    expect(r.audit.terminal, report).toBe(150)
    expect(r.audit.lostFills, report).toBe(0)
    expect(r.audit.duplicateFills, report).toBe(0)
    expect(r.audit.replayDifferences, report).toBe(0)
    // The coins are 7 × 6%, so about 35% is expected however many requests the machine fits
    // in the lifecycles; the first seven lists meet each kind once by count, so every kind is
    // met and survived on any machine.
    expect(r.faulted / r.requests, report).toBeGreaterThanOrEqual(0.2)
    expect(Object.keys(r.faultsByKind).sort(), report).toEqual([
      "hang",
      "malformedJson",
      "rateLimited",
      "serverError",
      "truncatedJson",
      "unauthorized",
      "unavailable"
    ])
  }, 300_000)
})
