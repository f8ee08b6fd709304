import { describe, expect, it } from "vitest"
import { describeEventLoop, runEventLoop } from "../proof/eventLoop.js"

describe("host event-loop delay (short form)", () => {
  it("a poll cycle over 2,000 open orders in 2 accounts, sandbox in its own process: every order polled, one list per account", async () => {
    const r = await runEventLoop({ orders: 2_000, accounts: 2, cycles: 2 })
    // The delay figures are printed, not asserted: they depend on the machine and its load.
    console.log(describeEventLoop(r))
    expect(r.open).toEqual([2_000, 2_000])
    expect(r.requestsPerCycle).toEqual([2, 2])
    expect(r.errors).toBe(0)
    expect(r.polling.maxMs).toBeGreaterThan(0)
  }, 60_000)
})
