import { describe, expect, it } from "vitest"
import { runScaleOut } from "../../proof/scaleOut.js"

describe("scale-out (short smoke)", () => {
  it("3 pollers on PostgreSQL split 6 accounts: one list per poller per round (its accounts in one GET /orders), each order polled by one poller", async () => {
    const r = await runScaleOut({ orders: 600, accounts: 6, pollers: 3, rounds: 3 })
    expect(r.rounds).toHaveLength(3)
    for (const round of r.rounds) {
      expect(round.list).toBe(round.openPerPoller.filter((n) => n > 0).length)
      expect(round.get).toBe(0)
      expect(round.unowned).toBe(0)
      expect(round.doubleOwned).toBe(0)
      // Each poller polled exactly the open orders of the accounts it leased, and together all of them.
      expect(round.openPerPoller).toEqual(round.expectedPerPoller)
      expect(round.openPerPoller.reduce((a, b) => a + b, 0)).toBe(600)
    }
  }, 300_000)
})
