import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  expire,
  fillInOneActivity,
  fillsInLegs,
  lifecycle,
  partialThenCancel,
  reject,
  replace,
  type Sandbox,
  startSandbox,
  working
} from "../src/index.js"
import { hashOf, parseKeepingBigInts } from "./helpers.js"

let sandbox: Sandbox
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 21 })
})
afterAll(() => sandbox.close())

interface Rendered {
  status: string
  filledQuantity: unknown
  remainingQuantity: unknown
  closeTime?: string
  statusDescription?: string
  orderActivityCollection?: Array<{
    activityId: string
    executionType: string
    quantity: unknown
    orderRemainingQuantity: unknown
    executionLegs: Array<{ quantity: unknown; price: number; time: string }>
  }>
  replacingOrderCollection?: Array<{ orderId: string }>
}

const render = (orderId: string): Rendered => parseKeepingBigInts(sandbox.orderJson(orderId)) as Rendered
const seed = (quantity: number, script: Parameters<Sandbox["seedOrder"]>[2]) =>
  sandbox.seedOrder(hashOf(sandbox), { symbol: "XYZ", quantity }, script)

describe("lifecycles rendered at several instants", () => {
  it("fillsInLegs: WORKING with consistent quantities, then FILLED", () => {
    const id = seed(10, fillsInLegs(3, 1_000, { firstAfterMs: 500, prices: ["10.01", "10.02", "10.0301"] }))
    const steps = [
      { after: 0, status: "WORKING", filled: "0", remaining: "10", activities: 0 },
      { after: 500, status: "WORKING", filled: "3", remaining: "7", activities: 1 },
      { after: 1_000, status: "WORKING", filled: "6", remaining: "4", activities: 2 },
      { after: 1_000, status: "FILLED", filled: "10", remaining: "0", activities: 3 }
    ]
    for (const step of steps) {
      sandbox.advance(step.after)
      const order = render(id)
      expect(order.status).toBe(step.status)
      expect(String(order.filledQuantity)).toBe(step.filled)
      expect(String(order.remainingQuantity)).toBe(step.remaining)
      expect(order.orderActivityCollection?.length ?? 0).toBe(step.activities)
      expect(sandbox.truth(id).filledQuantity).toBe(step.filled)
    }
    const order = render(id)
    expect(order.closeTime).toBeDefined()
    const truth = sandbox.truth(id)
    expect(truth.fills.map((fill) => [fill.quantity, fill.price])).toEqual([
      ["3", "10.01"],
      ["3", "10.02"],
      ["4", "10.0301"]
    ])
    // Never in time order, so "the last element is the last fill" is always wrong here.
    const times = order.orderActivityCollection?.map((activity) => activity.executionLegs[0]?.time) ?? []
    expect(times).not.toEqual([...times].sort())
    // The remaining quantity on the last element is not the final remainder.
    const prices = order.orderActivityCollection?.flatMap((activity) =>
      activity.executionLegs.map((leg) => leg.price)
    )
    expect(prices?.sort()).toEqual([10.01, 10.02, 10.0301])
  })

  it("fillInOneActivity: one activity, several execution legs sharing legId 1", () => {
    const id = seed(9, fillInOneActivity(3, { price: "50.00" }))
    const order = render(id)
    expect(order.status).toBe("FILLED")
    expect(order.orderActivityCollection).toHaveLength(1)
    expect(order.orderActivityCollection?.[0]?.executionLegs).toHaveLength(3)
    const truth = sandbox.truth(id)
    expect(truth.fills.map((fill) => fill.executionIndex)).toEqual([0, 1, 2])
    expect(new Set(truth.fills.map((fill) => fill.activityId)).size).toBe(1)
  })

  it("partialThenCancel: partial WORKING, then CANCELED with a price-0 CANCELED activity", () => {
    const id = seed(
      10,
      partialThenCancel({ quantity: "4", price: "99.5", fillAfterMs: 100, cancelAfterMs: 5_000 })
    )
    sandbox.advance(100)
    expect(render(id)).toMatchObject({ status: "WORKING" })
    sandbox.advance(4_900)
    const order = render(id)
    expect(order.status).toBe("CANCELED")
    const types = order.orderActivityCollection?.map((activity) => activity.executionType).sort()
    expect(types).toEqual(["CANCELED", "FILL"])
    const canceled = order.orderActivityCollection?.find((activity) => activity.executionType === "CANCELED")
    expect(String(canceled?.quantity)).toBe("6")
    expect(canceled?.executionLegs[0]?.price).toBe(0)
    expect(sandbox.truth(id)).toMatchObject({
      status: "CANCELED",
      filledQuantity: "4",
      fills: [{ quantity: "4", price: "99.5" }]
    })
    expect(sandbox.orderJson(id)).toContain('"price":99.5,')
  })

  it("reject: PENDING_ACTIVATION, then REJECTED with a description", () => {
    const id = seed(1, reject("Order rejected: insufficient buying power", { afterMs: 200 }))
    expect(render(id).status).toBe("PENDING_ACTIVATION")
    sandbox.advance(200)
    expect(render(id)).toMatchObject({
      status: "REJECTED",
      statusDescription: "Order rejected: insufficient buying power"
    })
    expect(sandbox.truth(id).fills).toEqual([])
  })

  it("expire: WORKING, then EXPIRED with a close time and no fills", () => {
    const id = seed(2, expire({ afterMs: 1_000 }))
    expect(render(id).status).toBe("WORKING")
    sandbox.advance(1_000)
    const order = render(id)
    expect(order.status).toBe("EXPIRED")
    expect(order.closeTime).toBeDefined()
  })

  it("replace: the replacement does not exist before its time, then follows its own lifecycle", () => {
    const id = seed(5, replace(fillsInLegs(2, 1_000, { price: "7.25" }), { afterMs: 1_000 }))
    const before = sandbox.truth(id)
    expect(before.status).toBe("WORKING")
    sandbox.advance(1_000)
    const truth = sandbox.truth(id)
    expect(truth.status).toBe("REPLACED")
    const next = truth.replacedBy ?? ""
    expect(render(id).replacingOrderCollection?.[0]?.orderId).toBe(next)
    expect(sandbox.truth(next)).toMatchObject({ status: "WORKING", filledQuantity: "2", replaces: id })
    sandbox.advance(1_000)
    expect(sandbox.truth(next)).toMatchObject({ status: "FILLED", filledQuantity: "5" })
  })

  it("replace with named: false: the REPLACED body names nothing; the replacement entered at its closeTime", () => {
    const id = seed(5, replace(working(), { afterMs: 1_000, named: false }))
    sandbox.advance(1_000)
    const truth = sandbox.truth(id)
    expect(truth.status).toBe("REPLACED")
    const replaced = render(id)
    expect(replaced.replacingOrderCollection).toBeUndefined()
    const next = parseKeepingBigInts(sandbox.orderJson(truth.replacedBy ?? "")) as { enteredTime: string }
    expect(next.enteredTime).toBe(replaced.closeTime)
  })

  it("working stays as it is, in the chosen status", () => {
    const id = seed(2, working("QUEUED"))
    sandbox.advance(60 * 60 * 1000)
    expect(render(id).status).toBe("QUEUED")
  })

  it("custom steps compose, and a script that overfills is refused", () => {
    const id = seed(
      4,
      lifecycle(
        "custom",
        [
          { kind: "status", atMs: 100, status: "WORKING" },
          { kind: "fill", atMs: 200, executions: [{ quantity: "1", price: "3.5" }, { price: "3.6" }] }
        ],
        "QUEUED"
      )
    )
    expect(render(id).status).toBe("QUEUED")
    sandbox.advance(200)
    expect(sandbox.truth(id)).toMatchObject({
      status: "FILLED",
      fills: [{ quantity: "1" }, { quantity: "3" }]
    })
    expect(() =>
      seed(1, lifecycle("over", [{ kind: "fill", atMs: 0, executions: [{ quantity: "2", price: "1" }] }]))
    ).toThrow(/fill of 2 with 1 left/)
  })

  it("quantities arrive as numbers, decimals and strings across orders", () => {
    const texts = Array.from({ length: 8 }, () => sandbox.orderJson(seed(3, fillsInLegs(3, 0))))
    const all = texts.join("\n")
    expect(all).toMatch(/"quantity":3[,}]/)
    expect(all).toMatch(/"quantity":3\.0[,}]/)
    expect(all).toMatch(/"quantity":"3"/)
  })
})
