import { describe, expect, it } from "@effect/vitest"
import { Decimal, type Shares, type TickerSymbol } from "@fill-tracker/domain"
import * as Either from "effect/Either"
import { checkListQuery, orderBody, orderIdFromLocation, schwabTime } from "../src/internal/orderRequest.js"

const DAY = 86_400_000

describe("orderRequest", () => {
  it("writes times exactly as yyyy-MM-dd'T'HH:mm:ss.SSSZ", () => {
    expect(schwabTime(new Date("2025-08-29T00:00:00Z"))).toBe("2025-08-29T00:00:00.000Z")
    expect(schwabTime(new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 6)))).toBe("2025-01-02T03:04:05.006Z")
  })

  it("writes a MARKET/DAY/NORMAL/SINGLE whole-share equity order", () => {
    const body = orderBody({
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
        orderBody({
          symbol: "A" as TickerSymbol,
          shares: Decimal.fromString("0.5") as Shares,
          direction: "BUY"
        })
      )
    ).toBe(true)
    expect(
      Either.isLeft(
        orderBody({ symbol: "A" as TickerSymbol, shares: Decimal.zero as Shares, direction: "BUY" })
      )
    ).toBe(true)
  })

  it("writes each order type with its prices from their exact digits, and the duration and session asked for", () => {
    const entry = {
      symbol: "AAPL" as TickerSymbol,
      shares: Decimal.fromBigInt(10n) as Shares,
      direction: "SELL_SHORT" as const
    }
    const dec = (s: string) => Decimal.fromString(s) as Decimal.Decimal
    const body = orderBody({
      ...entry,
      orderType: "STOP_LIMIT",
      price: dec("150.25"),
      stopPrice: dec("0.1234"),
      duration: "GOOD_TILL_CANCEL",
      session: "NORMAL"
    })
    // The text itself: a float would write 0.1234 fine but lose digits elsewhere; the digits are copied.
    expect(Either.getOrThrow(body)).toContain('"price":150.25,"stopPrice":0.1234,')
    expect(Either.map(body, JSON.parse)).toEqual(
      Either.right({
        orderType: "STOP_LIMIT",
        session: "NORMAL",
        duration: "GOOD_TILL_CANCEL",
        price: 150.25,
        stopPrice: 0.1234,
        orderStrategyType: "SINGLE",
        orderLegCollection: [
          { instruction: "SELL_SHORT", quantity: 10, instrument: { symbol: "AAPL", assetType: "EQUITY" } }
        ]
      })
    )
    const limit = orderBody({ ...entry, orderType: "LIMIT", price: dec("9999999.99"), session: "SEAMLESS" })
    expect(Either.getOrThrow(limit)).toContain('"session":"SEAMLESS","duration":"DAY","price":9999999.99,')
  })

  it("refuses terms that are not an order, naming each field, before any body exists", () => {
    const entry = {
      symbol: "AAPL" as TickerSymbol,
      shares: Decimal.fromBigInt(1n) as Shares,
      direction: "BUY" as const
    }
    const dec = (s: string) => Decimal.fromString(s) as Decimal.Decimal
    const refused = (order: Parameters<typeof orderBody>[0]) =>
      Either.getLeft(orderBody(order)).pipe((o) => (o._tag === "Some" ? o.value : ""))
    expect(refused({ ...entry, orderType: "LIMIT" })).toMatch(/^price is required/)
    expect(refused({ ...entry, price: dec("10") })).toMatch(/^price is not allowed on a MARKET order/)
    expect(refused({ ...entry, orderType: "STOP" })).toMatch(/^stopPrice is required/)
    expect(refused({ ...entry, orderType: "LIMIT", price: dec("10.001") })).toMatch(
      /^price must be in whole cents/
    )
    expect(refused({ ...entry, orderType: "STOP", stopPrice: dec("-1") })).toMatch(
      /^stopPrice must be more than 0/
    )
    expect(refused({ ...entry, session: "AM" })).toMatch(
      /^session AM \(extended hours\) takes LIMIT orders only/
    )
    // A caller outside TypeScript.
    expect(refused({ ...entry, orderType: "TRAILING_STOP" as "STOP" })).toMatch(
      /^orderType must be one of MARKET, LIMIT, STOP, STOP_LIMIT, not "TRAILING_STOP"/
    )
    expect(refused({ ...entry, duration: "UNKNOWN" as "DAY" })).toMatch(
      /^duration must be one of DAY, .*, not "UNKNOWN"/
    )
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
