import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { FIRST_ORDER_ID, immediateFill, type Sandbox, startSandbox, working } from "../src/index.js"
import {
  bearer,
  getOrderText,
  hashOf,
  idFromLocation,
  listUrl,
  marketOrder,
  parseKeepingBigInts,
  place
} from "./helpers.js"

let sandbox: Sandbox
let auth: Record<string, string>
beforeEach(async () => {
  sandbox = await startSandbox({
    seed: 5,
    accounts: [{ accountNumber: "12345678" }, { accountNumber: "87654321" }]
  })
  auth = bearer(sandbox)
})
afterEach(() => sandbox.close())

const DAY = 24 * 60 * 60 * 1000

describe("accountNumbers", () => {
  it("lists every account with a 64-hex hash, account numbers as strings", async () => {
    const response = await fetch(`${sandbox.baseUrl}/accounts/accountNumbers`, { headers: auth })
    expect(response.status).toBe(200)
    const body = (await response.json()) as Array<{ accountNumber: string; hashValue: string }>
    expect(body.map((entry) => entry.accountNumber)).toEqual(["12345678", "87654321"])
    for (const entry of body) expect(entry.hashValue).toMatch(/^[0-9A-F]{64}$/)
  })
})

describe("placeOrder", () => {
  it("answers 201, an empty body and a Location whose id is above 2^53", async () => {
    const response = await place(sandbox, auth)
    expect(response.status).toBe(201)
    expect(await response.text()).toBe("")
    const location = response.headers.get("location") ?? ""
    expect(location.startsWith(`${sandbox.baseUrl}/accounts/${hashOf(sandbox)}/orders/`)).toBe(true)
    const id = idFromLocation(response)
    expect(BigInt(id)).toBe(FIRST_ORDER_ID)
    expect(BigInt(id) > 2n ** 53n).toBe(true)
  })

  it("validates the body and names each bad field", async () => {
    const response = await place(sandbox, auth, {
      orderType: "MARKETISH",
      duration: "DAY",
      orderStrategyType: "SINGLE",
      orderLegCollection: [{ instruction: "HOLD", quantity: -1, instrument: { assetType: "EQUITY" } }]
    })
    expect(response.status).toBe(400)
    const body = (await response.json()) as { message: string; errors: Array<string> }
    expect(body.message).toBe("Invalid order")
    const joined = body.errors.join("\n")
    for (const field of ["orderType", "session", "instruction", "quantity", "instrument.symbol"]) {
      expect(joined).toContain(field)
    }
  })

  it("refuses a body that is not JSON and a LIMIT without a price", async () => {
    const notJson = await fetch(`${sandbox.baseUrl}/accounts/${hashOf(sandbox)}/orders`, {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body: "{"
    })
    expect(notJson.status).toBe(400)
    expect((await place(sandbox, auth, { ...marketOrder(), orderType: "LIMIT" })).status).toBe(400)
  })

  it("an unknown account hash is a 400", async () => {
    const response = await fetch(`${sandbox.baseUrl}/accounts/NOPE/orders`, {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify(marketOrder())
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ message: "Invalid account number" })
  })
})

describe("getOrder", () => {
  it("renders the real shape with every digit of the ids", async () => {
    sandbox.scriptNext(immediateFill({ price: "22.7299" }))
    const id = idFromLocation(await place(sandbox, auth, marketOrder("AAPL", 3)))
    const { status, text } = await getOrderText(sandbox, auth, id)
    expect(status).toBe(200)
    expect(text).toContain(`"orderId":${id}`)
    expect(text).toMatch(/"activityId":9007199\d{9}/)
    expect(text).toContain('"price":22.7299')
    expect(text).toContain('"accountNumber":12345678')
    const order = parseKeepingBigInts(text) as Record<string, unknown>
    expect(order).toMatchObject({
      session: "NORMAL",
      duration: "DAY",
      orderType: "MARKET",
      complexOrderStrategyType: "NONE",
      requestedDestination: "AUTO",
      orderStrategyType: "SINGLE",
      orderId: id,
      cancelable: false,
      editable: false,
      status: "FILLED",
      enteredTime: "2025-08-29T13:30:00+0000",
      closeTime: "2025-08-29T13:30:00+0000",
      orderLegCollection: [
        {
          orderLegType: "EQUITY",
          legId: 1,
          instruction: "BUY",
          instrument: { symbol: "AAPL", assetType: "EQUITY" }
        }
      ],
      orderActivityCollection: [
        {
          activityType: "EXECUTION",
          executionType: "FILL",
          executionLegs: [{ legId: 1, price: 22.7299, time: "2025-08-29T13:30:00+0000" }]
        }
      ]
    })
  })

  it("404 with an error body for an unknown id, 400 for a non-numeric one", async () => {
    const missing = await getOrderText(sandbox, auth, "9007199254740992")
    expect(missing.status).toBe(404)
    expect(JSON.parse(missing.text)).toMatchObject({ message: "Order not found" })
    expect((await getOrderText(sandbox, auth, "abc")).status).toBe(400)
  })

  it("an order of another account is not found through this account", async () => {
    const other = sandbox.accounts[1]?.hashValue ?? ""
    const id = sandbox.seedOrder(other, { symbol: "MSFT", quantity: 1 }, working())
    expect((await getOrderText(sandbox, auth, id)).status).toBe(404)
  })
})

describe("cancel and replace", () => {
  it("cancel: 200, CANCELED with a CANCELED execution at price 0 that is not a fill", async () => {
    sandbox.scriptNext(working())
    const id = idFromLocation(await place(sandbox, auth, marketOrder("AAPL", 4)))
    sandbox.advance(2_000)
    const response = await fetch(`${sandbox.baseUrl}/accounts/${hashOf(sandbox)}/orders/${id}`, {
      method: "DELETE",
      headers: auth
    })
    expect(response.status).toBe(200)
    expect(await response.text()).toBe("")
    const order = JSON.parse((await getOrderText(sandbox, auth, id)).text)
    expect(order.status).toBe("CANCELED")
    expect(order.closeTime).toBe("2025-08-29T13:30:02+0000")
    expect(order.orderActivityCollection).toHaveLength(1)
    expect(order.orderActivityCollection[0]).toMatchObject({ executionType: "CANCELED" })
    expect(Number(order.orderActivityCollection[0].executionLegs[0].price)).toBe(0)
    expect(sandbox.truth(id)).toMatchObject({ status: "CANCELED", filledQuantity: "0", fills: [] })
    const again = await fetch(`${sandbox.baseUrl}/accounts/${hashOf(sandbox)}/orders/${id}`, {
      method: "DELETE",
      headers: auth
    })
    expect(again.status).toBe(400)
  })

  it("replace: 201 with a new Location; the old order is REPLACED and lists the new one", async () => {
    sandbox.scriptNext(working(), immediateFill({ price: "150.25" }))
    const oldId = idFromLocation(await place(sandbox, auth, marketOrder("AAPL", 5)))
    sandbox.advance(1_000)
    const response = await fetch(`${sandbox.baseUrl}/accounts/${hashOf(sandbox)}/orders/${oldId}`, {
      method: "PUT",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify(marketOrder("AAPL", 6))
    })
    expect(response.status).toBe(201)
    const newId = idFromLocation(response)
    expect(newId).not.toBe(oldId)
    const old = parseKeepingBigInts((await getOrderText(sandbox, auth, oldId)).text) as Record<
      string,
      unknown
    >
    expect(old.status).toBe("REPLACED")
    expect(old.replacingOrderCollection).toMatchObject([{ orderId: newId, status: "FILLED" }])
    expect(sandbox.truth(oldId)).toMatchObject({ status: "REPLACED", replacedBy: newId })
    expect(sandbox.truth(newId)).toMatchObject({
      status: "FILLED",
      filledQuantity: "6",
      replaces: oldId,
      fills: [{ quantity: "6", price: "150.25", time: "2025-08-29T13:30:01+0000" }]
    })
  })

  it("counts placements: each POST and PUT that made an order, never a seeded or scripted one", async () => {
    sandbox.scriptNext(working(), working())
    const first = idFromLocation(await place(sandbox, auth, marketOrder("AAPL", 5)))
    sandbox.seedOrder(hashOf(sandbox), { symbol: "MSFT", quantity: 1 }, working())
    const replaced = await fetch(`${sandbox.baseUrl}/accounts/${hashOf(sandbox)}/orders/${first}`, {
      method: "PUT",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify(marketOrder("AAPL", 6))
    })
    const second = idFromLocation(replaced)
    sandbox.replaceOutside(second, { quantity: 7 })
    sandbox.resetRequests()
    expect(sandbox.placements()).toEqual([
      { orderId: first, accountHash: hashOf(sandbox), via: "place", at: sandbox.clock.now() },
      {
        orderId: second,
        accountHash: hashOf(sandbox),
        via: "replace",
        replaces: first,
        at: sandbox.clock.now()
      }
    ])
  })

  it("a replace outside the bot: REPLACED, the new order entered now; a cancel outside: CANCELED", () => {
    const hash = hashOf(sandbox)
    const id = sandbox.seedOrder(hash, { symbol: "AAPL", quantity: 5, price: "10.50" }, working())
    sandbox.advance(3_000)
    sandbox.scriptNext(working())
    const next = sandbox.replaceOutside(id, { quantity: 4, named: false })
    const old = parseKeepingBigInts(sandbox.orderJson(id)) as Record<string, unknown>
    expect(old).toMatchObject({ status: "REPLACED", closeTime: "2025-08-29T13:30:03+0000" })
    expect(old.replacingOrderCollection).toBeUndefined()
    expect(parseKeepingBigInts(sandbox.orderJson(next))).toMatchObject({
      status: "WORKING",
      enteredTime: "2025-08-29T13:30:03+0000",
      orderType: "LIMIT",
      price: 10.5
    })
    expect(sandbox.truth(next)).toMatchObject({ replaces: id })
    expect(() => sandbox.replaceOutside(id)).toThrow(/cannot be replaced/)
    sandbox.cancelOutside(next)
    expect(sandbox.truth(next).status).toBe("CANCELED")
    expect(() => sandbox.cancelOutside(next)).toThrow(/cannot be canceled/)
    expect(sandbox.placements()).toEqual([])
    expect(sandbox.requests()).toEqual([])
  })

  it("a sandbox with namedReplacements false leaves every REPLACED body without its replacement", async () => {
    const unnamed = await startSandbox({ seed: 5, namedReplacements: false })
    try {
      const token = bearer(unnamed)
      unnamed.scriptNext(working(), working())
      const id = idFromLocation(await place(unnamed, token, marketOrder("AAPL", 5)))
      const replaced = await fetch(`${unnamed.baseUrl}/accounts/${hashOf(unnamed)}/orders/${id}`, {
        method: "PUT",
        headers: { ...token, "Content-Type": "application/json" },
        body: JSON.stringify(marketOrder("AAPL", 6))
      })
      expect(replaced.status).toBe(201)
      const old = parseKeepingBigInts((await getOrderText(unnamed, token, id)).text) as Record<
        string,
        unknown
      >
      expect(old.status).toBe("REPLACED")
      expect(old.replacingOrderCollection).toBeUndefined()
    } finally {
      await unnamed.close()
    }
  })

  it("replace validates its body and refuses a finished order", async () => {
    const id = idFromLocation(await place(sandbox, auth))
    const url = `${sandbox.baseUrl}/accounts/${hashOf(sandbox)}/orders/${id}`
    const bad = await fetch(url, { method: "PUT", headers: auth, body: "{}" })
    expect(bad.status).toBe(400)
    const filled = await fetch(url, { method: "PUT", headers: auth, body: JSON.stringify(marketOrder()) })
    expect(filled.status).toBe(400)
  })
})

describe("listOrders", () => {
  const window = { fromEnteredTime: "2025-08-29T00:00:00.000Z", toEnteredTime: "2025-08-30T00:00:00.000Z" }

  it("lists the window newest first, filters by status, cuts at maxResults", async () => {
    const hash = hashOf(sandbox)
    const a = sandbox.seedOrder(
      hash,
      { symbol: "A", quantity: 1, enteredAt: "2025-08-29T13:00:00Z" },
      working()
    )
    const b = sandbox.seedOrder(
      hash,
      { symbol: "B", quantity: 1, enteredAt: "2025-08-29T13:10:00Z" },
      immediateFill()
    )
    sandbox.seedOrder(hash, { symbol: "C", quantity: 1, enteredAt: "2025-08-27T13:10:00Z" }, working())
    const ids = async (query: Record<string, string>) => {
      const response = await fetch(listUrl(sandbox, query), { headers: auth })
      expect(response.status).toBe(200)
      return (parseKeepingBigInts(await response.text()) as Array<{ orderId: string }>).map(
        (order) => order.orderId
      )
    }
    expect(await ids(window)).toEqual([b, a])
    expect(await ids({ ...window, status: "WORKING" })).toEqual([a])
    expect(await ids({ ...window, maxResults: "1" })).toEqual([b])
    const all = await fetch(
      `${sandbox.baseUrl}/orders?${new URLSearchParams({ ...window, fromEnteredTime: "2025-08-27T00:00:00.000Z" })}`,
      { headers: auth }
    )
    expect(all.status).toBe(200)
    expect((parseKeepingBigInts(await all.text()) as Array<unknown>).length).toBe(3)
  })

  it("accepts a window of exactly 60 days", async () => {
    const response = await fetch(
      listUrl(sandbox, {
        fromEnteredTime: "2025-07-01T00:00:00.000Z",
        toEnteredTime: "2025-08-30T00:00:00.000Z"
      }),
      { headers: auth }
    )
    expect(response.status).toBe(200)
    expect(60 * DAY).toBe(Date.parse("2025-08-30T00:00:00Z") - Date.parse("2025-07-01T00:00:00Z"))
  })

  it.each([
    ["a missing fromEnteredTime", { toEnteredTime: window.toEnteredTime }, "fromEnteredTime"],
    ["a missing toEnteredTime", { fromEnteredTime: window.fromEnteredTime }, "toEnteredTime"],
    ["seconds precision", { ...window, fromEnteredTime: "2025-08-29T00:00:00Z" }, "fromEnteredTime"],
    ["a date only", { ...window, toEnteredTime: "2025-08-30" }, "toEnteredTime"],
    ["an impossible date", { ...window, fromEnteredTime: "2025-02-30T00:00:00.000Z" }, "fromEnteredTime"],
    [
      "from after to",
      { fromEnteredTime: window.toEnteredTime, toEnteredTime: window.fromEnteredTime },
      "fromEnteredTime"
    ],
    ["a window over 60 days", { ...window, fromEnteredTime: "2025-06-30T23:59:59.999Z" }, "60 days"],
    ["an unknown status", { ...window, status: "DONE" }, "status"],
    ["a bad maxResults", { ...window, maxResults: "0" }, "maxResults"]
  ])("400 naming the parameter for %s", async (_, query, named) => {
    const response = await fetch(listUrl(sandbox, query as Record<string, string>), { headers: auth })
    expect(response.status).toBe(400)
    const body = (await response.json()) as { message: string; errors: Array<string> }
    expect(body.errors.join(" ")).toContain(named)
  })

  it("raw elements go into list results verbatim", async () => {
    const hash = hashOf(sandbox)
    sandbox.addRawOrder(hash, '{"orderStrategyType":"OCO","childOrderStrategies":[]}')
    sandbox.addRawOrder(hash, '{"orderId":"broken', { enteredAt: "2025-08-29T12:00:00Z" })
    sandbox.addRawOrder(hash, "{}", { enteredAt: "2025-01-01T12:00:00Z" })
    const response = await fetch(listUrl(sandbox, window), { headers: auth })
    const text = await response.text()
    expect(text).toBe('[{"orderStrategyType":"OCO","childOrderStrategies":[]},{"orderId":"broken]')
  })
})

describe("routing", () => {
  it("unknown paths are 404 and every answer carries a correlation id", async () => {
    const response = await fetch(`${sandbox.baseUrl}/accounts/x/positions`, { headers: auth })
    expect(response.status).toBe(404)
    expect(response.headers.get("schwab-client-correlid")).toBeTruthy()
  })
})
