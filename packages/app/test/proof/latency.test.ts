import { describe, expect, it } from "vitest"
import { runLatency } from "../../proof/latency.js"
import { runLoad } from "../../proof/load.js"

describe("detection latency (short form)", () => {
  it("default schedule stays under the 30 s bar; the adaptive proposal uses the same cycles per hour and halves p50", async () => {
    const load = await runLoad({ orders: 50, accounts: 1, cycles: 5 })
    const r = runLatency({ days: 20, seed: 7, cycleMs: load.cycleMs.mean })
    const [base, adaptive] = r.rows
    // The default waits at most 15 s + 5 s jitter + two cycles after a fill: one that began
    // just before it (the fill is not in its snapshot), then the next one that sees it. The
    // cycle is measured, so the bound must scale with it (one cycle was red at load ~20).
    expect(base!.result.max).toBeLessThanOrEqual(20_000 + 2 * load.cycleMs.mean + 1)
    expect(base!.result.p99).toBeLessThan(30_000)
    expect(Math.abs(adaptive!.result.cyclesPerHour - base!.result.cyclesPerHour)).toBeLessThan(1)
    expect(adaptive!.result.p50).toBeLessThan(base!.result.p50 / 2)
    expect(adaptive!.result.marketP50).toBeLessThan(2_000)
  }, 300_000)
})
