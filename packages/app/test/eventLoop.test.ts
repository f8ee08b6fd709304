import { describe, expect, it } from "vitest"
import { describeEventLoop, runEventLoop } from "../proof/eventLoop.js"

describe("host event-loop delay (short form)", () => {
  it("a poll cycle over 2,000 open orders in 2 accounts, sandbox in its own process: every order polled, one list (every account) per cycle", async () => {
    const r = await runEventLoop({ orders: 2_000, accounts: 2, cycles: 2 })
    // The delay figures are printed, not asserted: they depend on the machine and its load.
    console.log(describeEventLoop(r))
    expect(r.open).toEqual([2_000, 2_000])
    expect(r.requestsPerCycle).toEqual([1, 1])
    expect(r.errors).toBe(0)
    expect(r.polling.maxMs).toBeGreaterThan(0)
  }, 300_000)

  it("the same with the account-activity stream on: orders filled meanwhile are woken and recorded, every cycle one list", async () => {
    const r = await runEventLoop({
      orders: 2_000,
      accounts: 2,
      cycles: 2,
      streaming: true,
      streamedOrders: 20
    })
    console.log(describeEventLoop(r))
    expect(r.streaming).toMatchObject({ orders: 20, filled: 20 })
    expect(r.streaming?.wakes).toBeGreaterThan(0)
    expect(r.errors).toBe(0)
    // The streamed orders are in the list too: no getOrder in a cycle, one list for both accounts.
    for (const n of r.requestsPerCycle) expect(n).toBe(1)
    for (const n of r.open) expect(n).toBeGreaterThanOrEqual(2_000)
  }, 300_000)
})
