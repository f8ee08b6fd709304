import { describe, expect, it } from "@effect/vitest"
import { Decimal, type Shares, type TickerSymbol } from "@fill-tracker/domain"
import * as Either from "effect/Either"
import {
  checkListQuery,
  marketOrderBody,
  orderIdFromLocation,
  schwabTime
} from "../src/internal/orderRequest.js"

const DAY = 86_400_000

describe("orderRequest", () => {
  it("writes times exactly as yyyy-MM-dd'T'HH:mm:ss.SSSZ", () => {
    expect(schwabTime(new Date("2025-08-29T00:00:00Z"))).toBe("2025-08-29T00:00:00.000Z")
    expect(schwabTime(new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 6)))).toBe("2025-01-02T03:04:05.006Z")
  })

  it("writes a MARKET/DAY/NORMAL/SINGLE whole-share equity order", () => {
    const body = marketOrderBody({
      symbol: "BRK.B" as TickerSymbol,
      shares: Decimal.fromBigInt(12n) as Shares,
      direction: "SELL"
    })
    expect(Either.map(body, JSON.parse)).toEqual(
      Either.right({
        orderType: "MARKET",
        session: "NORMAL",
        duration: "DAY",
        orderStrategyType: "SINGLE",
        orderLegCollection: [
          { instruction: "SELL", quantity: 12, instrument: { symbol: "BRK.B", assetType: "EQUITY" } }
        ]
      })
    )
    expect(
      Either.isLeft(
        marketOrderBody({
          symbol: "A" as TickerSymbol,
          shares: Decimal.fromString("0.5") as Shares,
          direction: "BUY"
        })
      )
    ).toBe(true)
    expect(
      Either.isLeft(
        marketOrderBody({ symbol: "A" as TickerSymbol, shares: Decimal.zero as Shares, direction: "BUY" })
      )
    ).toBe(true)
  })

  it("reads the order id at the end of Location, keeping every digit", () => {
    expect(
      orderIdFromLocation("https://api.schwabapi.com/trader/v1/accounts/ABC/orders/9223372036854775807")
    ).toEqual(Either.right("9223372036854775807"))
    expect(orderIdFromLocation("/trader/v1/accounts/ABC/orders/1004/")).toEqual(Either.right("1004"))
    expect(Either.isLeft(orderIdFromLocation(undefined))).toBe(true)
    expect(Either.isLeft(orderIdFromLocation(""))).toBe(true)
    expect(Either.isLeft(orderIdFromLocation("/trader/v1/accounts/ABC/orders"))).toBe(true)
  })

  it("accepts a window of up to 60 days, from before to, and a positive maxResults", () => {
    const to = new Date("2025-08-29T00:00:00Z")
    expect(Either.isRight(checkListQuery({ from: new Date(to.getTime() - 60 * DAY), to }))).toBe(true)
    expect(Either.isRight(checkListQuery({ from: to, to, maxResults: 1 }))).toBe(true)
    expect(Either.isLeft(checkListQuery({ from: new Date(to.getTime() - 60 * DAY - 1), to }))).toBe(true)
    expect(Either.isLeft(checkListQuery({ from: new Date(to.getTime() + 1), to }))).toBe(true)
    expect(Either.isLeft(checkListQuery({ from: new Date(Number.NaN), to }))).toBe(true)
    expect(Either.isLeft(checkListQuery({ from: to, to, maxResults: 0 }))).toBe(true)
    expect(Either.isLeft(checkListQuery({ from: to, to, maxResults: 1.5 }))).toBe(true)
  })
})
