import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { type Sandbox, startSandbox, working } from "../src/index.js"
import { basic, bearer, hashOf, idFromLocation, listUrl, place, until } from "./helpers.js"

let sandbox: Sandbox
let auth: Record<string, string>
beforeEach(async () => {
  sandbox = await startSandbox({ seed: 9 })
  auth = bearer(sandbox)
})
afterEach(() => sandbox.close())

const accountNumbers = () => fetch(`${sandbox.baseUrl}/accounts/accountNumbers`, { headers: auth })
const window = { fromEnteredTime: "2025-08-29T00:00:00.000Z", toEnteredTime: "2025-08-30T00:00:00.000Z" }

describe("fault kinds", () => {
  it("429 with and without Retry-After", async () => {
    sandbox.faults.inject({ route: "accountNumbers", kind: "rateLimited", retryAfterSeconds: 2 })
    sandbox.faults.inject({ route: "accountNumbers", kind: "rateLimited" })
    const first = await accountNumbers()
    expect(first.status).toBe(429)
    expect(first.headers.get("retry-after")).toBe("2")
    const second = await accountNumbers()
    expect(second.status).toBe(429)
    expect(second.headers.get("retry-after")).toBeNull()
    expect((await accountNumbers()).status).toBe(200)
  })

  it("500 and 503 with Schwab error bodies, `times` counts", async () => {
    sandbox.faults.inject({ route: "accountNumbers", kind: "serverError", times: 2 })
    sandbox.faults.inject({ route: "*", kind: "unavailable" })
    expect((await accountNumbers()).status).toBe(500)
    const second = await accountNumbers()
    expect(second.status).toBe(500)
    expect(await second.json()).toMatchObject({ message: "Internal server error" })
    expect((await accountNumbers()).status).toBe(503)
    expect((await accountNumbers()).status).toBe(200)
  })

  it("a 201 without Location, or with one for another host or account; the order is placed each time", async () => {
    sandbox.faults.inject({ route: "placeOrder", kind: "noLocation" })
    sandbox.faults.inject({ route: "placeOrder", kind: "foreignHostLocation" })
    sandbox.faults.inject({ route: "placeOrder", kind: "foreignAccountLocation" })
    const none = await place(sandbox, auth)
    expect(none.status).toBe(201)
    expect(none.headers.get("location")).toBeNull()
    const host = await place(sandbox, auth)
    expect(host.status).toBe(201)
    expect(new URL(host.headers.get("location") ?? "").host).toBe("api.schwabapi.example")
    const account = await place(sandbox, auth)
    const location = account.headers.get("location") ?? ""
    expect(location.startsWith(`${sandbox.baseUrl}/accounts/ANOTHER-ACCOUNT-HASH/orders/`)).toBe(true)
    expect(sandbox.orderIds()).toHaveLength(3)
    expect(sandbox.placements().map((p) => p.orderId)).toEqual(sandbox.orderIds())
    expect(sandbox.requests().map((r) => r.fault)).toEqual([
      "noLocation",
      "foreignHostLocation",
      "foreignAccountLocation"
    ])
  })

  it("latency delays a normal answer by real time", async () => {
    sandbox.faults.inject({ route: "accountNumbers", kind: "latency", latencyMs: 150 })
    const started = Date.now()
    const response = await accountNumbers()
    expect(response.status).toBe(200)
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
  })

  it("hang never answers; the client gives up and close() still returns", async () => {
    sandbox.faults.inject({ route: "accountNumbers", kind: "hang" })
    // The client gives up once the sandbox has met the request (a timer could fire before it arrived).
    const giveUp = new AbortController()
    const answer = fetch(`${sandbox.baseUrl}/accounts/accountNumbers`, {
      headers: auth,
      signal: giveUp.signal
    })
    await until(() => sandbox.requests().some((r) => r.fault === "hang"))
    giveUp.abort()
    await expect(answer).rejects.toThrow()
    expect(sandbox.requests().at(-1)).toMatchObject({ status: 0, fault: "hang" })
  })

  it("a hang after handling places the order anyway (the ambiguous POST)", async () => {
    sandbox.faults.inject({ route: "placeOrder", kind: "hang", afterHandling: true })
    // Given up once the order is placed: a timer could cut the request before the sandbox read it.
    const giveUp = new AbortController()
    const answer = fetch(`${sandbox.baseUrl}/accounts/${hashOf(sandbox)}/orders`, {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify({
        orderType: "MARKET",
        session: "NORMAL",
        duration: "DAY",
        orderStrategyType: "SINGLE",
        orderLegCollection: [
          { instruction: "BUY", quantity: 1, instrument: { symbol: "AAPL", assetType: "EQUITY" } }
        ]
      }),
      signal: giveUp.signal
    })
    await until(() => sandbox.orderIds().length > 0)
    giveUp.abort()
    await expect(answer).rejects.toThrow()
    expect(sandbox.orderIds()).toHaveLength(1)
    const listed = await fetch(listUrl(sandbox, window), { headers: auth })
    expect(await listed.text()).toContain(sandbox.orderIds()[0])
  })

  it("held waits for release(), then answers for real; after handling the order exists while it waits", async () => {
    const before = sandbox.faults.inject({ route: "placeOrder", kind: "held" })
    const pending = place(sandbox, auth)
    await until(() => before.hits() === 1)
    expect(sandbox.orderIds()).toHaveLength(0)
    before.release()
    expect((await pending).status).toBe(201)
    expect(sandbox.orderIds()).toHaveLength(1)

    const after = sandbox.faults.inject({ route: "placeOrder", kind: "held", afterHandling: true })
    let answered = false
    const late = place(sandbox, auth).then((r) => {
      answered = true
      return r
    })
    await until(() => sandbox.orderIds().length === 2)
    expect(sandbox.requests().at(-1)).toMatchObject({ status: 0, fault: "held" })
    expect(answered).toBe(false)
    after.release()
    const response = await late
    expect(response.status).toBe(201)
    expect(idFromLocation(response)).toBe(sandbox.orderIds()[1])
    expect(sandbox.placements()).toHaveLength(2)
  })

  it("a 500 before handling places nothing", async () => {
    sandbox.faults.inject({ route: "placeOrder", kind: "serverError" })
    expect((await place(sandbox, auth)).status).toBe(500)
    expect(sandbox.orderIds()).toHaveLength(0)
  })

  it("malformed JSON is a 200 that does not parse", async () => {
    sandbox.faults.inject({ route: "listOrders", kind: "malformedJson" })
    const response = await fetch(listUrl(sandbox, window), { headers: auth })
    expect(response.status).toBe(200)
    await expect(response.json()).rejects.toThrow()
  })

  it("truncated JSON is the real answer cut in the middle", async () => {
    sandbox.scriptNext(working())
    const id = idFromLocation(await place(sandbox, auth))
    const full = sandbox.orderJson(id)
    sandbox.faults.inject({ route: "getOrder", kind: "truncatedJson" })
    const response = await fetch(`${sandbox.baseUrl}/accounts/${hashOf(sandbox)}/orders/${id}`, {
      headers: auth
    })
    expect(response.status).toBe(200)
    const text = await response.text()
    expect(text.length).toBeGreaterThan(0)
    expect(text.length).toBeLessThan(full.length)
    expect(full.startsWith(text)).toBe(true)
    expect(() => JSON.parse(text)).toThrow()
  })

  it("a connection reset fails the read mid-body", async () => {
    sandbox.faults.inject({ route: "accountNumbers", kind: "connectionReset" })
    await expect(accountNumbers().then((response) => response.text())).rejects.toThrow()
  })

  it("401 as if the token had expired, on trader routes and on the token route", async () => {
    sandbox.faults.inject({ route: "getOrder", kind: "unauthorized" })
    sandbox.faults.inject({ route: "token", kind: "unauthorized" })
    const id = sandbox.seedOrder(hashOf(sandbox), { symbol: "AAPL", quantity: 1 })
    const order = await fetch(`${sandbox.baseUrl}/accounts/${hashOf(sandbox)}/orders/${id}`, {
      headers: auth
    })
    expect(order.status).toBe(401)
    const token = await fetch(sandbox.tokenUrl, {
      method: "POST",
      headers: { Authorization: basic(sandbox.appKey, sandbox.appSecret) },
      body: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: sandbox.authorize().refreshToken
      })
    })
    expect(token.status).toBe(401)
    expect(await token.json()).toEqual({ error: "invalid_client" })
  })

  it("a seeded probability hits some requests, the same ones for the same seed", async () => {
    const pattern = async (seed: number) => {
      const other = await startSandbox({ seed })
      try {
        other.faults.inject({ route: "accountNumbers", kind: "unavailable", probability: 0.5 })
        const headers = bearer(other)
        const statuses: Array<number> = []
        for (let i = 0; i < 16; i++) {
          statuses.push((await fetch(`${other.baseUrl}/accounts/accountNumbers`, { headers })).status)
        }
        return statuses
      } finally {
        await other.close()
      }
    }
    const first = await pattern(4)
    expect(first).toContain(503)
    expect(first).toContain(200)
    expect(await pattern(4)).toEqual(first)
  })

  it("clear, remove and hits", async () => {
    const handle = sandbox.faults.inject({ route: "*", kind: "serverError", times: 5 })
    expect((await accountNumbers()).status).toBe(500)
    expect(handle.hits()).toBe(1)
    handle.remove()
    expect((await accountNumbers()).status).toBe(200)
    sandbox.faults.inject({ route: "*", kind: "serverError", times: 5 })
    sandbox.faults.clear()
    expect(sandbox.faults.active()).toEqual([])
    expect((await accountNumbers()).status).toBe(200)
  })
})

describe("request log", () => {
  it("records method, route template, status, arrival and fault", async () => {
    sandbox.resetRequests()
    sandbox.faults.inject({ route: "getOrder", kind: "serverError" })
    await fetch(`${sandbox.baseUrl}/accounts/${hashOf(sandbox)}/orders/1`, { headers: auth })
    await fetch(`${sandbox.baseUrl}/accounts/${hashOf(sandbox)}/orders/1`, { headers: auth })
    await accountNumbers()
    expect(
      sandbox.requests().map(({ method, route, status, fault }) => ({ method, route, status, fault }))
    ).toEqual([
      { method: "GET", route: "GET /accounts/{hash}/orders/{orderId}", status: 500, fault: "serverError" },
      { method: "GET", route: "GET /accounts/{hash}/orders/{orderId}", status: 404, fault: undefined },
      { method: "GET", route: "GET /accounts/accountNumbers", status: 200, fault: undefined }
    ])
    expect(sandbox.maxRequestsInWindow()).toBe(3)
    expect(sandbox.maxRequestsInWindow(60_000, (record) => record.name === "getOrder")).toBe(2)
    sandbox.resetRequests()
    expect(sandbox.requests()).toEqual([])
  })
})

describe("onFault", () => {
  it("tells each injected fault as a request meets it, before the answer, until stopped", async () => {
    const seen: Array<{ name: string; kind: string; route: string; retryAfter?: number; answered: boolean }> =
      []
    let answered = 0
    const stop = sandbox.onFault((e) =>
      seen.push({
        name: e.name,
        kind: e.fault.kind,
        route: e.route,
        ...(e.fault.retryAfterSeconds === undefined ? {} : { retryAfter: e.fault.retryAfterSeconds }),
        answered: answered > 0
      })
    )
    // A listener that throws changes neither the answer nor what the others are told.
    sandbox.onFault(() => {
      throw new Error("a watcher's bug")
    })
    sandbox.faults.inject({ route: "accountNumbers", kind: "rateLimited", retryAfterSeconds: 3 })
    sandbox.faults.inject({ route: "listOrders", kind: "truncatedJson" })
    const limited = await accountNumbers()
    answered += 1
    expect(limited.status).toBe(429)
    expect((await accountNumbers()).status).toBe(200)
    await fetch(listUrl(sandbox, window), { headers: auth })
    expect(seen).toEqual([
      {
        name: "accountNumbers",
        kind: "rateLimited",
        route: "GET /accounts/accountNumbers",
        retryAfter: 3,
        answered: false
      },
      { name: "listOrders", kind: "truncatedJson", route: "GET /accounts/{hash}/orders", answered: true }
    ])
    stop()
    sandbox.faults.inject({ route: "accountNumbers", kind: "serverError" })
    expect((await accountNumbers()).status).toBe(500)
    expect(seen).toHaveLength(2)
    expect(sandbox.requests().filter((r) => r.fault !== undefined)).toHaveLength(3)
  })
})
