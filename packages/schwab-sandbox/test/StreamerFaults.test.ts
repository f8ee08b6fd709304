import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { fillsInLegs, immediateFill, type Sandbox, startSandbox } from "../src/index.js"
import { hashOf } from "./helpers.js"
import { body, codeOf, TestClient } from "./streamerClient.js"

let sandbox: Sandbox
let client: TestClient
beforeEach(async () => {
  sandbox = await startSandbox({ seed: 23 })
  client = await TestClient.connect(sandbox)
  await client.ready()
})
afterEach(async () => {
  client.close()
  await sandbox.close()
})

/** Six messages: entry (5) and one fill. */
const seed = () => sandbox.seedOrder(hashOf(sandbox), { symbol: "AAPL", quantity: 1 }, immediateFill())
const heartbeatArrived = async (target = client) => {
  const before = target.notifies().length
  sandbox.streamer.heartbeat()
  await target.until(() => target.notifies().length > before || target.closed)
}

describe("per-item faults", () => {
  it("duplicate: the same item again with the next seq", async () => {
    sandbox.streamer.faults.inject({ kind: "duplicate", times: 1 })
    seed()
    await client.until(() => client.activity().length >= 7)
    const [first, copy, third] = client.activity()
    expect(copy).toEqual({ ...first, seq: 2 })
    expect(third?.seq).toBe(3)
    expect(third?.["2"]).toBe("OrderAccepted")
  })

  it("skipSeq: seq jumps but every item arrives", async () => {
    sandbox.streamer.faults.inject({ kind: "skipSeq", by: 3 })
    seed()
    await client.until(() => client.activity().length >= 6)
    expect(client.activity().map((item) => item.seq)).toEqual([4, 5, 6, 7, 8, 9])
  })

  it("lose: an item never arrives and its seq is missing", async () => {
    sandbox.streamer.faults.inject({ kind: "lose", times: 2 })
    seed()
    await client.until(() => client.activity().length >= 4)
    expect(client.activity().map((item) => item.seq)).toEqual([3, 4, 5, 6])
    expect(client.activity().map((item) => item["2"])).not.toContain("OrderCreated")
  })

  it("delay: the frame and everything after it wait, in order", async () => {
    sandbox.streamer.faults.inject({ kind: "delay", delayMs: 50 })
    seed()
    await heartbeatArrived()
    // The heartbeat queued behind the delayed frame: it cannot have overtaken it.
    const kinds = client.frames.slice(-2).map((frame) => Object.keys(frame)[0])
    expect(kinds).toEqual(["data", "notify"])
    expect(client.activity().map((item) => item.seq)).toEqual([1, 2, 3, 4, 5, 6])
  })

  it("drop: the socket is destroyed without a close frame", async () => {
    sandbox.streamer.faults.inject({ kind: "drop" })
    seed()
    await client.until(() => client.closed)
    expect(client.closed?.code).toBe(1006)
    expect(client.activity()).toEqual([])
    expect(sandbox.streamer.stats().drops).toBe(1)
  })

  it("kickOff: code 12 under service Invalid Service, then the close", async () => {
    sandbox.streamer.faults.inject({ kind: "kickOff" })
    seed()
    await client.until(() => client.closed)
    expect(client.notifies().at(-1)).toMatchObject({ service: "Invalid Service", content: { code: 12 } })
    expect(client.closed?.code).toBe(1000)
  })

  it("stall: the connection stays open and goes silent, heartbeats too", async () => {
    sandbox.streamer.faults.inject({ kind: "stall" })
    seed()
    const watcher = await TestClient.connect(sandbox)
    try {
      // A second, idle connection shows the heartbeat went out meanwhile.
      await watcher.response(watcher.request("ADMIN", "QOS", {}))
      sandbox.streamer.heartbeat()
      await watcher.until(() => watcher.responses().length > 0)
      expect(client.closed).toBeUndefined()
      expect(client.activity()).toEqual([])
      expect(client.notifies()).toEqual([])
      expect(sandbox.streamer.connections().find((connection) => connection.loggedIn)?.stalled).toBe(true)
    } finally {
      watcher.close()
    }
  })

  it("unknownMessage: each variant arrives beside the real item, seq counted for items", async () => {
    sandbox.streamer.faults.inject({ kind: "unknownMessage", variant: "notice" })
    sandbox.streamer.faults.inject({ kind: "unknownMessage", variant: "activityType" })
    sandbox.streamer.faults.inject({ kind: "unknownMessage", variant: "topLevel" })
    seed()
    await client.until(() => client.activity().length >= 8)
    const items = client.activity()
    expect(items[0]).toMatchObject({ seq: 1, "2": "", "3": "Feature not supported" })
    expect(items[1]?.["2"]).toBe("OrderCreated")
    expect(items[2]?.["2"]).toBe("OrderMonitorCreated")
    expect(items.map((item) => item.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect(client.frames.some((frame) => "snapshot" in frame)).toBe(true)
  })

  it("faults fire on a seeded coin when given a probability", async () => {
    sandbox.streamer.faults.inject({ kind: "lose", probability: 0.5 })
    for (let i = 0; i < 10; i++) seed()
    await heartbeatArrived()
    const seqs = client.activity().map((item) => item.seq)
    expect(seqs.length).toBeGreaterThan(0)
    expect(seqs.length).toBeLessThan(60)
    expect(Math.max(...seqs)).toBeLessThanOrEqual(60)
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
  })
})

describe("connection faults", () => {
  it("loginDenied: the next LOGIN gets code 3 with a valid token", async () => {
    sandbox.streamer.faults.inject({ kind: "loginDenied" })
    const second = await TestClient.connect(sandbox)
    try {
      expect(codeOf(await second.response(second.login(sandbox.authorize().accessToken)))).toBe(3)
      await second.until(() => second.closed)
      const third = await TestClient.connect(sandbox)
      expect(codeOf(await third.response(third.login(sandbox.authorize().accessToken)))).toBe(0)
      third.close()
    } finally {
      second.close()
    }
  })

  it("dropConnections, kickOff, sendUnknown and stall act at once", async () => {
    sandbox.streamer.sendUnknown("notice")
    await client.until(() => client.activity().length === 1)
    sandbox.streamer.stall()
    expect(sandbox.streamer.connections()[0]?.stalled).toBe(true)
    sandbox.streamer.kickOff()
    await client.until(() => client.closed)
    expect(client.notifies().at(-1)).toMatchObject({ content: { code: 12 } })
    const next = await TestClient.connect(sandbox)
    await next.ready()
    sandbox.streamer.dropConnections()
    await next.until(() => next.closed)
    expect(next.closed?.code).toBe(1006)
  })

  it("after a drop, a new connection sees only what happens after its SUBS, from seq 1 again", async () => {
    const orderId = sandbox.seedOrder(hashOf(sandbox), { symbol: "AAPL", quantity: 2 }, fillsInLegs(2, 1_000))
    await client.until(() => client.activity().length >= 6)
    sandbox.streamer.dropConnections()
    await client.until(() => client.closed)
    const next = await TestClient.connect(sandbox)
    try {
      await next.ready()
      sandbox.advance(1_000)
      await next.until(() => next.activity().length >= 1)
      expect(next.activity().map((item) => [item.seq, item["2"], body(item).SchwabOrderID])).toEqual([
        [1, "OrderFillCompleted", orderId]
      ])
    } finally {
      next.close()
    }
  })
})
