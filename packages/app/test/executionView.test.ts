/**
 * How a row reads in `status`: a closed row shows its reason; a working one its open or
 * lapsed replace or cancel (so an operator sees a cancel still unresolved).
 */
import type { AccountHash, ExecutionId, Instant, OrderId, TickerSymbol } from "@fill-tracker/domain"
import type { ExecutionRow } from "@fill-tracker/store"
import { describe, expect, it } from "vitest"
import { rowJson, STATUS_HEADER, statusRow } from "../src/cli/executionView.js"

const working: ExecutionRow = {
  executionId: "bot-1" as ExecutionId,
  status: "SUBMITTED",
  state: "PARTIALLY_FILLED",
  orderId: "1001" as OrderId,
  originalOrderId: "1001" as OrderId,
  accountHash: "HASH" as AccountHash,
  symbol: "AAPL" as TickerSymbol,
  shares: "5",
  direction: "BUY",
  filledShares: "2",
  notional: "300.5",
  averagePrice: "150.25",
  priceCents: 15025n,
  legId: "1",
  legs: null,
  flagCount: 0,
  lastFlagKind: null,
  reason: null,
  brokerStatus: null,
  submittedAt: "2026-12-02T15:00:00.000Z" as Instant,
  executedAt: null,
  failedAt: null,
  streamVersion: 4,
  updatedAt: "2026-12-02T15:00:09.000Z" as Instant,
  request: null,
  requestedAt: null
}

const reasonOf = (row: ExecutionRow) => statusRow(row)[STATUS_HEADER.indexOf("REASON")]

describe("statusRow", () => {
  it("a working row shows its open or lapsed request with its time, and nothing without one", () => {
    expect(reasonOf(working)).toBe("")
    const at = "2026-12-02T15:00:05.000Z" as Instant
    expect(reasonOf({ ...working, request: "CANCEL_REQUESTED", requestedAt: at })).toBe(
      `CANCEL_REQUESTED at ${at}`
    )
    expect(reasonOf({ ...working, request: "REPLACE_LAPSED", requestedAt: at })).toBe(
      `REPLACE_LAPSED at ${at}`
    )
  })

  it("a closed row shows its reason; --json carries the request fields and cents as text", () => {
    const closed: ExecutionRow = {
      ...working,
      status: "FAILED",
      state: "CANCELED",
      reason: "Schwab reported the order CANCELED",
      brokerStatus: "CANCELED",
      failedAt: "2026-12-02T15:01:00.000Z" as Instant
    }
    expect(reasonOf(closed)).toBe("Schwab reported the order CANCELED")
    expect(
      rowJson({ ...working, request: "CANCEL_REQUESTED", requestedAt: working.submittedAt })
    ).toMatchObject({
      request: "CANCEL_REQUESTED",
      requestedAt: working.submittedAt,
      priceCents: "15025"
    })
  })
})
