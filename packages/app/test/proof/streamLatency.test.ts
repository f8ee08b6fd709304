import { describe, expect, it } from "vitest"
import { describeLatency, runStreamLatency } from "../../proof/streamLatency.js"

describe("fill detection latency (short form: correctness only, never timing)", () => {
  it("every broker fill is recorded once and matched to its broker time", async () => {
    const reports = await runStreamLatency(
      {
        fills: 24,
        ordersPerMinute: 240,
        seed: 5,
        settleMs: 40_000,
        config: { pollingInterval: 500, pollingMaxJitter: 100 }
      },
      ["healthy", "faulted", "polling"]
    )
    const table = describeLatency(reports)
    for (const r of reports) {
      expect(r.fills, table).toBeGreaterThanOrEqual(24)
      expect(r.unmatched, table).toBe(0)
      expect(r.latencies, table).toHaveLength(r.fills)
      expect(r.audit.lostFills, table).toBe(0)
      expect(r.audit.duplicateFills, table).toBe(0)
      expect(r.audit.mismatches, table).toEqual([])
      expect(r.audit.replayDifferences, table).toBe(0)
    }
  })
})
