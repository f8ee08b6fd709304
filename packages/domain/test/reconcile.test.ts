import { describe, expect, it } from "vitest"
import type { Filled, Replaced, TradeEvent } from "../src/Events.js"
import { fold } from "../src/evolve.js"
import type { TickerSymbol } from "../src/ids.js"
import {
  at,
  dec,
  EXECUTION_ID,
  execution,
  fill,
  leg,
  legFilled,
  NOW,
  ORDER_ID,
  order,
  orderId,
  status,
  submitted
} from "./testing/build.js"
import { given } from "./testing/spec.js"

const ofType = <T extends TradeEvent["type"]>(events: ReadonlyArray<TradeEvent>, type: T) =>
  events.filter((e): e is Extract<TradeEvent, { type: T }> => e.type === type)

describe("reconcile: fills and Filled", () => {
  it("records one fill and closes the execution when Schwab says FILLED", () => {
    given(submitted())
      .when(
        order({
          status: status("FILLED"),
          filledQuantity: dec("100"),
          closeTime: at("17:15:19"),
          activities: [fill("88001", { legId: "1", quantity: "100", price: "150.25", time: "17:15:18" })]
        })
      )
      .thenEvents([
        legFilled("88001:0", "100", "150.25", "17:15:18"),
        {
          type: "Filled",
          executionId: EXECUTION_ID,
          orderId: ORDER_ID,
          filledShares: dec("100"),
          notional: dec("15025"),
          averagePrice: dec("150.25"),
          priceCents: 15025n,
          closedAt: at("17:15:19"),
          legs: [
            {
              legId: "1",
              filledQuantity: dec("100"),
              notional: dec("15025"),
              averagePrice: dec("150.25"),
              priceCents: 15025n,
              symbol: "AAPL" as TickerSymbol,
              instruction: "BUY"
            }
          ]
        }
      ])
  })

  it("orders fills across several activities by broker time, not array position", () => {
    const events = given(submitted())
      .when(
        order({
          status: status("FILLED"),
          closeTime: at("17:20:00"),
          activities: [
            fill("88003", { legId: "1", quantity: "50", price: "22.7299", time: "17:19:00" }),
            fill("88001", { legId: "1", quantity: "20", price: "22.71", time: "17:15:18" }),
            fill(
              "88002",
              { legId: "1", quantity: "10", price: "22.72", time: "17:16:00" },
              { legId: "1", quantity: "20", price: "22.7250", time: "17:16:00" }
            )
          ]
        })
      )
      .events()
    expect(ofType(events, "LegFilled").map((f) => f.fillKey)).toEqual([
      "88001:0",
      "88002:0",
      "88002:1",
      "88003:0"
    ])
    const [filled] = ofType(events, "Filled")
    // 20×22.71 + 10×22.72 + 20×22.725 + 50×22.7299 = 2272.395 over 100 shares.
    expect(filled?.notional).toEqual(dec("2272.395"))
    expect(filled?.averagePrice).toEqual(dec("22.72395"))
    expect(filled?.priceCents).toBe(2272n)
  })

  it("waits when Schwab says FILLED before all fills are listed", () => {
    given(submitted())
      .when(
        order({
          status: status("FILLED"),
          filledQuantity: dec("100"),
          activities: [fill("88001", { legId: "1", quantity: "60", price: "10", time: "17:15:18" })]
        })
      )
      .thenEvents([legFilled("88001:0", "60", "10", "17:15:18")])
  })

  it("is idempotent: the same snapshot twice yields nothing new", () => {
    const snapshot = order({
      status: status("WORKING"),
      activities: [fill("88001", { legId: "1", quantity: "60", price: "10", time: "17:15:18" })]
    })
    const first = given(submitted()).when(snapshot).events()
    given(submitted(), ...first)
      .when(snapshot)
      .thenNothingHappened()
  })

  it("keeps half-cent averages exact and rounds them half-up once, in each direction", () => {
    const closeWith = (...legs: ReadonlyArray<[string, string]>) =>
      ofType(
        given(submitted())
          .when(
            order({
              status: status("FILLED"),
              quantity: dec(String(legs.reduce((n, [q]) => n + Number(q), 0))),
              legs: [leg({ quantity: dec(String(legs.reduce((n, [q]) => n + Number(q), 0))) })],
              closeTime: at("17:30:00"),
              activities: legs.map(([q, p], i) =>
                fill(String(9000 + i), { legId: "1", quantity: q, price: p, time: `17:1${i}:00` })
              )
            })
          )
          .events(),
        "Filled"
      )[0]
    // exactly half a cent: up
    expect(closeWith(["1", "150.24"], ["1", "150.25"])).toMatchObject({
      averagePrice: dec("150.245"),
      priceCents: 15025n
    })
    expect(closeWith(["1", "0.12"], ["1", "0.13"])).toMatchObject({
      averagePrice: dec("0.125"),
      priceCents: 13n
    })
    // just under half a cent: down
    expect(closeWith(["1", "150.2449"], ["1", "150.2449"])).toMatchObject({
      averagePrice: dec("150.2449"),
      priceCents: 15024n
    })
    // a repeating average: 450.73 / 3 = 150.24333…, kept to 12 digits, cents down
    expect(closeWith(["2", "150.24"], ["1", "150.25"])).toMatchObject({
      averagePrice: dec("150.243333333333"),
      priceCents: 15024n
    })
  })

  it("never counts CANCELED or other non-FILL executions", () => {
    given(submitted())
      .when(
        order({
          status: status("WORKING"),
          activities: [
            execution("CANCELED", "88009", { legId: "1", quantity: "40", price: "0", time: "17:16:00" }),
            execution(undefined, "88010", { legId: "1", quantity: "5", price: "10", time: "17:16:01" }),
            execution("SOMETHING_ELSE", "88011", {
              legId: "1",
              quantity: "5",
              price: "10",
              time: "17:16:02"
            }),
            fill("88001", { legId: "1", quantity: "60", price: "10", time: "17:15:18" })
          ]
        })
      )
      .thenEvents([legFilled("88001:0", "60", "10", "17:15:18")])
  })

  it("derives a stable key without activityId, counting identical executions apart", () => {
    const same = { legId: "1", quantity: "10", price: "10.5", time: "17:15:18" }
    const events = given(submitted())
      .when(order({ activities: [fill(null, same), fill(null, same)] }))
      .events()
    const key = "leg=1;t=2025-08-29T17:15:18.000Z;q=10;p=10.5;i=0"
    expect(ofType(events, "LegFilled").map((f) => f.fillKey)).toEqual([key, `${key}#2`])
  })

  it("takes a leg's broker time, else the order's closeTime, then enteredTime, then now", () => {
    const noTime = fill("88001", { legId: "1", quantity: "1", price: "10" })
    const timeOf = (o: ReturnType<typeof order>) =>
      ofType(given(submitted()).when(o).events(), "LegFilled")[0]
    expect(timeOf(order({ activities: [noTime], closeTime: at("18:00:00") }))?.executedAt).toBe(
      at("18:00:00")
    )
    expect(timeOf(order({ activities: [noTime] }))?.executedAt).toBe(at("17:00:01"))
    const { enteredTime: _, ...bare } = order({ activities: [noTime] })
    expect(timeOf(bare)?.executedAt).toBe(NOW)
  })
})

describe("reconcile: failures and replacements", () => {
  it("partial then cancel keeps the executed shares and their price", () => {
    const events = given(submitted(), legFilled("88001:0", "30", "150.25", "17:15:18"))
      .when(
        order({
          status: status("CANCELED"),
          filledQuantity: dec("30"),
          closeTime: at("17:40:00"),
          statusDescription: "Order canceled by user",
          activities: [
            execution("CANCELED", "88002", { legId: "1", quantity: "70", price: "0.0", time: "17:40:00" }),
            fill("88001", { legId: "1", quantity: "30", price: "150.25", time: "17:15:18" })
          ]
        })
      )
      .events()
    expect(events).toEqual([
      {
        type: "Failed",
        executionId: EXECUTION_ID,
        orderId: ORDER_ID,
        brokerStatus: "CANCELED",
        reason: "Order canceled by user",
        filledShares: dec("30"),
        notional: dec("4507.5"),
        averagePrice: dec("150.25"),
        priceCents: 15025n,
        failedAt: at("17:40:00"),
        legs: [expect.objectContaining({ legId: "1", filledQuantity: dec("30"), priceCents: 15025n })]
      }
    ])
  })

  it("records fills seen with the cancel first, and waits while filledQuantity is ahead of the fills", () => {
    const snapshot = (filledQuantity: string) =>
      order({
        status: status("CANCELED"),
        filledQuantity: dec(filledQuantity),
        activities: [fill("88001", { legId: "1", quantity: "30", price: "10", time: "17:15:18" })]
      })
    given(submitted())
      .when(snapshot("40"))
      .thenEvents([legFilled("88001:0", "30", "10", "17:15:18")])
    const events = given(submitted()).when(snapshot("30")).events()
    expect(events.map((e) => e.type)).toEqual(["LegFilled", "Failed"])
    expect(ofType(events, "Failed")[0]?.reason).toBe("Schwab reported the order CANCELED")
  })

  it("rejected with a description becomes the reason; nothing executed, no price", () => {
    given(submitted())
      .when(
        order({
          status: status("REJECTED"),
          closeTime: at("17:00:02"),
          statusDescription: "Insufficient buying power"
        })
      )
      .thenEvents([
        {
          type: "Failed",
          executionId: EXECUTION_ID,
          orderId: ORDER_ID,
          brokerStatus: "REJECTED",
          reason: "Insufficient buying power",
          filledShares: dec("0"),
          failedAt: at("17:00:02"),
          legs: []
        }
      ])
  })

  it("EXPIRED fails with a default reason and the latest fill time when closeTime is missing", () => {
    const events = given(submitted())
      .when(
        order({
          status: status("EXPIRED"),
          activities: [fill("88001", { legId: "1", quantity: "5", price: "10", time: "19:59:00" })]
        })
      )
      .events()
    expect(ofType(events, "Failed")[0]).toMatchObject({
      reason: "Schwab reported the order EXPIRED",
      failedAt: at("19:59:00"),
      filledShares: dec("5")
    })
  })

  it("replaced then filled on the replacement: one execution across both orders", () => {
    const replacementId = orderId("1003931002")
    const replacedSnapshot = order({
      status: status("REPLACED"),
      closeTime: at("17:20:00"),
      activities: [fill("88001", { legId: "1", quantity: "40", price: "10.00", time: "17:15:00" })],
      replacingOrders: [order({ orderId: replacementId, quantity: dec("60") })]
    })
    const first = given(submitted()).when(replacedSnapshot).events()
    expect(first).toEqual([
      legFilled("88001:0", "40", "10.00", "17:15:00"),
      {
        type: "Replaced",
        executionId: EXECUTION_ID,
        orderId: ORDER_ID,
        replacementOrderId: replacementId,
        replacedAt: at("17:20:00")
      } satisfies Replaced
    ])
    const history = [submitted(), ...first]
    expect(fold(history)).toMatchObject({ status: "Submitted", orderId: replacementId })
    // the same REPLACED snapshot again changes nothing; a late fill on it is still recorded
    given(...history)
      .when(replacedSnapshot)
      .thenNothingHappened()
    given(...history)
      .when({
        ...replacedSnapshot,
        activities: [
          ...replacedSnapshot.activities,
          fill("88002", { legId: "1", quantity: "1", price: "10.00", time: "17:19:00" })
        ]
      })
      .thenEvents([legFilled("88002:0", "1", "10.00", "17:19:00")])
    // an order that neither is followed nor names the followed one as its replacement is refused
    given(...history)
      .when(order({ status: status("REPLACED") }))
      .thenInconsistent("OrderMismatch")
    const second = given(...history)
      .when(
        order({
          orderId: replacementId,
          status: status("FILLED"),
          quantity: dec("60"),
          legs: [leg({ quantity: dec("60") })],
          closeTime: at("17:25:00"),
          activities: [fill("88101", { legId: "1", quantity: "60", price: "10.05", time: "17:24:00" })]
        })
      )
      .events()
    expect(second.map((e) => e.type)).toEqual(["LegFilled", "Filled"])
    expect(ofType(second, "Filled")[0]).toMatchObject({
      orderId: replacementId,
      filledShares: dec("100"),
      notional: dec("1003"),
      averagePrice: dec("10.03"),
      priceCents: 1003n
    } satisfies Partial<Filled>)
  })

  it("a replaced order naming no readable replacement is looked for in the list; none after the search time fails saying so", () => {
    const { orderId: _, ...noId } = order()
    const replaced = order({
      status: status("REPLACED"),
      closeTime: at("17:20:00"),
      statusDescription: "Replaced via app",
      replacingOrders: [noId]
    })
    // Within the search time with nothing listed: still open, nothing decided.
    given(submitted())
      .when(replaced, { now: at("17:21:00") })
      .thenNothingHappened()
    const events = given(submitted())
      .when(replaced, { now: at("17:26:00") })
      .events()
    expect(events).toHaveLength(1)
    const failed = ofType(events, "Failed")[0]
    expect(failed?.brokerStatus).toBe("REPLACED")
    expect(failed?.reason).toMatch(
      /REPLACED naming no replacement, and none was found.*closeTime.*Replaced via app/
    )
  })

  it("unknown and unlisted statuses record fills and nothing else", () => {
    for (const value of ["UNKNOWN", "SOMETHING_NEW", "PENDING_CANCEL"]) {
      given(submitted())
        .when(
          order({
            status: status(value),
            activities: [fill("88001", { legId: "1", quantity: "100", price: "10", time: "17:15:18" })]
          })
        )
        .thenEvents([legFilled("88001:0", "100", "10", "17:15:18")])
    }
  })
})

describe("reconcile: multi-leg orders", () => {
  const spread = (over: Parameters<typeof order>[0] = {}) =>
    order({
      quantity: dec("2"),
      orderStrategyType: "SINGLE",
      complexOrderStrategyType: "VERTICAL",
      legs: [
        leg({
          legId: "1",
          instruction: "BUY_TO_OPEN",
          quantity: dec("2"),
          symbol: "SPY   250919C00500000" as TickerSymbol
        }),
        leg({
          legId: "2",
          instruction: "SELL_TO_OPEN",
          quantity: dec("2"),
          symbol: "SPY   250919C00505000" as TickerSymbol
        })
      ],
      ...over
    })
  const pieces = [
    fill(
      "7001",
      { legId: "1", quantity: "1", price: "3.10", time: "17:15:00" },
      { legId: "2", quantity: "1", price: "1.20", time: "17:15:00" }
    ),
    fill("7002", { legId: "1", quantity: "1", price: "3.00", time: "17:16:00" }),
    fill("7003", { legId: "2", quantity: "1", price: "1.30", time: "17:17:00" })
  ]

  it("a spread filled in pieces, one leg split across two executions, reports per leg", () => {
    const events = given(submitted({ symbol: "SPY" as TickerSymbol, shares: dec("2") as never }))
      .when(
        spread({
          status: status("FILLED"),
          filledQuantity: dec("2"),
          closeTime: at("17:18:00"),
          activities: pieces
        })
      )
      .events()
    const fills = ofType(events, "LegFilled")
    expect(fills.map((f) => [f.fillKey, f.legId, f.instruction])).toEqual([
      ["7001:0", "1", "BUY_TO_OPEN"],
      ["7001:1", "2", "SELL_TO_OPEN"],
      ["7002:0", "1", "BUY_TO_OPEN"],
      ["7003:0", "2", "SELL_TO_OPEN"]
    ])
    const filled = ofType(events, "Filled")[0]
    expect(filled?.legs).toEqual([
      {
        legId: "1",
        filledQuantity: dec("2"),
        notional: dec("6.10"),
        averagePrice: dec("3.05"),
        priceCents: 305n,
        symbol: "SPY   250919C00500000",
        instruction: "BUY_TO_OPEN"
      },
      {
        legId: "2",
        filledQuantity: dec("2"),
        notional: dec("2.50"),
        averagePrice: dec("1.25"),
        priceCents: 125n,
        symbol: "SPY   250919C00505000",
        instruction: "SELL_TO_OPEN"
      }
    ])
    // spread units and the net debit per unit, never 4 "shares" summed across legs
    expect(filled).toMatchObject({
      filledShares: dec("2"),
      notional: dec("3.6"),
      averagePrice: dec("1.8"),
      priceCents: 180n
    })
  })

  it("waits while one leg has not filled its quantity, even when FILLED", () => {
    const events = given(submitted())
      .when(spread({ status: status("FILLED"), filledQuantity: dec("2"), activities: pieces.slice(0, 2) }))
      .events()
    expect(events.map((e) => e.type)).toEqual(["LegFilled", "LegFilled", "LegFilled"])
  })

  it("does not band-check leg prices against a spread's net reference price", () => {
    const events = given(submitted({ referencePrice: dec("1.80") }))
      .when(spread({ activities: pieces }))
      .events()
    expect(ofType(events, "FillFlagged")).toEqual([])
  })
})

describe("reconcile: flags", () => {
  it("records an overfill and flags it once", () => {
    const snapshot = order({
      status: status("FILLED"),
      closeTime: at("17:30:00"),
      activities: [
        fill("88001", { legId: "1", quantity: "60", price: "10", time: "17:15:00" }),
        fill("88002", { legId: "1", quantity: "50", price: "10", time: "17:16:00" })
      ]
    })
    const events = given(submitted()).when(snapshot).events()
    expect(events.map((e) => e.type)).toEqual(["LegFilled", "LegFilled", "FillFlagged", "Filled"])
    expect(ofType(events, "FillFlagged")[0]).toMatchObject({
      kind: "Overfill",
      flaggedAt: at("17:16:00"),
      detail: expect.stringContaining("leg 1 filled 110 of 100")
    })
    expect(ofType(events, "Filled")[0]?.filledShares).toEqual(dec("110"))
    given(submitted(), ...events)
      .when(snapshot)
      .thenNothingHappened()
  })

  it("flags a fill outside the band around the reference price, and any price <= 0, keeping the fill", () => {
    const events = given(submitted({ referencePrice: dec("100") }))
      .when(
        order({
          activities: [
            fill("1", { legId: "1", quantity: "1", price: "105", time: "17:15:00" }),
            fill("2", { legId: "1", quantity: "1", price: "94.99", time: "17:15:01" }),
            fill("3", { legId: "1", quantity: "1", price: "0", time: "17:15:02" }),
            fill("4", { legId: "1", quantity: "1", price: "95", time: "17:15:03" })
          ]
        })
      )
      .events()
    expect(events.map((e) => (e.type === "FillFlagged" ? `${e.kind}(${e.fillKey})` : e.type))).toEqual([
      "LegFilled",
      "LegFilled",
      "PriceOutOfBand(2:0)",
      "LegFilled",
      "NonPositivePrice(3:0)",
      "LegFilled"
    ])
    expect(ofType(events, "FillFlagged")[0]).toMatchObject({
      price: dec("94.99"),
      referencePrice: dec("100"),
      flaggedAt: at("17:15:01"),
      detail: expect.stringContaining("±5%")
    })
  })

  it("honours a configured band", () => {
    const snapshot = order({
      activities: [fill("1", { legId: "1", quantity: "1", price: "108", time: "17:15:00" })]
    })
    expect(
      ofType(
        given(submitted({ referencePrice: dec("100") }))
          .when(snapshot, { priceBand: dec("0.1") })
          .events(),
        "FillFlagged"
      )
    ).toEqual([])
  })
})

describe("reconcile: inconsistencies", () => {
  it("Pending has no order to reconcile", () => {
    given().when(order()).thenInconsistent("NotSubmitted")
  })

  it("a snapshot of another order, or of no readable order, is refused", () => {
    expect(
      given(submitted())
        .when(order({ orderId: orderId("42") }))
        .thenInconsistent("OrderMismatch")
    ).toMatchObject({
      expected: ORDER_ID,
      actual: "42"
    })
    const { orderId: _, ...noId } = order()
    given(submitted()).when(noId).thenInconsistent("OrderMismatch")
  })

  it("a recorded fill that now shows another price contradicts history", () => {
    const left = given(submitted(), legFilled("88001:0", "30", "150", "17:15:18"))
      .when(
        order({ activities: [fill("88001", { legId: "1", quantity: "30", price: "151", time: "17:15:18" })] })
      )
      .thenInconsistent("FillContradiction")
    expect(left.message).toContain("88001:0 was recorded as 30 @ 150 but the snapshot shows 30 @ 151")
  })

  it("fewer fills than recorded is not an error while the ones listed agree", () => {
    given(
      submitted(),
      legFilled("88001:0", "30", "150", "17:15:18"),
      legFilled("88002:0", "20", "150", "17:16:00")
    )
      .when(
        order({ activities: [fill("88002", { legId: "1", quantity: "20", price: "150", time: "17:16:00" })] })
      )
      .thenNothingHappened()
  })

  it("the same activity id twice with different contents is refused; identical copies count once", () => {
    const a = { legId: "1", quantity: "30", price: "150", time: "17:15:18" }
    given(submitted())
      .when(order({ activities: [fill("88001", a), fill("88001", { ...a, price: "151" })] }))
      .thenInconsistent("DuplicateFillKey")
    given(submitted())
      .when(order({ activities: [fill("88001", a), fill("88001", a)] }))
      .thenEvents([legFilled("88001:0", "30", "150", "17:15:18")])
  })

  it("a negative fill quantity is refused, a zero one is no fill", () => {
    given(submitted())
      .when(
        order({ activities: [fill("88001", { legId: "1", quantity: "-1", price: "150", time: "17:15:18" })] })
      )
      .thenInconsistent("InvalidFill")
    given(submitted())
      .when(
        order({ activities: [fill("88001", { legId: "1", quantity: "0", price: "150", time: "17:15:18" })] })
      )
      .thenNothingHappened()
  })

  it("a terminal execution accepts the same snapshot and refuses new fills", () => {
    const snapshot = order({
      status: status("CANCELED"),
      activities: [fill("88001", { legId: "1", quantity: "30", price: "10", time: "17:15:18" })]
    })
    const history = [submitted(), ...given(submitted()).when(snapshot).events()]
    expect(fold(history).status).toBe("Failed")
    given(...history)
      .when(snapshot)
      .thenNothingHappened()
    const late = given(...history)
      .when({
        ...snapshot,
        activities: [
          ...snapshot.activities,
          fill("88002", { legId: "1", quantity: "5", price: "10", time: "17:15:19" })
        ]
      })
      .thenInconsistent("FillAfterTerminal")
    expect(late).toMatchObject({ status: "Failed", fillKeys: ["88002:0"] })
  })
})
