import { Decimal, decodeActivityItem, decodeStreamerMessage } from "@fill-tracker/domain"
import { acctActivitySamples } from "@fill-tracker/domain/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  expire,
  fillInOneActivity,
  fillsInLegs,
  partialThenCancel,
  reject,
  replace,
  type Sandbox,
  startSandbox
} from "../src/index.js"
import { hashOf } from "./helpers.js"
import { body, TestClient } from "./streamerClient.js"

/** Every key path of a JSON value, arrays as `[]`. */
const paths = (value: unknown, prefix = "", out = new Set<string>()): Set<string> => {
  if (Array.isArray(value)) for (const item of value) paths(item, `${prefix}[]`, out)
  else if (typeof value === "object" && value !== null)
    for (const [key, child] of Object.entries(value)) {
      out.add(`${prefix}.${key}`)
      paths(child, `${prefix}.${key}`, out)
    }
  return out
}

/** Key paths the real captures show, per message type. */
const captured = new Map<string, Set<string>>()
for (const sample of acctActivitySamples()) {
  const known = captured.get(sample.messageType) ?? new Set<string>()
  paths(JSON.parse(sample.frame["3"]), "", known)
  captured.set(sample.messageType, known)
}

/**
 * Paths the sandbox writes that no capture has, each for a stated reason: a partial
 * fill's non-zero leaves (no public capture has a partial fill), and the reject's
 * validation detail (no capture either; LEAN's reading, streamer.md §4).
 */
const NOT_CAPTURED = new Set([
  ".BaseEvent.OrderFillCompletedEventOrderLegQuantityInfo.QuantityInfo.LeavesQuantity.lo",
  ".BaseEvent.OrderUROutCompletedEvent.ValidationDetail",
  ".BaseEvent.OrderUROutCompletedEvent.ValidationDetail[].NgOMSRuleName",
  ".BaseEvent.OrderUROutCompletedEvent.ValidationDetail[].NgOMSRuleDescription"
])

// The one ChangeCreated capture is an option's; its order document is OrderCreated's, so
// an equity replacement may use what the equity OrderCreated captures show.
for (const path of captured.get("OrderCreated") ?? [])
  captured
    .get("ChangeCreated")
    ?.add(path.replace("OrderCreatedEventEquityOrder", "ChangeCreatedEventEquityOrder"))

let sandbox: Sandbox
let client: TestClient
let orderIds: ReadonlyArray<string>
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 29 })
  client = await TestClient.connect(sandbox)
  await client.ready()
  const hash = hashOf(sandbox)
  orderIds = [
    sandbox.seedOrder(hash, { symbol: "AAPL", quantity: 7, price: "150.1234" }, fillsInLegs(3, 500)),
    sandbox.seedOrder(hash, { symbol: "MSFT", quantity: "2.5", price: "10" }, fillInOneActivity(3)),
    sandbox.seedOrder(
      hash,
      { symbol: "AMD", quantity: 4, price: "99.99", instruction: "SELL" },
      partialThenCancel({ cancelAfterMs: 700 })
    ),
    sandbox.seedOrder(
      hash,
      { symbol: "TSLA", quantity: 1, price: "200" },
      replace(fillsInLegs(1, 0), { afterMs: 300 })
    ),
    sandbox.seedOrder(
      hash,
      { symbol: "F", quantity: 3, price: "11.5" },
      reject("Insufficient buying power", { afterMs: 100 })
    ),
    sandbox.seedOrder(hash, { symbol: "GE", quantity: 3, price: "120" }, expire({ afterMs: 900 }))
  ]
  for (let i = 0; i < 10; i++) sandbox.advance(100)
  const before = client.notifies().length
  sandbox.streamer.heartbeat()
  await client.until(() => client.notifies().length > before)
})
afterAll(async () => {
  client.close()
  await sandbox.close()
})

describe("the sandbox's frames, read by the domain's streamer codecs", () => {
  it("every frame decodes, with no unknown kind and no unreadable item", () => {
    const kinds = new Set<string>()
    for (const text of client.texts) {
      const decoded = decodeStreamerMessage(text)
      expect(decoded._tag).toBe("Right")
      if (decoded._tag === "Left") continue
      for (const item of decoded.right) {
        kinds.add(item._tag)
        expect(item._tag).not.toBe("Unknown")
      }
    }
    expect(kinds).toEqual(new Set(["Response", "Data", "Heartbeat"]))
    for (const item of client.items()) {
      const read = decodeActivityItem(item)
      expect(read._tag === "Activity" || read._tag === "Subscribed").toBe(true)
      if (read._tag !== "Activity") continue
      expect(read.event.type).not.toBe("Unreadable")
      if (read.event.type === "Other") expect(read.event.known).toBe(true)
    }
  })

  it("the streamed executions are REST's fills, exactly", () => {
    const streamed = new Map<string, Array<string>>()
    for (const item of client.items()) {
      const read = decodeActivityItem(item)
      if (read._tag !== "Activity" || read.event.type !== "OrderFillCompleted") continue
      const fills = streamed.get(read.orderId) ?? []
      fills.push(
        `${Decimal.format(read.event.execution.quantity)}@${Decimal.format(read.event.execution.price)}`
      )
      streamed.set(read.orderId, fills)
    }
    const ids = [...orderIds, sandbox.truth(orderIds[3] ?? "").replacedBy ?? ""]
    for (const orderId of ids) {
      const rest = sandbox
        .truth(orderId)
        .fills.map(
          (fill) =>
            `${Decimal.format(Decimal.fromString(fill.quantity) ?? Decimal.zero)}@${Decimal.format(Decimal.fromString(fill.price) ?? Decimal.zero)}`
        )
      expect(streamed.get(orderId) ?? []).toEqual(rest)
    }
    expect([...streamed.values()].flat().length).toBeGreaterThanOrEqual(8)
  })

  it("bodies use only key paths the real captures have, per message type", () => {
    for (const item of client.activity()) {
      const known = captured.get(item["2"])
      expect(known, item["2"]).toBeDefined()
      const extra = [...paths(body(item))].filter((path) => !known?.has(path) && !NOT_CAPTURED.has(path))
      expect(extra, item["2"]).toEqual([])
    }
  })

  it("covers every lifecycle message type the captures show", () => {
    expect(new Set(client.activity().map((item) => item["2"]))).toEqual(new Set(captured.keys()))
  })
})
