/**
 * The poll cycle resolves placement intents left unconfirmed (a crash after the POST, a
 * lost answer) from the account's order list, against the sandbox: one match followed
 * (recovered), none after the window failed as not placed, several failed naming each;
 * nothing is ever sent.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import type { ExecutionId } from "@fill-tracker/domain"
import { realClock, type Sandbox, startSandbox } from "@fill-tracker/schwab-sandbox"
import { EventStore } from "@fill-tracker/store"
import { Effect, Option } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import type { AppConfig } from "../src/config/AppConfig.js"
import { runCycleOnce } from "../src/poller/Poller.js"
import { FillTracker } from "../src/tracker/FillTracker.js"
import { toPlacementRequested } from "../src/tracker/Placement.js"
import { InvalidSubmission } from "../src/tracker/Submission.js"
import { accountOf, authorize, cycleOptions, requestsNamed, runApp, tempDir, testConfig } from "./support.js"

let dir: string
let sandbox: Sandbox
let config: AppConfig

beforeEach(async () => {
  dir = tempDir("intents")
  sandbox = await startSandbox({ seed: 7, clock: realClock() })
  config = testConfig(sandbox, path.join(dir, "fills.db"))
})
afterEach(async () => {
  await sandbox.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

/** An intent recorded `agoMs` ago whose POST's answer never came back (as after a crash). */
const intent = (executionId: string, agoMs: number, shares = 5, account = accountOf(sandbox)) =>
  Effect.gen(function* () {
    const e = toPlacementRequested(
      executionId,
      { accountHash: account, symbol: "AAPL", shares, direction: "BUY" },
      new Date(Date.now() - agoMs)
    )
    if (e instanceof InvalidSubmission) throw new Error(e.message)
    yield* (yield* EventStore).append(e.executionId, 0, [e], { source: "test" })
  })

const seed = (shares = 5, enteredAt = Date.now(), account = accountOf(sandbox)) =>
  sandbox.seedOrder(account, { symbol: "AAPL", quantity: shares, orderType: "MARKET", enteredAt })

/** An open execution following `orderId` (recorded by the bot), in `account`. */
const following = (executionId: string, orderId: string, shares: number, account = accountOf(sandbox)) =>
  Effect.flatMap(FillTracker, (t) =>
    t.recordSubmission({
      executionId,
      orderId,
      accountHash: account,
      symbol: "AAPL",
      shares,
      direction: "BUY"
    })
  )

/** Runs one cycle with the request log cleared first: what it asked Schwab is all the log holds. */
const cycleAlone = (overrides: Parameters<typeof cycleOptions>[0] = {}) =>
  Effect.zipRight(
    Effect.sync(() => sandbox.resetRequests()),
    runCycleOnce(cycleOptions(overrides))
  )

const rowOf = (id: string) =>
  Effect.flatMap(FillTracker, (t) => t.getExecution(id)).pipe(Effect.map(Option.getOrThrow))

const history = (id: string) =>
  Effect.flatMap(EventStore, (s) => s.readStream(id as ExecutionId)).pipe(
    Effect.map((s) => s.events.map((r) => ({ type: r.event.type, metadata: r.metadata })))
  )

const run = <A, E>(program: Parameters<typeof runApp<A, E>>[1]) =>
  runApp(config, Effect.zipRight(authorize(sandbox), program))

describe("the poll cycle resolves unconfirmed placement intents", () => {
  it("one match: Submitted (recovered) and followed in the same cycle; an intent younger than the grace is left alone", async () => {
    const placed = seed(5)
    const { row, young, events } = await run(
      Effect.gen(function* () {
        yield* intent("lost-1", 10_000)
        yield* intent("young", 0, 7)
        yield* runCycleOnce(cycleOptions())
        return { row: yield* rowOf("lost-1"), young: yield* rowOf("young"), events: yield* history("lost-1") }
      })
    )
    // Followed in the same cycle: the sandbox's order may already have filled.
    expect(row.orderId).toBe(placed)
    expect(["SUBMITTED", "PARTIALLY_FILLED", "FILLED"]).toContain(row.state)
    expect(young.status).toBe("PENDING")
    expect(events.slice(0, 2)).toMatchObject([
      { type: "PlacementRequested" },
      { type: "Submitted", metadata: { source: "poller", recovered: true } }
    ])
    expect(sandbox.placements()).toHaveLength(0)
  })

  it("none after the window: Failed, not placed, with no order id", async () => {
    seed(6) // another quantity: not it
    const row = await run(
      Effect.gen(function* () {
        yield* intent("lost-2", 10_000)
        yield* runCycleOnce(cycleOptions({ intentWindowMs: 5_000 }))
        return yield* rowOf("lost-2")
      })
    )
    expect(row).toMatchObject({ status: "FAILED", state: "NOT_PLACED", orderId: null, filledShares: "0" })
    expect(row.reason).toMatch(/^not placed/)
  })

  it("none yet within the window: stays PENDING", async () => {
    const row = await run(
      Effect.gen(function* () {
        yield* intent("lost-3", 10_000)
        yield* runCycleOnce(cycleOptions())
        return yield* rowOf("lost-3")
      })
    )
    expect(row.status).toBe("PENDING")
  })

  it("several matches: Failed naming every candidate; none followed; an order another execution follows is not one", async () => {
    const a = seed(5)
    const b = seed(5)
    const c = seed(5)
    const row = await run(
      Effect.gen(function* () {
        yield* (yield* FillTracker).recordSubmission({
          executionId: "other",
          orderId: c,
          accountHash: accountOf(sandbox),
          symbol: "AAPL",
          shares: 5,
          direction: "BUY"
        })
        yield* intent("lost-4", 10_000)
        yield* runCycleOnce(cycleOptions())
        return yield* rowOf("lost-4")
      })
    )
    expect(row).toMatchObject({ status: "FAILED", state: "PLACEMENT_AMBIGUOUS", orderId: null })
    for (const id of [a, b]) expect(row.reason).toContain(id)
    expect(row.reason).not.toContain(c)
  })
})

describe("intents are resolved from the list the cycle fetches anyway", () => {
  it("an intent in an account the cycle lists for its open executions costs no request: one list, no getOrder", async () => {
    const open = seed(3, Date.now() - 60_000)
    const placed = seed(5)
    const { row } = await run(
      Effect.gen(function* () {
        yield* following("open-1", open, 3)
        yield* intent("lost-5", 10_000)
        yield* cycleAlone()
        return { row: yield* rowOf("lost-5") }
      })
    )
    expect(row.orderId).toBe(placed)
    expect(row.status).not.toBe("PENDING")
    // Before, the intent had a list of its own: two lists in this cycle.
    expect(requestsNamed(sandbox, "listOrders")).toHaveLength(1)
    expect(requestsNamed(sandbox, "getOrder")).toHaveLength(0)
    expect(sandbox.placements()).toHaveLength(0)
  })

  it("an intent older than every open order: the cycle's one list reaches back to it and finds its order", async () => {
    // The open order's list would start 5 minutes before it: 10 minutes ago is outside it.
    const open = seed(3)
    const placed = seed(5, Date.now() - 10 * 60_000 + 1_000)
    const row = await run(
      Effect.gen(function* () {
        yield* following("open-2", open, 3)
        yield* intent("lost-6", 10 * 60_000)
        yield* cycleAlone({ intentWindowMs: 30 * 60_000 })
        return yield* rowOf("lost-6")
      })
    )
    expect(row.orderId).toBe(placed)
    expect(requestsNamed(sandbox, "listOrders")).toHaveLength(1)
  })

  it("an account with intents and no open execution is listed by the cycle: one list for it, none of its own", async () => {
    const placed = seed(5)
    const row = await run(
      Effect.gen(function* () {
        yield* intent("lost-7", 10_000)
        yield* cycleAlone()
        return yield* rowOf("lost-7")
      })
    )
    expect(row.orderId).toBe(placed)
    expect(requestsNamed(sandbox, "listOrders")).toHaveLength(1)
  })

  it("two accounts: the one all-accounts list resolves an intent in the account without open executions", async () => {
    const two = await startSandbox({
      seed: 8,
      clock: realClock(),
      accounts: [{ accountNumber: "12345678" }, { accountNumber: "87654321" }]
    })
    try {
      const first = accountOf(two, 0)
      const second = accountOf(two, 1)
      const open = two.seedOrder(first, { symbol: "AAPL", quantity: 3, orderType: "MARKET" })
      const placed = two.seedOrder(second, { symbol: "AAPL", quantity: 5, orderType: "MARKET" })
      const row = await runApp(
        testConfig(two, path.join(dir, "two.db")),
        Effect.gen(function* () {
          yield* authorize(two)
          yield* following("open-3", open, 3, first)
          yield* intent("lost-8", 10_000, 5, second)
          yield* Effect.sync(() => two.resetRequests())
          yield* runCycleOnce(cycleOptions())
          return yield* rowOf("lost-8")
        })
      )
      expect(row.orderId).toBe(placed)
      expect(requestsNamed(two, "listOrders").map((r) => r.route)).toEqual(["GET /orders"])
      expect(requestsNamed(two, "getOrder")).toHaveLength(0)
    } finally {
      await two.close()
    }
  })
})
