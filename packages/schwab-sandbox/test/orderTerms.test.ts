import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { fillsInLegs, immediateFill, lifecycle, type Sandbox, startSandbox, working } from "../src/index.js"
import { bearer, getOrderText, idFromLocation, marketOrder, place } from "./helpers.js"

let sandbox: Sandbox
let auth: Record<string, string>
beforeEach(async () => {
  sandbox = await startSandbox({ seed: 11 })
  auth = bearer(sandbox)
})
afterEach(() => sandbox.close())

const order = (terms: Record<string, unknown>, instruction = "BUY", quantity = 10) => ({
  ...marketOrder("AAPL", quantity, instruction),
  ...terms
})

const placed = async (body: unknown): Promise<string> => {
  const response = await place(sandbox, auth, body)
  expect(response.status).toBe(201)
  return idFromLocation(response)
}

describe("order terms", () => {
  it("STOP and STOP_LIMIT need their trigger, STOP_LIMIT its limit too, each named", async () => {
    const errors = async (body: unknown) => {
      const response = await place(sandbox, auth, body)
      expect(response.status).toBe(400)
      return ((await response.json()) as { errors: Array<string> }).errors.join("\n")
    }
    expect(await errors(order({ orderType: "STOP" }))).toContain("stopPrice is required for a STOP order")
    const stopLimit = await errors(order({ orderType: "STOP_LIMIT" }))
    expect(stopLimit).toContain("price is required for a STOP_LIMIT order")
    expect(stopLimit).toContain("stopPrice is required for a STOP_LIMIT order")
    expect(await errors(order({ orderType: "STOP", stopPrice: -1 }))).toContain(
      "stopPrice must be a positive number"
    )
  })

  it("renders what was asked: order type, limit, trigger, duration and session", async () => {
    sandbox.scriptNext(working())
    const id = await placed(
      order({
        orderType: "STOP_LIMIT",
        price: 101.5,
        stopPrice: 100.25,
        duration: "GOOD_TILL_CANCEL",
        session: "SEAMLESS"
      })
    )
    const { text } = await getOrderText(sandbox, auth, id)
    expect(JSON.parse(text)).toMatchObject({
      orderType: "STOP_LIMIT",
      price: 101.5,
      stopPrice: 100.25,
      duration: "GOOD_TILL_CANCEL",
      session: "SEAMLESS",
      status: "WORKING"
    })
  })

  it("a buy limit never fills above its limit, a sell limit never below, whatever the lifecycle scripts", async () => {
    sandbox.scriptNext(fillsInLegs(2, 1_000, { prices: ["150.40", "149.90"] }))
    const buy = await placed(order({ orderType: "LIMIT", price: "150.25" }))
    sandbox.scriptNext(fillsInLegs(2, 1_000, { prices: ["150.10", "150.60"] }), immediateFill({ price: "9" }))
    const sell = await placed(order({ orderType: "LIMIT", price: "150.25" }, "SELL_SHORT"))
    const market = await placed(order({}, "SELL"))
    sandbox.advance(5_000)
    expect(sandbox.truth(buy).fills.map((f) => f.price)).toEqual(["150.25", "149.90"])
    expect(sandbox.truth(sell).fills.map((f) => f.price)).toEqual(["150.25", "150.60"])
    // A market order has no limit to honour.
    expect(sandbox.truth(market).fills.map((f) => f.price)).toEqual(["9"])
  })

  it("FILL_OR_KILL fills whole at once or is canceled with nothing filled", async () => {
    sandbox.scriptNext(fillsInLegs(2, 1_000), immediateFill({ price: "10" }))
    const partial = await placed(order({ orderType: "LIMIT", price: "10", duration: "FILL_OR_KILL" }))
    const whole = await placed(order({ orderType: "LIMIT", price: "10", duration: "FILL_OR_KILL" }))
    sandbox.advance(5_000)
    expect(sandbox.truth(partial)).toMatchObject({ status: "CANCELED", filledQuantity: "0", fills: [] })
    expect(sandbox.truth(whole)).toMatchObject({ status: "FILLED", filledQuantity: "10" })
  })

  it("IMMEDIATE_OR_CANCEL keeps what fills at once and cancels the rest; resting is not immediate", async () => {
    sandbox.scriptNext(
      fillsInLegs(2, 1_000, { price: "10" }),
      working(),
      lifecycle("rejected", [{ kind: "reject", atMs: 0, description: "no" }])
    )
    const partial = await placed(order({ orderType: "LIMIT", price: "10", duration: "IMMEDIATE_OR_CANCEL" }))
    const resting = await placed(order({ orderType: "LIMIT", price: "10", duration: "IMMEDIATE_OR_CANCEL" }))
    const rejected = await placed(order({ orderType: "LIMIT", price: "10", duration: "IMMEDIATE_OR_CANCEL" }))
    sandbox.advance(5_000)
    expect(sandbox.truth(partial)).toMatchObject({ status: "CANCELED", filledQuantity: "5" })
    expect(sandbox.truth(resting)).toMatchObject({ status: "CANCELED", filledQuantity: "0" })
    expect(sandbox.truth(rejected)).toMatchObject({ status: "REJECTED" })
  })
})
