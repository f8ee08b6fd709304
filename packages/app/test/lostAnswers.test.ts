/**
 * Order entry whose answer is lost or unusable, end to end against the sandbox (real HTTP
 * on 127.0.0.1, real SQLite): placeOrder under a hang and under a Location naming another
 * host or account; replaceOrder and cancelOrder whose answer is lost after Schwab acted,
 * and requests Schwab never acted on. Every case ends with exactly one Schwab order per
 * call, nothing sent again (the sandbox's requests and placements are counted), and the
 * execution's state right. The sandbox names no replacement in REPLACED bodies, as the
 * real published bodies do, so the poll has to find it.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import type { ExecutionId } from "@fill-tracker/domain"
import {
  partialThenCancel,
  realClock,
  type Sandbox,
  startSandbox,
  working
} from "@fill-tracker/schwab-sandbox"
import { EventStore } from "@fill-tracker/store"
import { Duration, Effect, Either, Layer, Option, type Scope } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import type { AppConfig } from "../src/config/AppConfig.js"
import { appLayer } from "../src/layers.js"
import { loggingLayer } from "../src/logging.js"
import { runCycleOnce } from "../src/poller/Poller.js"
import { INTENT_GRACE_MS } from "../src/poller/resolveIntents.js"
import { FillTracker } from "../src/tracker/FillTracker.js"
import { accountOf, authorize, cycleOptions, requestsNamed, tempDir, testConfig } from "./support.js"

let dir: string
let sandbox: Sandbox
let config: AppConfig

beforeEach(async () => {
  dir = tempDir("lost")
  sandbox = await startSandbox({ seed: 13, clock: realClock(), namedReplacements: false })
  // A hang ends at the request timeout; long enough for any answer on a loaded machine.
  config = testConfig(sandbox, path.join(dir, "fills.db"), { requestTimeout: 3_000 })
})
afterEach(async () => {
  await sandbox.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

/** The app graph with the client's own look-ups after a lost answer made quick (two, 50 ms apart). */
const layer = (c: AppConfig) =>
  Layer.merge(
    appLayer(c, {
      retry: { baseDelay: Duration.millis(5), maxDelay: Duration.millis(20), maxAttempts: 2 },
      placementRecovery: { lookups: 2, delay: Duration.millis(50) }
    }),
    loggingLayer(c)
  )

const withApp = <A, E>(
  program: Effect.Effect<A, E, Layer.Layer.Success<ReturnType<typeof layer>> | Scope.Scope>
) =>
  Effect.runPromise(
    Effect.scoped(Effect.provide(Effect.zipRight(authorize(sandbox), program), layer(config)))
  )

const tracker = FillTracker
const place = (id: string, shares = 5) =>
  Effect.flatMap(tracker, (t) =>
    t.placeOrder(id, { accountHash: accountOf(sandbox), symbol: "AAPL", shares, direction: "BUY" })
  )
const rowOf = (id: string) =>
  Effect.map(
    Effect.flatMap(tracker, (t) => t.getExecution(id)),
    Option.getOrThrow
  )
const types = (id: string) =>
  Effect.flatMap(EventStore, (s) => s.readStream(id as ExecutionId)).pipe(
    Effect.map((s) => s.events.map((r) => r.event.type))
  )
/** Waits (real time) until an intent recorded at `requestedAt` is old enough for the poller. */
const untilDue = (requestedAt: string) =>
  Effect.sleep(Duration.millis(Math.max(0, Date.parse(requestedAt) + INTENT_GRACE_MS + 50 - Date.now())))

const sent = (name: "placeOrder" | "replaceOrder" | "cancelOrder") => requestsNamed(sandbox, name).length
const placed = (via: "place" | "replace") => sandbox.placements().filter((p) => p.via === via)

describe("placeOrder whose answer is lost or unusable", () => {
  it("a hang after Schwab placed it: one POST, the order found in the list, Submitted; one order", async () => {
    sandbox.faults.inject({ route: "placeOrder", kind: "hang", afterHandling: true })
    const { row, events } = await withApp(
      Effect.gen(function* () {
        const row = yield* place("hang-1")
        return { row, events: yield* types("hang-1") }
      })
    )
    expect(placed("place")).toHaveLength(1)
    expect(sent("placeOrder")).toBe(1)
    expect(row).toMatchObject({ status: "SUBMITTED", orderId: placed("place")[0]?.orderId })
    expect(events).toEqual(["PlacementRequested", "Submitted"])
  })

  it("a hang Schwab never acted on: one POST, PENDING, the same call again sends nothing; the poll ends it not placed", async () => {
    sandbox.faults.inject({ route: "placeOrder", kind: "hang" })
    const { first, again, row } = await withApp(
      Effect.gen(function* () {
        const first = yield* Effect.either(place("hang-2"))
        const again = yield* place("hang-2")
        yield* untilDue(again.submittedAt)
        yield* runCycleOnce(cycleOptions({ intentWindowMs: 1 }))
        return { first, again, row: yield* rowOf("hang-2") }
      })
    )
    expect(Either.isLeft(first) && first.left._tag).toBe("OrderPlacementUnknown")
    expect(again.status).toBe("PENDING")
    expect(row).toMatchObject({ status: "FAILED", state: "NOT_PLACED", orderId: null })
    expect(sent("placeOrder")).toBe(1)
    expect(sandbox.placements()).toHaveLength(0)
  })

  it("a Location naming another host, or another account: looked up, never trusted; one order each, followed", async () => {
    sandbox.faults.inject({ route: "placeOrder", kind: "foreignHostLocation" })
    sandbox.faults.inject({ route: "placeOrder", kind: "foreignAccountLocation" })
    const rows = await withApp(Effect.all([place("loc-1", 5), place("loc-2", 6)]))
    const orders = placed("place")
    expect(orders).toHaveLength(2)
    expect(sent("placeOrder")).toBe(2)
    expect(rows.map((r) => [r.status, r.orderId])).toEqual(orders.map((o) => ["SUBMITTED", o.orderId]))
  })
})

describe("replaceOrder whose answer is lost", () => {
  it("lost after Schwab replaced it, the client's look-up failing too: the poll finds the unnamed replacement and follows it; one PUT", async () => {
    sandbox.scriptNext(working(), working())
    const { result, refused, pending, row, events } = await withApp(
      Effect.gen(function* () {
        const t = yield* tracker
        yield* place("rep-1")
        sandbox.faults.inject({ route: "replaceOrder", kind: "serverError", afterHandling: true })
        const listing = sandbox.faults.inject({ route: "listOrders", kind: "serverError", probability: 1 })
        const result = yield* Effect.either(t.replaceOrder("rep-1", { shares: 7 }))
        listing.remove()
        const pending = yield* rowOf("rep-1")
        const refused = yield* Effect.either(t.replaceOrder("rep-1", { shares: 8 }))
        yield* runCycleOnce(cycleOptions())
        return { result, refused, pending, row: yield* rowOf("rep-1"), events: yield* types("rep-1") }
      })
    )
    const replacement = placed("replace")
    expect(Either.isLeft(result) && result.left._tag).toBe("OrderPlacementUnknown")
    expect(pending).toMatchObject({ request: "REPLACE_REQUESTED", orderId: placed("place")[0]?.orderId })
    expect(Either.isLeft(refused) && refused.left).toMatchObject({
      _tag: "RequestUnresolved",
      request: "Replace"
    })
    expect(sent("replaceOrder")).toBe(1)
    expect(replacement).toHaveLength(1)
    expect(row).toMatchObject({ status: "SUBMITTED", orderId: replacement[0]?.orderId, request: null })
    expect(events).toEqual(["PlacementRequested", "Submitted", "ReplaceRequested", "Replaced"])
  })

  it("lost after Schwab replaced it: the client's look-up finds the replacement; Replaced at once, one PUT", async () => {
    sandbox.scriptNext(working(), working())
    const row = await withApp(
      Effect.gen(function* () {
        yield* place("rep-2")
        sandbox.faults.inject({ route: "replaceOrder", kind: "hang", afterHandling: true })
        return yield* Effect.flatMap(tracker, (t) => t.replaceOrder("rep-2", { shares: 7 }))
      })
    )
    expect(sent("replaceOrder")).toBe(1)
    expect(placed("replace")).toHaveLength(1)
    expect(row).toMatchObject({ status: "SUBMITTED", orderId: placed("replace")[0]?.orderId, request: null })
  })

  it("Schwab never acted on it: one PUT; after the window the poll closes it (REPLACE_LAPSED), the original still followed; a new replace goes through", async () => {
    sandbox.scriptNext(working(), working())
    const { lapsed, row, events } = await withApp(
      Effect.gen(function* () {
        const t = yield* tracker
        const first = yield* place("rep-3")
        sandbox.faults.inject({ route: "replaceOrder", kind: "serverError" })
        yield* Effect.either(t.replaceOrder("rep-3", { shares: 7 }))
        yield* runCycleOnce(cycleOptions({ intentWindowMs: 1 }))
        const lapsed = yield* rowOf("rep-3")
        expect(lapsed.orderId).toBe(first.orderId)
        const row = yield* t.replaceOrder("rep-3", { shares: 9 })
        return { lapsed, row, events: yield* types("rep-3") }
      })
    )
    expect(lapsed).toMatchObject({ status: "SUBMITTED", request: "REPLACE_LAPSED" })
    expect(sent("replaceOrder")).toBe(2)
    expect(placed("place")).toHaveLength(1)
    expect(placed("replace")).toHaveLength(1)
    expect(row).toMatchObject({ orderId: placed("replace")[0]?.orderId, request: null })
    expect(events).toEqual([
      "PlacementRequested",
      "Submitted",
      "ReplaceRequested",
      "RequestLapsed",
      "ReplaceRequested",
      "Replaced"
    ])
  })
})

describe("cancelOrder whose answer is lost", () => {
  it("lost after Schwab canceled it: one DELETE, the error returned, another cancel refused; the poll records CANCELED with the executed shares", async () => {
    // 2 of 5 shares fill at once, then the order works until it is canceled.
    sandbox.scriptNext(partialThenCancel({ quantity: "2", cancelAfterMs: 1e9 }))
    const { lost, refused, pending, row } = await withApp(
      Effect.gen(function* () {
        const t = yield* tracker
        yield* place("can-1")
        yield* runCycleOnce(cycleOptions())
        sandbox.faults.inject({ route: "cancelOrder", kind: "serverError", afterHandling: true })
        const lost = yield* Effect.either(t.cancelOrder("can-1"))
        const pending = yield* rowOf("can-1")
        const refused = yield* Effect.either(t.cancelOrder("can-1"))
        yield* runCycleOnce(cycleOptions())
        return { lost, refused, pending, row: yield* rowOf("can-1") }
      })
    )
    expect(Either.isLeft(lost) && lost.left._tag).toBe("ServerError")
    expect(pending).toMatchObject({ status: "SUBMITTED", request: "CANCEL_REQUESTED", filledShares: "2" })
    expect(Either.isLeft(refused) && refused.left).toMatchObject({
      _tag: "RequestUnresolved",
      request: "Cancel"
    })
    expect(sent("cancelOrder")).toBe(1)
    expect(row).toMatchObject({ status: "FAILED", state: "CANCELED", filledShares: "2", request: null })
    expect(sandbox.placements()).toHaveLength(1)
  })

  it("Schwab never acted on it: one DELETE; after the window the poll closes it (CANCEL_LAPSED, still working); a new cancel goes through", async () => {
    sandbox.scriptNext(working())
    const { lapsed, row } = await withApp(
      Effect.gen(function* () {
        const t = yield* tracker
        yield* place("can-2")
        sandbox.faults.inject({ route: "cancelOrder", kind: "serverError" })
        yield* Effect.either(t.cancelOrder("can-2"))
        yield* runCycleOnce(cycleOptions({ intentWindowMs: 1 }))
        const lapsed = yield* rowOf("can-2")
        yield* t.cancelOrder("can-2")
        yield* runCycleOnce(cycleOptions({ intentWindowMs: 1 }))
        return { lapsed, row: yield* rowOf("can-2") }
      })
    )
    expect(lapsed).toMatchObject({ status: "SUBMITTED", request: "CANCEL_LAPSED" })
    expect(sent("cancelOrder")).toBe(2)
    expect(row).toMatchObject({ status: "FAILED", state: "CANCELED", request: null })
    expect(sandbox.placements()).toHaveLength(1)
  })

  it("refused by Schwab (403): the request closes at once and a new one may be sent", async () => {
    sandbox.scriptNext(working())
    const { refused, row } = await withApp(
      Effect.gen(function* () {
        const t = yield* tracker
        yield* place("can-3")
        sandbox.faults.inject({ route: "cancelOrder", kind: "forbidden" })
        const refused = yield* Effect.either(t.cancelOrder("can-3"))
        const row = yield* rowOf("can-3")
        yield* t.cancelOrder("can-3")
        return { refused, row }
      })
    )
    expect(Either.isLeft(refused) && refused.left._tag).toBe("Forbidden")
    expect(row).toMatchObject({ status: "SUBMITTED", request: "CANCEL_LAPSED" })
    expect(sent("cancelOrder")).toBe(2)
  })
})
