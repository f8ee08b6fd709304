import fc from "fast-check"
import * as E from "fp-ts/lib/Either.js"
import { describe, expect, it } from "vitest"
import {
  type ActivityItem,
  type ActivityMessage,
  Decimal as D,
  decodeActivityItem,
  decodeStreamerMessage,
  KNOWN_ACTIVITY_TYPES
} from "../../src/index.js"
import { acctActivitySamples, sampleMessage } from "../../src/testing/index.js"
import { numRuns } from "../schwab/arbitraries.js"

const samples = acctActivitySamples()

const activity = (item: ActivityItem): ActivityMessage => {
  if (item._tag !== "Activity") throw new Error(`expected an Activity, got ${JSON.stringify(item)}`)
  return item
}

/** The item a rebuilt wire message carries, read through both decoders. */
const itemOf = (message: string): ActivityItem => {
  const items = decodeStreamerMessage(message)
  if (E.isLeft(items)) throw new Error(items.left.message)
  const [data] = items.right
  if (data?._tag !== "Data") throw new Error("expected a data item")
  return decodeActivityItem(data.content[0])
}

const byType = (type: string) => samples.filter((s) => s.messageType === type)
const first = (type: string) => {
  const s = byType(type)[0]
  if (s === undefined) throw new Error(`no ${type} sample`)
  return s
}

describe("decodeActivityItem on the real captures", () => {
  it("reads every sample as an Activity of its type with its order id as digits and a known type", () => {
    expect(samples).toHaveLength(57)
    for (const s of samples) {
      const a = activity(itemOf(sampleMessage(s)))
      expect(a.messageType).toBe(s.messageType)
      expect(a.seq).toBe(s.frame.seq)
      expect(a.orderId).toMatch(/^[0-9]+$/)
      expect(a.accountNumber).toMatch(/^[0-9]+$/)
      expect(a.event.type, s.messageType).not.toBe("Unreadable")
      expect(KNOWN_ACTIVITY_TYPES.has(a.messageType)).toBe(true)
    }
  })

  it("keeps a real order id as published (CrowMother log, 2024-07-11)", () => {
    const fill = activity(
      itemOf(sampleMessage(byType("OrderFillCompleted").find((s) => s.source.startsWith("CrowMother"))!))
    )
    expect(fill.orderId).toMatch(/^1000979\d{6}$/)
  })

  it("reads an execution's exact amounts and ids (AAPL 1 @ 213.4091, Schwabdev 2025)", () => {
    const fill = activity(itemOf(sampleMessage(first("OrderFillCompleted"))))
    if (fill.event.type !== "OrderFillCompleted") throw new Error(fill.event.type)
    expect(D.format(fill.event.execution.price)).toBe("213.4091")
    expect(D.format(fill.event.execution.quantity)).toBe("1")
    expect(D.format(fill.event.averagePrice!)).toBe("213.4091")
    expect(D.format(fill.event.leavesQuantity!)).toBe("0")
    expect(fill.event.execution.executionId).toBe("20250320-EST-ngOMS-77777777")
    expect(fill.event.execution.time).toBe("2025-03-20 13:43:45.620")
    expect(fill.event.execution.transType).toBe("Fill")
    expect(fill.event.legSubStatus).toBe("LegSubStatusFilled")
  })

  it("reads the cancel-out and the unfilled remainder (AMD cancel, Schwabdev Dec 2025)", () => {
    const out = activity(itemOf(sampleMessage(first("ExecutionCreated"))))
    if (out.event.type !== "ExecutionCreated") throw new Error(out.event.type)
    expect(out.event.transType).toBe("UROut")
    expect(out.event.cancelType).toBe("ClientCancel")
    const done = activity(itemOf(sampleMessage(first("OrderUROutCompleted"))))
    if (done.event.type !== "OrderUROutCompleted") throw new Error(done.event.type)
    expect(D.format(done.event.cancelQuantity!)).toBe("1")
    expect(D.format(done.event.leavesQuantity!)).toBe("0")
    expect(done.event.legSubStatus).toBe("LegSubStatusCancelled")
    expect(done.event.executionId).toBe(out.event.executionId)
  })

  it("names the order a replacement replaces", () => {
    const change = activity(itemOf(sampleMessage(first("ChangeCreated"))))
    if (change.event.type !== "ChangeCreated") throw new Error(change.event.type)
    expect(change.orderId).toBe("1000979954776")
    expect(change.event.parentOrderId).toBe("1000979954762")
  })

  it("gives the log's doubled events (same data, other seq, sometimes interleaved) one content key, and different events different keys", () => {
    const log = samples.filter((s) => s.source.startsWith("CrowMother"))
    const read = log.map((s) => activity(itemOf(sampleMessage(s))))
    let doubled = 0
    for (const [i, s] of log.entries())
      for (const [j, other] of log.entries()) {
        if (j <= i) continue
        const same = s.frame["3"] === other.frame["3"]
        if (same) doubled += 1
        expect(read[i]?.contentKey === read[j]?.contentKey, `${s.frame.seq} vs ${other.frame.seq}`).toBe(same)
      }
    expect(doubled).toBe(23)
  })
})

describe("decodeActivityItem on what the captures do not show", () => {
  it("reads SUBSCRIBED, a plain-text notice and an unknown type without failing", () => {
    expect(
      decodeActivityItem({ seq: 0, key: "Account Activity", "1": "", "2": "SUBSCRIBED", "3": "" })
    ).toEqual({
      _tag: "Subscribed",
      seq: 0
    })
    expect(decodeActivityItem({ seq: 4, key: "k", "1": "", "2": "", "3": "Feature not supported" })).toEqual({
      _tag: "Notice",
      seq: 4,
      messageType: "",
      text: "Feature not supported"
    })
    const unknown = activity(
      decodeActivityItem({
        seq: 5,
        key: "k",
        "1": "12345678",
        "2": "OrderMonitorCreated",
        "3": JSON.stringify({ SchwabOrderID: "1000979954776", AccountNumber: "12345678", BaseEvent: {} })
      })
    )
    expect(unknown.event).toEqual({ type: "Other", known: false })
  })

  it("keeps the order id of an execution whose amounts it refuses, and says why without the account", () => {
    const s = first("OrderFillCompleted")
    const bad = s.frame["3"].replace(
      '"ExecutionPrice":{"lo":"213409100"',
      '"ExecutionPrice":{"hi":"1","lo":"213409100"'
    )
    expect(bad).not.toBe(s.frame["3"])
    const a = activity(decodeActivityItem({ ...s.frame, "3": bad }))
    expect(a.event.type).toBe("Unreadable")
    if (a.event.type !== "Unreadable") return
    expect(a.event.reason).toContain("ExecutionInfo.ExecutionPrice")
    expect(a.event.reason).toContain('"hi"')
    expect(a.event.reason).not.toContain("77777777")
  })

  it("refuses an order id that is not int64 digits and an account that is not digits, naming neither value", () => {
    const s = first("OrderAccepted")
    const numeric = decodeActivityItem({
      ...s.frame,
      "3": s.frame["3"].replace(/"SchwabOrderID":"(\d+)"/, '"SchwabOrderID":$1')
    })
    expect(activity(numeric).orderId).toMatch(/^\d+$/)
    const masked = decodeActivityItem({
      ...s.frame,
      "3": s.frame["3"].replaceAll(/"SchwabOrderID":"\d+"/g, '"SchwabOrderID":"#1"')
    })
    expect(masked).toMatchObject({ _tag: "Unreadable", reason: "SchwabOrderID is not an order id" })
    const account = decodeActivityItem({ ...s.frame, "1": "AB-99" })
    expect(account).toMatchObject({ _tag: "Unreadable", reason: "the account number is not digits" })
    expect(JSON.stringify(account)).not.toContain("AB-99")
    expect(decodeActivityItem({ ...s.frame, seq: -1 })).toMatchObject({ _tag: "Unreadable" })
    expect(decodeActivityItem("nope")).toMatchObject({ _tag: "Unreadable" })
  })

  it("never throws, whatever the item", () => {
    const s = first("OrderFillCompleted")
    fc.assert(
      fc.property(fc.anything(), fc.string(), (u, text) => {
        decodeActivityItem(u)
        decodeActivityItem({ ...s.frame, "3": text })
        decodeActivityItem({ ...s.frame, "3": s.frame["3"].slice(0, text.length * 40) })
      }),
      { numRuns }
    )
  })
})
