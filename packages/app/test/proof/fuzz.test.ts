import { describe, expect, it } from "vitest"
import { runFuzz } from "../../proof/fuzz.js"

describe("fuzzing the decoders and reconcile (short form)", () => {
  it("3,000 arbitrary and mutated bodies: no exception, no invalid state", async () => {
    const r = await runFuzz({ cases: 3_000, seed: 1 })
    expect(r.cases).toBe(3_000)
    // Both sides of the decoder were exercised, and the decision ran on what decoded.
    expect(r.decoded).toBeGreaterThan(1_000)
    expect(r.rejected).toBeGreaterThan(500)
    expect(r.events).toBeGreaterThan(1_000)
    expect(r.terminal).toBeGreaterThan(100)
    // A finding is a multi-leg close with more units than the order's quantity: none may remain.
    expect(r.findings).toBe(0)
  })
})
