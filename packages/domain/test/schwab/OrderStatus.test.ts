import fc from "fast-check"
import * as E from "fp-ts/lib/Either.js"
import { describe, expect, it } from "vitest"
import {
  classifyStatus,
  KNOWN_ORDER_STATUSES,
  OrderStatusFromWire,
  orderStatusFromString,
  orderStatusText
} from "../../src/index.js"
import { numRuns } from "./arbitraries.js"

describe("OrderStatusFromWire", () => {
  it("knows all 21 statuses of the spec", () => {
    expect(KNOWN_ORDER_STATUSES).toHaveLength(21)
    for (const s of KNOWN_ORDER_STATUSES)
      expect(OrderStatusFromWire.decode(s)).toEqual(E.right({ _tag: "Known", value: s }))
  })

  it("keeps an unlisted status verbatim instead of failing", () => {
    expect(OrderStatusFromWire.decode("PENDING_SETTLEMENT")).toEqual(
      E.right({ _tag: "Unlisted", value: "PENDING_SETTLEMENT" })
    )
    expect(OrderStatusFromWire.decode("filled")).toEqual(E.right({ _tag: "Unlisted", value: "filled" }))
  })

  it("fails on a value that is not a string", () => {
    expect(E.isLeft(OrderStatusFromWire.decode(3))).toBe(true)
    expect(E.isLeft(OrderStatusFromWire.decode({ status: "FILLED" }))).toBe(true)
  })

  it("property: any string decodes and prints back as itself", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom(...KNOWN_ORDER_STATUSES)), (s) => {
        const status = orderStatusFromString(s)
        expect(OrderStatusFromWire.decode(s)).toEqual(E.right(status))
        expect(orderStatusText(status)).toBe(s)
        expect(OrderStatusFromWire.is(status)).toBe(true)
      }),
      { numRuns }
    )
  })
})

describe("classifyStatus", () => {
  it.each([
    ["AWAITING_PARENT_ORDER", "working"],
    ["AWAITING_CONDITION", "working"],
    ["AWAITING_STOP_CONDITION", "working"],
    ["AWAITING_MANUAL_REVIEW", "working"],
    ["ACCEPTED", "working"],
    ["AWAITING_UR_OUT", "working"],
    ["PENDING_ACTIVATION", "working"],
    ["QUEUED", "working"],
    ["WORKING", "working"],
    ["REJECTED", "terminalFailure"],
    ["PENDING_CANCEL", "working"],
    ["CANCELED", "terminalFailure"],
    ["PENDING_REPLACE", "working"],
    ["REPLACED", "replaced"],
    ["FILLED", "filled"],
    ["EXPIRED", "terminalFailure"],
    ["NEW", "working"],
    ["AWAITING_RELEASE_TIME", "working"],
    ["PENDING_ACKNOWLEDGEMENT", "working"],
    ["PENDING_RECALL", "working"],
    ["UNKNOWN", "unknown"]
  ] as const)("%s is %s", (status, cls) => {
    expect(classifyStatus(orderStatusFromString(status))).toBe(cls)
  })

  it("an unlisted status is unknown", () => {
    expect(classifyStatus({ _tag: "Unlisted", value: "PENDING_SETTLEMENT" })).toBe("unknown")
  })
})
