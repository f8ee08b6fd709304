/**
 * placeOrder against the sandbox: the intent is recorded before the POST, the id from the
 * answer (or the list, when the answer is lost) follows it, a second call never POSTs, a
 * refused placement ends the intent, and bad input records nothing.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import type { ExecutionId } from "@fill-tracker/domain"
import { immediateFill, realClock, type Sandbox, startSandbox, working } from "@fill-tracker/schwab-sandbox"
import { EventStore } from "@fill-tracker/store"
import { Effect, Either, Option } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import type { AppConfig } from "../src/config/AppConfig.js"
import { runCycleOnce } from "../src/poller/Poller.js"
import { FillTracker } from "../src/tracker/FillTracker.js"
import { accountOf, authorize, cycleOptions, runApp, tempDir, testConfig } from "./support.js"

let dir: string
let sandbox: Sandbox
let config: AppConfig

beforeEach(async () => {
  dir = tempDir("place")
  sandbox = await startSandbox({ seed: 5, clock: realClock() })
  config = testConfig(sandbox, path.join(dir, "fills.db"))
})
afterEach(async () => {
  await sandbox.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const withApp = <A, E>(program: Parameters<typeof runApp<A, E>>[1]) =>
  runApp(config, Effect.zipRight(authorize(sandbox), program))

const order = (overrides: Record<string, unknown> = {}) => ({
  accountHash: accountOf(sandbox),
  symbol: "AAPL",
  shares: 5,
  direction: "BUY" as const,
  ...overrides
})

const place = (executionId: string, o = order()) =>
  Effect.flatMap(FillTracker, (t) => t.placeOrder(executionId, o as Parameters<typeof t.placeOrder>[1]))

/** The stream's event types and each event's metadata. */
const history = (executionId: string) =>
  Effect.flatMap(EventStore, (s) => s.readStream(executionId as ExecutionId)).pipe(
    Effect.map((stream) => stream.events.map((r) => ({ type: r.event.type, metadata: r.metadata })))
  )

const placed = () => sandbox.placements().filter((p) => p.via === "place")

describe("placeOrder", () => {
  it("records the intent, POSTs once, records Submitted with Location's id; again: no second POST", async () => {
    const { row, again, events } = await withApp(
      Effect.gen(function* () {
        const row = yield* place("bot-1", order({ direction: "SELL_SHORT", referencePrice: "150.25" }))
        const again = yield* place("bot-1", order({ direction: "SELL_SHORT", referencePrice: "150.25" }))
        return { row, again, events: yield* history("bot-1") }
      })
    )
    expect(placed()).toHaveLength(1)
    expect(row).toMatchObject({ status: "SUBMITTED", orderId: placed()[0]?.orderId, direction: "SELL_SHORT" })
    expect(again).toEqual(row)
    expect(events.map((e) => e.type)).toEqual(["PlacementRequested", "Submitted"])
  })

  it("a 2xx without Location: the order is found in the list, followed, placed once", async () => {
    sandbox.faults.inject({ route: "placeOrder", kind: "noLocation" })
    const row = await withApp(place("bot-2"))
    expect(placed()).toHaveLength(1)
    expect(row).toMatchObject({ status: "SUBMITTED", orderId: placed()[0]?.orderId })
  })

  it("a lost answer whose order cannot be found yet stays PENDING; the next call resolves it from the list, never POSTing", async () => {
    sandbox.faults.inject({ route: "placeOrder", kind: "serverError", afterHandling: true })
    // The client's own look-ups after the lost answer all fail: the outcome is unknown.
    const listing = sandbox.faults.inject({ route: "listOrders", kind: "serverError", probability: 1 })
    const { first, pending, resolved, events } = await withApp(
      Effect.gen(function* () {
        const first = yield* Effect.either(place("bot-3"))
        const pending = yield* Effect.flatMap(FillTracker, (t) => t.getExecution("bot-3"))
        listing.remove()
        const resolved = yield* place("bot-3")
        return { first, pending, resolved, events: yield* history("bot-3") }
      })
    )
    expect(Either.isLeft(first) && first.left._tag).toBe("OrderPlacementUnknown")
    expect(Option.getOrThrow(pending)).toMatchObject({ status: "PENDING", orderId: null })
    expect(placed()).toHaveLength(1)
    expect(resolved).toMatchObject({ status: "SUBMITTED", orderId: placed()[0]?.orderId })
    expect(events).toMatchObject([
      { type: "PlacementRequested" },
      { type: "Submitted", metadata: { recovered: true } }
    ])
  })

  it("a refused placement (403) ends the intent as not placed and returns the error", async () => {
    sandbox.faults.inject({ route: "placeOrder", kind: "forbidden" })
    const { result, row } = await withApp(
      Effect.gen(function* () {
        const result = yield* Effect.either(place("bot-4"))
        return { result, row: yield* Effect.flatMap(FillTracker, (t) => t.getExecution("bot-4")) }
      })
    )
    expect(Either.isLeft(result) && result.left._tag).toBe("Forbidden")
    expect(placed()).toHaveLength(0)
    expect(Option.getOrThrow(row)).toMatchObject({ status: "FAILED", state: "NOT_PLACED", orderId: null })
    expect(Option.getOrThrow(row).reason).toMatch(/^not placed: .*Forbidden/)
  })

  it("bad input is InvalidSubmission naming each field, with nothing recorded or sent", async () => {
    const { result, row } = await withApp(
      Effect.gen(function* () {
        const result = yield* Effect.either(
          place("bot-5", order({ symbol: "aapl!", shares: 0, direction: "SHORT", referencePrice: "-1" }))
        )
        return { result, row: yield* Effect.flatMap(FillTracker, (t) => t.getExecution("bot-5")) }
      })
    )
    expect(Either.isLeft(result) && result.left._tag).toBe("InvalidSubmission")
    const problems = Either.isLeft(result) && "problems" in result.left ? result.left.problems : []
    expect(problems.map((p) => p.split(":")[0])).toEqual(["symbol", "shares", "direction", "referencePrice"])
    expect(Option.isNone(row)).toBe(true)
    expect(placed()).toHaveLength(0)
  })

  it("the same execution id with another order, or one recorded by recordSubmission, is SubmissionConflict; nothing changes", async () => {
    const { other, recorded, events } = await withApp(
      Effect.gen(function* () {
        yield* place("bot-6")
        const other = yield* Effect.either(place("bot-6", order({ shares: 6 })))
        const t = yield* FillTracker
        yield* t.recordSubmission({
          executionId: "bot-7",
          orderId: "123",
          accountHash: accountOf(sandbox),
          symbol: "AAPL",
          shares: 5,
          direction: "BUY"
        })
        const recorded = yield* Effect.either(place("bot-7"))
        return { other, recorded, events: yield* history("bot-6") }
      })
    )
    expect(Either.isLeft(other) && other.left).toMatchObject({
      _tag: "SubmissionConflict",
      fields: ["shares"]
    })
    expect(Either.isLeft(recorded) && recorded.left._tag).toBe("SubmissionConflict")
    expect(events.map((e) => e.type)).toEqual(["PlacementRequested", "Submitted"])
    expect(placed()).toHaveLength(1)
  })

  it("replaceOrder records the request, then Replaced with the id from Schwab's answer; cancelOrder records the request and the poll the outcome; a closed execution is refused", async () => {
    sandbox.scriptNext(working(), working())
    const { replaced, canceled, events, closed } = await withApp(
      Effect.gen(function* () {
        const t = yield* FillTracker
        yield* place("bot-8")
        const replaced = yield* t.replaceOrder("bot-8", { shares: 7 })
        yield* t.cancelOrder("bot-8")
        yield* runCycleOnce(cycleOptions())
        const canceled = Option.getOrThrow(yield* t.getExecution("bot-8"))
        const closed = yield* Effect.either(t.cancelOrder("bot-8"))
        return { replaced, canceled, events: yield* history("bot-8"), closed }
      })
    )
    const replacement = sandbox.placements().find((p) => p.via === "replace")
    expect(replacement).toBeDefined()
    expect(replaced.orderId).toBe(replacement?.orderId)
    expect(events.map((e) => e.type)).toEqual([
      "PlacementRequested",
      "Submitted",
      "ReplaceRequested",
      "Replaced",
      "CancelRequested",
      "Failed"
    ])
    expect(canceled).toMatchObject({ status: "FAILED", state: "CANCELED", orderId: replacement?.orderId })
    expect(Either.isLeft(closed) && closed.left).toMatchObject({
      _tag: "ExecutionNotWorking",
      status: "Failed"
    })
    expect(sandbox.placements()).toHaveLength(2)
  })

  it("replace and cancel of an unknown or filled execution are ExecutionNotWorking, nothing sent", async () => {
    sandbox.scriptNext(immediateFill())
    const { unknown, filled } = await withApp(
      Effect.gen(function* () {
        const t = yield* FillTracker
        const unknown = yield* Effect.either(t.cancelOrder("nobody"))
        yield* place("bot-9")
        yield* runCycleOnce(cycleOptions())
        const filled = yield* Effect.either(t.replaceOrder("bot-9", { shares: 1 }))
        return { unknown, filled }
      })
    )
    expect(Either.isLeft(unknown) && unknown.left).toMatchObject({
      _tag: "ExecutionNotWorking",
      status: "Empty"
    })
    expect(Either.isLeft(filled) && filled.left).toMatchObject({
      _tag: "ExecutionNotWorking",
      status: "Filled"
    })
    expect(sandbox.placements()).toHaveLength(1)
    expect(
      sandbox.requests().filter((r) => r.name === "cancelOrder" || r.name === "replaceOrder")
    ).toHaveLength(0)
  })
})
