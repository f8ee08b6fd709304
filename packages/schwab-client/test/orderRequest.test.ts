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
    const base = "https://api.schwabapi.com/trader/v1"
    expect(orderIdFromLocation(`${base}/accounts/ABC/orders/9223372036854775807`, base, "ABC")).toEqual(
      Either.right("9223372036854775807")
    )
    expect(orderIdFromLocation("/trader/v1/accounts/ABC/orders/1004/", base, "ABC")).toEqual(
      Either.right("1004")
    )
    expect(orderIdFromLocation(`${base}/accounts/A%2FB/orders/7`, base, "A/B")).toEqual(Either.right("7"))
  })

  it("refuses a Location that is missing or names no order of this API and account", () => {
    const base = "https://api.schwabapi.com/trader/v1"
    const refused: ReadonlyArray<[string | undefined, string]> = [
      [undefined, "no Location"],
      ["", "no Location"],
      ["   ", "no Location"],
      [`${base}/accounts/ABC/orders`, "not an order of this API"],
      [`${base}/accounts/ABC/orders/12x`, "does not end in an order id"],
      [`${base}/accounts/ABC/orders/99999999999999999999`, "does not end in an order id"],
      ["https://api.schwabapi.example/trader/v1/accounts/ABC/orders/1004", "another host"],
      ["http://api.schwabapi.com/trader/v1/accounts/ABC/orders/1004", "another host"],
      [`${base}/accounts/OTHER/orders/1004`, "another account"],
      ["https://api.schwabapi.com/marketdata/v1/accounts/ABC/orders/1004", "not an order of this API"],
      [`${base}/accounts/ABC/positions/1004`, "does not end in an order id"],
      ["http://[::1", "not a URL"]
    ]
    for (const [location, why] of refused) {
      const read = orderIdFromLocation(location, base, "ABC")
      expect(Either.isLeft(read) && read.left, String(location)).toContain(why)
    }
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
