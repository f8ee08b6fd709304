import { afterEach, beforeEach, describe, expect, it } from "vitest"
import {
  fillsInLegs,
  immediateFill,
  partialThenCancel,
  realClock,
  replace,
  type Sandbox,
  startSandbox,
  working
} from "../src/index.js"
import { bearer, hashOf } from "./helpers.js"
import { body, codeOf, event, TestClient } from "./streamerClient.js"

let sandbox: Sandbox
const clients: Array<TestClient> = []
const connect = async (): Promise<TestClient> => {
  const client = await TestClient.connect(sandbox)
  clients.push(client)
  return client
}
beforeEach(async () => {
  sandbox = await startSandbox({ seed: 17 })
})
afterEach(async () => {
  for (const client of clients.splice(0)) client.close()
  await sandbox.close()
})

const seed = (lifecycle = immediateFill({ price: "22.7299" }), quantity: number | string = 3) =>
  sandbox.seedOrder(hashOf(sandbox), { symbol: "AAPL", quantity, price: "22.75" }, lifecycle)

describe("GET /userPreference", () => {
  it("answers one object whose streamerInfo points at the loopback streamer", async () => {
    const response = await fetch(`${sandbox.baseUrl}/userPreference`, { headers: bearer(sandbox) })
    expect(response.status).toBe(200)
    const preferences = (await response.json()) as {
      accounts: ReadonlyArray<{ accountNumber: string; primaryAccount: boolean }>
      streamerInfo: ReadonlyArray<Record<string, string>>
    }
    expect(preferences.accounts).toMatchObject([{ accountNumber: "12345678", primaryAccount: true }])
    expect(preferences.streamerInfo).toHaveLength(1)
    const [info] = preferences.streamerInfo
    expect(info).toEqual(sandbox.streamer.info)
    expect(info?.streamerSocketUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws$/)
    expect(info?.schwabClientChannel).toBe("N9")
    expect(info?.schwabClientFunctionId).toBe("APIAPP")
    expect(info?.schwabClientCorrelId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
    )
  })

  it("needs a valid access token", async () => {
    const response = await fetch(`${sandbox.baseUrl}/userPreference`)
    expect(response.status).toBe(401)
  })

  it("answers the spec's array when asked to, and meets HTTP faults like any route", async () => {
    const arrayed = await startSandbox({ seed: 17, preferencesAsArray: true })
    try {
      const response = await fetch(`${arrayed.baseUrl}/userPreference`, { headers: bearer(arrayed) })
      const preferences = (await response.json()) as ReadonlyArray<{ streamerInfo: ReadonlyArray<unknown> }>
      expect(preferences).toHaveLength(1)
      expect(preferences[0]?.streamerInfo).toEqual([arrayed.streamer.info])
    } finally {
      await arrayed.close()
    }
    sandbox.faults.inject({ route: "userPreference", kind: "unavailable" })
    expect((await fetch(`${sandbox.baseUrl}/userPreference`, { headers: bearer(sandbox) })).status).toBe(503)
  })
})

describe("ADMIN LOGIN and LOGOUT", () => {
  it("logs in with a bare access token the sandbox issued", async () => {
    const client = await connect()
    const response = await client.response(client.login(sandbox.authorize().accessToken))
    expect(response).toMatchObject({
      service: "ADMIN",
      command: "LOGIN",
      SchwabClientCorrelId: sandbox.streamer.info.schwabClientCorrelId,
      content: { code: 0 }
    })
    expect((response.content as { msg: string }).msg).toMatch(/^server=[^;]+;status=(PN|NP|PP)$/)
    expect(sandbox.streamer.connections()).toMatchObject([{ loggedIn: true }])
  })

  it("denies a login after the token expired (code 3) and closes the connection", async () => {
    const token = sandbox.authorize().accessToken
    sandbox.advance(1_800_000)
    const client = await connect()
    const response = await client.response(client.login(token))
    expect(codeOf(response)).toBe(3)
    expect((response.content as { msg: string }).msg).toContain("token is invalid or has expired")
    await client.until(() => client.closed)
    expect(sandbox.streamer.stats().loginsDenied).toBe(1)
  })

  it("denies an unknown token, a `Bearer ` prefix and a wrong customer id", async () => {
    const token = sandbox.authorize().accessToken
    for (const [parameters, overrides] of [
      [{ Authorization: "not-a-token" }, {}],
      [{ Authorization: `Bearer ${token}` }, {}],
      [{ Authorization: token }, { SchwabClientCustomerId: "someone-else" }]
    ] as const) {
      const client = await connect()
      expect(codeOf(await client.response(client.request("ADMIN", "LOGIN", parameters, overrides)))).toBe(3)
      await client.until(() => client.closed)
    }
  })

  it("answers commands before LOGIN, or with another correl id, with code 20", async () => {
    const client = await connect()
    expect(codeOf(await client.response(client.subscribe()))).toBe(20)
    await client.response(client.login(sandbox.authorize().accessToken))
    const other = client.request("ACCT_ACTIVITY", "SUBS", { keys: "x" }, { SchwabClientCorrelId: "changed" })
    expect(codeOf(await client.response(other))).toBe(20)
    expect(client.items()).toEqual([])
  })

  it("LOGOUT answers SUCCESS and the streamer closes the connection", async () => {
    const client = await connect()
    await client.ready()
    const response = await client.response(client.request("ADMIN", "LOGOUT", {}))
    expect(response.content).toEqual({ code: 0, msg: "SUCCESS" })
    await client.until(() => client.closed)
    expect(sandbox.streamer.connections()).toEqual([])
  })

  it("one streamer per user: a second login closes the first with code 12", async () => {
    const first = await connect()
    await first.ready()
    const second = await connect()
    await second.ready()
    await first.until(() => first.closed)
    expect(first.notifies().at(-1)).toMatchObject({ service: "Invalid Service", content: { code: 12 } })
    expect(second.closed).toBeUndefined()
    expect(sandbox.streamer.connections()).toHaveLength(1)
    seed()
    await second.until(() => second.activity().length >= 6)
    expect(first.activity()).toEqual([])
  })

  it("bad frames get code 21, other services code 11, and never a crash", async () => {
    const client = await connect()
    client.ws.send("{not json")
    await client.until(() => client.responses().some((response) => codeOf(response) === 21))
    await client.response(client.login(sandbox.authorize().accessToken))
    expect(codeOf(await client.response(client.request("LEVELONE_EQUITIES", "SUBS", { keys: "AAPL" })))).toBe(
      11
    )
    expect(codeOf(await client.response(client.request("ACCT_ACTIVITY", "VIEW", {})))).toBe(21)
  })
})

describe("ACCT_ACTIVITY", () => {
  it("SUBS answers code 0, then SUBSCRIBED at seq 0 echoing the first key", async () => {
    const client = await connect()
    await client.response(client.login(sandbox.authorize().accessToken))
    const response = await client.response(client.subscribe("Account Activity,ignored"))
    expect(response).toMatchObject({ service: "ACCT_ACTIVITY", command: "SUBS", content: { code: 0 } })
    await client.until(() => client.items().length > 0)
    expect(client.items()).toEqual([{ seq: 0, key: "Account Activity", "1": "", "2": "SUBSCRIBED", "3": "" }])
    expect(client.texts.at(-1)).toMatch(
      /^\{"data":\[\{"service":"ACCT_ACTIVITY","timestamp":\d+,"command":"SUBS","content":\[\{"seq":0,"key":/
    )
  })

  it("an order's placement, acceptance, route and fill, with REST's ids and exact amounts", async () => {
    const client = await connect()
    await client.ready()
    const orderId = seed()
    await client.until(() => client.activity().length >= 6)
    const items = client.activity()
    expect(items.map((item) => item["2"])).toEqual([
      "OrderCreated",
      "OrderAccepted",
      "ExecutionRequested",
      "ExecutionRequestCreated",
      "ExecutionRequestCompleted",
      "OrderFillCompleted"
    ])
    expect(items.map((item) => item.seq)).toEqual([1, 2, 3, 4, 5, 6])
    for (const item of items) {
      expect(item["1"]).toBe("12345678")
      expect(item.key).toBe("Account Activity")
      expect(body(item)).toMatchObject({
        SchwabOrderID: orderId,
        AccountNumber: "12345678",
        BaseEvent: { EventType: item["2"] }
      })
    }
    const created = event(items[0] as never) as { Order: { Order: Record<string, unknown> } }
    expect(created.Order.Order.EntryTimestamp).toEqual({ DateTimeString: "2025-08-29 09:30:00.000" })
    const leg = (
      created.Order.Order.AssetOrderEquityOrderLeg as { OrderLegs: ReadonlyArray<Record<string, unknown>> }
    ).OrderLegs[0]
    expect(leg).toMatchObject({
      Quantity: { lo: "3000000", signScale: 12 },
      BuySellCode: "Buy",
      EstimatedPrincipalAmnt: { lo: "68250000", signScale: 13 }
    })
    const fill = event(items[5] as never) as Record<string, Record<string, unknown>>
    expect(fill.LegStatus).toBe("LegClosed")
    expect(fill.LegSubStatus).toBe("LegSubStatusFilled")
    expect(fill.QuantityInfo).toMatchObject({
      CumulativeQuantity: { lo: "3000000", signScale: 12 },
      LeavesQuantity: { signScale: 12 },
      AveragePrice: { lo: "22729900", signScale: 12 }
    })
    expect(fill.QuantityInfo?.ExecutionID).toBe(fill.ExecutionInfo?.ExecutionId)
    expect(fill.ExecutionInfo).toMatchObject({
      ExecutionQuantity: { lo: "3000000", signScale: 12 },
      ExecutionPrice: { lo: "22729900", signScale: 12 },
      PrincipalAmmount: { lo: "68190000", signScale: 12 },
      ExecutionTransType: "Fill",
      ExecutionTimeStamp: { DateTimeString: "2025-08-29 09:30:00.000" }
    })
    expect(String(fill.ExecutionInfo?.ExecutionId)).toMatch(/^20250829-EST-ngOMS-\d{11}$/)
    const truth = sandbox.truth(orderId)
    expect(truth.fills).toHaveLength(1)
    expect(truth.fills[0]).toMatchObject({ quantity: "3", price: "22.7299" })
  })

  it("each execution in its own message as the clock moves, the last one closing the leg", async () => {
    const client = await connect()
    await client.ready()
    seed(fillsInLegs(3, 1_000, { prices: ["10.5", "10.25", "10.01"] }))
    await client.until(() => client.activity().length >= 6)
    sandbox.advance(999)
    sandbox.advance(1)
    await client.until(() => client.activity().length >= 7)
    sandbox.advance(1_000)
    await client.until(() => client.activity().length >= 8)
    const fills = client
      .activity()
      .filter((item) => item["2"] === "OrderFillCompleted")
      .map(event)
    expect(fills.map((fill) => (fill.ExecutionInfo as Record<string, unknown>).ExecutionPrice)).toEqual([
      { lo: "10500000", signScale: 12 },
      { lo: "10250000", signScale: 12 },
      { lo: "10010000", signScale: 12 }
    ])
    expect(fills.map((fill) => (fill.QuantityInfo as Record<string, unknown>).LeavesQuantity)).toEqual([
      { lo: "2000000", signScale: 12 },
      { lo: "1000000", signScale: 12 },
      { signScale: 12 }
    ])
    // (10.5 + 10.25 + 10.01) / 3 = 10.253333…, six decimals
    expect((fills[2]?.QuantityInfo as Record<string, unknown> | undefined)?.AveragePrice).toEqual({
      lo: "10253333",
      signScale: 12
    })
    expect(fills.map((fill) => fill.LegStatus)).toEqual(["LegOpen", "LegOpen", "LegClosed"])
    expect(fills.map((fill) => (fill.ExecutionInfo as Record<string, unknown>).ExecutionTimeStamp)).toEqual([
      { DateTimeString: "2025-08-29 09:30:00.000" },
      { DateTimeString: "2025-08-29 09:30:01.000" },
      { DateTimeString: "2025-08-29 09:30:02.000" }
    ])
    expect(
      new Set(fills.map((fill) => (fill.ExecutionInfo as Record<string, unknown>).ExecutionId)).size
    ).toBe(3)
  })

  it("a cancel over HTTP: CancelAccepted, the cancel route, and the unfilled remainder out", async () => {
    const client = await connect()
    await client.ready()
    const orderId = seed(partialThenCancel({ quantity: "1", cancelAfterMs: 10_000 }), 5)
    await client.until(() => client.activity().length >= 6)
    sandbox.advance(2_000)
    const response = await fetch(`${sandbox.baseUrl}/accounts/${hashOf(sandbox)}/orders/${orderId}`, {
      method: "DELETE",
      headers: bearer(sandbox)
    })
    expect(response.status).toBe(200)
    await client.until(() => client.activity().some((item) => item["2"] === "OrderUROutCompleted"))
    expect(
      client
        .activity()
        .slice(6)
        .map((item) => item["2"])
    ).toEqual([
      "CancelAccepted",
      "ExecutionRequested",
      "ExecutionRequestCompleted",
      "ExecutionCreated",
      "OrderUROutCompleted"
    ])
    const [, routed, completed, created, out] = client.activity().slice(6).map(event)
    expect((routed?.RouteInfo as Record<string, unknown> | undefined)?.RouteRequestedType).toBe("Cancel")
    expect(completed).toMatchObject({ ResponseType: 7, RouteStatus: 8 })
    expect(created?.ExecutionInfo).toMatchObject({
      ExecutionTransType: "UROut",
      ExecutionQuantity: { lo: "4000000", signScale: 12 }
    })
    expect(out).toMatchObject({
      CancelQuantity: { lo: "4000000", signScale: 12 },
      LeavesQuantity: { signScale: 12 },
      LegStatus: "LegClosed",
      LegSubStatus: "LegSubStatusCancelled",
      OutCancelType: "ClientCancel",
      ExecutionId: (created?.ExecutionInfo as Record<string, unknown> | undefined)?.ExecutionId
    })
    expect(sandbox.truth(orderId).status).toBe("CANCELED")
    // The scripted cancel at 10 s was dropped with the HTTP cancel: nothing more comes.
    sandbox.advance(20_000)
    sandbox.streamer.heartbeat()
    await client.until(() => client.notifies().some((notify) => "heartbeat" in notify))
    expect(client.activity()).toHaveLength(11)
  })

  it("a replace: the new order from ChangeCreated, the old one cancelled out, then the new one's life", async () => {
    const client = await connect()
    await client.ready()
    const oldId = seed(replace(immediateFill({ price: "22.7" }), { afterMs: 1_000 }))
    await client.until(() => client.activity().length >= 5)
    sandbox.advance(1_000)
    await client.until(() => client.activity().some((item) => item["2"] === "OrderFillCompleted"))
    const later = client.activity().slice(5)
    const newId = sandbox.truth(oldId).replacedBy
    expect(newId).toBeDefined()
    expect(later.map((item) => [item["2"], body(item).SchwabOrderID])).toEqual([
      ["ChangeCreated", newId],
      ["CancelAccepted", oldId],
      ["ChangeAccepted", newId],
      ["ExecutionCreated", oldId],
      ["OrderUROutCompleted", oldId],
      ["ExecutionRequested", newId],
      ["ExecutionRequestCreated", newId],
      ["ExecutionRequestCompleted", newId],
      ["OrderFillCompleted", newId]
    ])
    expect(event(later[0] as never)).toMatchObject({
      ParentSchwabOrderID: oldId,
      LifecycleSchwabOrderID: oldId
    })
    const cancel = event(later[1] as never) as {
      LegCancelRequestInfoList: ReadonlyArray<Record<string, unknown>>
    }
    expect(cancel.LegCancelRequestInfoList[0]).toMatchObject({
      ChangedNewSchwabOrderId: newId,
      ChangedNewOrderID: newId
    })
  })

  it("an order placed over HTTP streams too, and nothing happened before SUBS is replayed", async () => {
    seed()
    const client = await connect()
    await client.ready()
    const response = await fetch(`${sandbox.baseUrl}/accounts/${hashOf(sandbox)}/orders`, {
      method: "POST",
      headers: { ...bearer(sandbox), "Content-Type": "application/json" },
      body: JSON.stringify({
        orderType: "LIMIT",
        price: "101.5",
        session: "NORMAL",
        duration: "DAY",
        orderStrategyType: "SINGLE",
        orderLegCollection: [
          { instruction: "SELL", quantity: 2, instrument: { symbol: "MSFT", assetType: "EQUITY" } }
        ]
      })
    })
    const orderId = /\/orders\/(\d+)$/.exec(response.headers.get("location") ?? "")?.[1]
    await client.until(() => client.activity().length >= 6)
    expect(new Set(client.activity().map((item) => body(item).SchwabOrderID))).toEqual(new Set([orderId]))
    const fill = event(client.activity()[5] as never) as Record<string, Record<string, unknown>>
    expect(fill.OrderInfoForTransactionPosting).toMatchObject({
      BuySellCode: "Sell",
      LimitPrice: { lo: "101500000", signScale: 12 }
    })
  })

  it("UNSUBS stops the activity; ADD starts nothing (Schwabdev issue #14)", async () => {
    const client = await connect()
    await client.ready()
    expect(
      codeOf(await client.response(client.request("ACCT_ACTIVITY", "UNSUBS", { keys: "Account Activity" })))
    ).toBe(0)
    expect(
      codeOf(await client.response(client.request("ACCT_ACTIVITY", "ADD", { keys: "Account Activity" })))
    ).toBe(0)
    seed()
    sandbox.advance(1_000)
    sandbox.streamer.heartbeat()
    await client.until(() => client.notifies().some((notify) => "heartbeat" in notify))
    expect(client.activity()).toEqual([])
    expect(sandbox.streamer.connections()).toMatchObject([{ loggedIn: true, key: undefined }])
  })

  it("a real clock sends each message when its time comes", async () => {
    const live = await startSandbox({ seed: 3, clock: realClock() })
    try {
      const client = await TestClient.connect(live)
      clients.push(client)
      await client.ready()
      live.seedOrder(hashOf(live), { symbol: "AAPL", quantity: 2 }, fillsInLegs(2, 30, { firstAfterMs: 20 }))
      await client.until(
        () => client.activity().filter((item) => item["2"] === "OrderFillCompleted").length === 2
      )
      expect(client.activity().map((item) => item.seq)).toEqual([1, 2, 3, 4, 5, 6, 7])
    } finally {
      await live.close()
    }
  })
})

describe("heartbeats", () => {
  it("logged-in connections get notify heartbeats as epoch-ms strings", async () => {
    const quick = await startSandbox({ seed: 3, streamer: { heartbeatMs: 20 } })
    try {
      const client = await TestClient.connect(quick)
      clients.push(client)
      await client.ready()
      await client.until(() => client.notifies().filter((notify) => "heartbeat" in notify).length >= 2)
      expect(client.notifies()[0]).toEqual({ heartbeat: String(quick.clock.now()) })
    } finally {
      await quick.close()
    }
  })

  it("a connection left without a subscription is closed with code 30", async () => {
    const idle = await startSandbox({ seed: 3, streamer: { idleCloseMs: 20 } })
    try {
      const client = await TestClient.connect(idle)
      clients.push(client)
      await client.response(client.login(idle.authorize().accessToken))
      await client.until(() => client.closed)
      expect(client.notifies().at(-1)).toMatchObject({ content: { code: 30 } })
    } finally {
      await idle.close()
    }
  })

  it("close() ends open connections and the server", async () => {
    const client = await connect()
    await client.ready()
    await sandbox.close()
    await client.until(() => client.closed)
    sandbox = await startSandbox({ seed: 17 })
  })
})

it("working orders send their entry and nothing more", async () => {
  const client = await connect()
  await client.ready()
  seed(working())
  await client.until(() => client.activity().length >= 5)
  sandbox.advance(60_000)
  sandbox.streamer.heartbeat()
  await client.until(() => client.notifies().some((notify) => "heartbeat" in notify))
  expect(client.activity().map((item) => item["2"])).toEqual([
    "OrderCreated",
    "OrderAccepted",
    "ExecutionRequested",
    "ExecutionRequestCreated",
    "ExecutionRequestCompleted"
  ])
})

it("an order seeded in the past streams only what happens from now on", async () => {
  const client = await connect()
  await client.ready()
  const orderId = sandbox.seedOrder(
    hashOf(sandbox),
    { symbol: "AAPL", quantity: 2, enteredAt: sandbox.clock.now() - 60_000 },
    fillsInLegs(2, 120_000)
  )
  sandbox.advance(60_000)
  await client.until(() => client.activity().length >= 1)
  expect(client.activity().map((item) => [item.seq, item["2"], body(item).SchwabOrderID])).toEqual([
    [1, "OrderFillCompleted", orderId]
  ])
})
