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
import { accountOf, authorize, cycleOptions, runApp, tempDir, testConfig } from "./support.js"

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
const intent = (executionId: string, agoMs: number, shares = 5) =>
  Effect.gen(function* () {
    const e = toPlacementRequested(
      executionId,
      { accountHash: accountOf(sandbox), symbol: "AAPL", shares, direction: "BUY" },
      new Date(Date.now() - agoMs)
    )
    if (e instanceof InvalidSubmission) throw new Error(e.message)
    yield* (yield* EventStore).append(e.executionId, 0, [e], { source: "test" })
  })

const seed = (shares = 5, enteredAt = Date.now()) =>
  sandbox.seedOrder(accountOf(sandbox), { symbol: "AAPL", quantity: shares, orderType: "MARKET", enteredAt })

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
