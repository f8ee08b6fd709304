/**
 * placeOrder's order terms against the sandbox: LIMIT, STOP and STOP_LIMIT orders with
 * their prices, durations and sessions are recorded in full and sent as asked; terms that
 * are not an order are refused naming the field with nothing recorded or sent; a lost
 * answer for a LIMIT order is found as that order, never as a MARKET order beside it.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { Decimal, type ExecutionId } from "@fill-tracker/domain"
import { fillsInLegs, realClock, type Sandbox, startSandbox, working } from "@fill-tracker/schwab-sandbox"
import { EventStore } from "@fill-tracker/store"
import { Effect, Either, Option } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import type { AppConfig } from "../src/config/AppConfig.js"
import { runCycleOnce } from "../src/poller/Poller.js"
import { FillTracker } from "../src/tracker/FillTracker.js"
import type { PlacementInput } from "../src/tracker/Placement.js"
import { accountOf, authorize, cycleOptions, runApp, tempDir, testConfig } from "./support.js"

let dir: string
let sandbox: Sandbox
let config: AppConfig

beforeEach(async () => {
  dir = tempDir("place-terms")
  sandbox = await startSandbox({ seed: 8, clock: realClock() })
  config = testConfig(sandbox, path.join(dir, "fills.db"))
})
afterEach(async () => {
  await sandbox.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const withApp = <A, E>(program: Parameters<typeof runApp<A, E>>[1]) =>
  runApp(config, Effect.zipRight(authorize(sandbox), program))

const order = (overrides: Record<string, unknown> = {}) =>
  ({
    accountHash: accountOf(sandbox),
    symbol: "AAPL",
    shares: 10,
    direction: "BUY",
    ...overrides
  }) as PlacementInput

const place = (executionId: string, o: PlacementInput) =>
  Effect.flatMap(FillTracker, (t) => t.placeOrder(executionId, o))

const intentOf = (executionId: string) =>
  Effect.flatMap(EventStore, (s) => s.readStream(executionId as ExecutionId)).pipe(
    Effect.map((stream) => stream.events.map((r) => r.event))
  )

const placed = () => sandbox.placements().filter((p) => p.via === "place")
const schwabOrder = (orderId: string | null | undefined) =>
  JSON.parse(sandbox.orderJson(orderId ?? "")) as Record<string, unknown>

describe("placeOrder terms", () => {
  it("LIMIT, STOP and STOP_LIMIT are recorded in full and sent as asked", async () => {
    sandbox.scriptNext(working(), working(), working())
    const terms = [
      { orderType: "LIMIT", price: "150.25", duration: "GOOD_TILL_CANCEL", session: "SEAMLESS" },
      { orderType: "STOP", stopPrice: "0.5123", duration: "DAY", direction: "SELL" },
      {
        orderType: "STOP_LIMIT",
        price: "99.5",
        stopPrice: "100",
        duration: "FILL_OR_KILL",
        direction: "SELL_SHORT"
      }
    ]
    const { rows, streams } = await withApp(
      Effect.gen(function* () {
        const rows = []
        const streams = []
        for (const [i, t] of terms.entries()) {
          rows.push(yield* place(`terms-${i}`, order(t)))
          streams.push(yield* intentOf(`terms-${i}`))
        }
        return { rows, streams }
      })
    )
    expect(placed()).toHaveLength(3)
    expect(schwabOrder(rows[0]?.orderId)).toMatchObject({
      orderType: "LIMIT",
      price: 150.25,
      duration: "GOOD_TILL_CANCEL",
      session: "SEAMLESS"
    })
    expect(schwabOrder(rows[0]?.orderId)).not.toHaveProperty("stopPrice")
    expect(schwabOrder(rows[1]?.orderId)).toMatchObject({
      orderType: "STOP",
      stopPrice: 0.5123,
      session: "NORMAL"
    })
    expect(schwabOrder(rows[2]?.orderId)).toMatchObject({
      orderType: "STOP_LIMIT",
      price: 99.5,
      stopPrice: 100.0,
      duration: "FILL_OR_KILL",
      orderLegCollection: [{ instruction: "SELL_SHORT" }]
    })
    const intent = streams[2]?.[0]
    expect(intent?.type === "PlacementRequested" && intent.order).toMatchObject({
      orderType: "STOP_LIMIT",
      duration: "FILL_OR_KILL",
      session: "NORMAL",
      instruction: "SELL_SHORT"
    })
    if (intent?.type !== "PlacementRequested") throw new Error("no intent")
    expect(Decimal.format(intent.order.price as Decimal.Decimal)).toBe("99.5")
    expect(Decimal.format(intent.order.stopPrice as Decimal.Decimal)).toBe("100")
    for (const row of rows) expect(row.status).toBe("SUBMITTED")
  })

  it("a LIMIT buy is tracked to FILLED at or below its limit, the exact average kept", async () => {
    sandbox.scriptNext(fillsInLegs(2, 0, { prices: ["150.40", "149.90"] }))
    const row = await withApp(
      Effect.gen(function* () {
        yield* place("limit-fill", order({ orderType: "LIMIT", price: "150.25" }))
        yield* runCycleOnce(cycleOptions())
        return Option.getOrThrow(yield* Effect.flatMap(FillTracker, (t) => t.getExecution("limit-fill")))
      })
    )
    // 5 at the limit (the lifecycle's 150.40 is above it) and 5 at 149.90: 150.075, 15008 cents.
    expect(row).toMatchObject({ status: "FILLED", filledShares: "10", priceCents: 15008n })
  })

  it("terms that are not an order are InvalidSubmission naming the field: nothing recorded, nothing sent", async () => {
    const bad: ReadonlyArray<readonly [Record<string, unknown>, ReadonlyArray<string>]> = [
      [{ orderType: "LIMIT" }, ["price"]],
      [{ price: "10" }, ["price"]],
      [{ orderType: "STOP" }, ["stopPrice"]],
      [{ orderType: "STOP_LIMIT", price: "10" }, ["stopPrice"]],
      [{ orderType: "LIMIT", price: "10", stopPrice: "9" }, ["stopPrice"]],
      [{ orderType: "LIMIT", price: "150.255" }, ["price"]],
      [{ orderType: "LIMIT", price: 150.25 }, ["price"]],
      [{ orderType: "LIMIT", price: "1e2" }, ["price"]],
      [{ orderType: "LIMIT", price: "0" }, ["price"]],
      [{ orderType: "STOP", stopPrice: "-5" }, ["stopPrice"]],
      [{ session: "AM" }, ["session"]],
      [{ orderType: "TRAILING_STOP" }, ["orderType"]],
      [{ duration: "UNKNOWN" }, ["duration"]],
      [{ session: "EXTENDED" }, ["session"]],
      [{ orderType: "LIMIT", price: "abc", duration: "FOREVER" }, ["duration", "price"]]
    ]
    const results = await withApp(
      Effect.gen(function* () {
        const out = []
        for (const [i, [terms]] of bad.entries()) {
          const result = yield* Effect.either(place(`bad-${i}`, order(terms)))
          const row = yield* Effect.flatMap(FillTracker, (t) => t.getExecution(`bad-${i}`))
          out.push({ result, row })
        }
        return out
      })
    )
    for (const [i, { result, row }] of results.entries()) {
      expect(Either.isLeft(result) && result.left._tag, JSON.stringify(bad[i]?.[0])).toBe("InvalidSubmission")
      const problems = Either.isLeft(result) && "problems" in result.left ? result.left.problems : []
      expect(
        problems.map((p) => p.split(":")[0]),
        JSON.stringify(bad[i]?.[0])
      ).toEqual(bad[i]?.[1])
      expect(Option.isNone(row)).toBe(true)
    }
    expect(sandbox.requests().filter((r) => r.name === "placeOrder")).toHaveLength(0)
  })

  it("the same execution id with another limit is SubmissionConflict naming it; nothing sent again", async () => {
    sandbox.scriptNext(working())
    const other = await withApp(
      Effect.gen(function* () {
        yield* place("conflict", order({ orderType: "LIMIT", price: "10" }))
        const again = yield* place("conflict", order({ orderType: "LIMIT", price: "10.00" }))
        const other = yield* Effect.either(
          place("conflict", order({ orderType: "LIMIT", price: "10.01", duration: "GOOD_TILL_CANCEL" }))
        )
        return { again, other }
      })
    )
    expect(other.again.status).toBe("SUBMITTED")
    expect(Either.isLeft(other.other) && other.other.left).toMatchObject({
      _tag: "SubmissionConflict",
      fields: ["price", "duration"]
    })
    expect(placed()).toHaveLength(1)
  })

  it("a lost answer for a LIMIT order is resolved to it, not to the orders of the same symbol, side and size beside it", async () => {
    // Entered now in the same account: at market, at another limit, for another duration.
    const seed = (terms: Record<string, string>) =>
      sandbox.seedOrder(accountOf(sandbox), { symbol: "AAPL", quantity: 10, ...terms }, working())
    seed({ orderType: "MARKET" })
    seed({ orderType: "LIMIT", price: "150.26" })
    seed({ orderType: "LIMIT", price: "150.25", duration: "GOOD_TILL_CANCEL" })
    sandbox.scriptNext(working())
    sandbox.faults.inject({ route: "placeOrder", kind: "serverError", afterHandling: true })
    const listing = sandbox.faults.inject({ route: "listOrders", kind: "serverError", probability: 1 })
    const { first, resolved, events } = await withApp(
      Effect.gen(function* () {
        const o = order({ orderType: "LIMIT", price: "150.25" })
        const first = yield* Effect.either(place("lost-limit", o))
        listing.remove()
        const resolved = yield* place("lost-limit", o)
        return { first, resolved, events: yield* intentOf("lost-limit") }
      })
    )
    expect(Either.isLeft(first) && first.left._tag).toBe("OrderPlacementUnknown")
    expect(placed()).toHaveLength(1)
    expect(resolved).toMatchObject({ status: "SUBMITTED", orderId: placed()[0]?.orderId })
    expect(events.map((e) => e.type)).toEqual(["PlacementRequested", "Submitted"])
  })

  it("a 2xx without Location for a STOP order: the client's own look-up finds it beside orders of the same symbol, side and size", async () => {
    const seed = (terms: Record<string, string>) =>
      sandbox.seedOrder(
        accountOf(sandbox),
        { symbol: "AAPL", quantity: 10, instruction: "SELL", ...terms },
        working()
      )
    seed({ orderType: "MARKET" })
    seed({ orderType: "STOP", stopPrice: "139.99" })
    sandbox.scriptNext(working())
    sandbox.faults.inject({ route: "placeOrder", kind: "noLocation" })
    const row = await withApp(
      place("stop-no-location", order({ orderType: "STOP", stopPrice: "140", direction: "SELL" }))
    )
    expect(placed()).toHaveLength(1)
    expect(row).toMatchObject({ status: "SUBMITTED", orderId: placed()[0]?.orderId })
  })

  it("replaceOrder sends the replacement's terms: a working LIMIT becomes a LIMIT at the new price", async () => {
    sandbox.scriptNext(working(), working())
    const replaced = await withApp(
      Effect.gen(function* () {
        const t = yield* FillTracker
        yield* place("replace-limit", order({ orderType: "LIMIT", price: "150" }))
        const bad = yield* Effect.either(t.replaceOrder("replace-limit", { shares: 10, orderType: "LIMIT" }))
        expect(Either.isLeft(bad) && bad.left._tag).toBe("InvalidSubmission")
        return yield* t.replaceOrder("replace-limit", { shares: 10, orderType: "LIMIT", price: "151.5" })
      })
    )
    const replacement = sandbox.placements().find((p) => p.via === "replace")
    expect(replaced.orderId).toBe(replacement?.orderId)
    expect(schwabOrder(replacement?.orderId)).toMatchObject({ orderType: "LIMIT", price: 151.5 })
    expect(sandbox.requests().filter((r) => r.name === "replaceOrder")).toHaveLength(1)
  })
})
