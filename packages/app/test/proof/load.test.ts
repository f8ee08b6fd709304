import { describe, expect, it } from "vitest"
import { runLoad } from "../../proof/load.js"

describe("load (short smoke)", () => {
  it("1,000 open orders across 5 accounts cost one list (GET /orders, every account) per cycle", async () => {
    const r = await runLoad({ orders: 1_000, accounts: 5, cycles: 3 })
    expect(r.requestsPerCycle).toEqual([1, 1, 1])
    expect(r.listPerCycle).toBe(1)
    expect(r.getPerCycle).toBe(0)
  })
})
