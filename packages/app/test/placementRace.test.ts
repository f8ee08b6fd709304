/**
 * placeOrder racing the poller: a POST can be in flight longer than the poller's grace
 * (the request timeout, 10 s by default, plus the client's lookups after it, against a
 * 5 s grace), so the service may resolve the intent from the account's list while the
 * answer is still on its way. The late answer names the same order: placeOrder answers
 * with the execution (it failed with a ConcurrencyError, so a bot that took the error for
 * "not placed" and placed again under a new id made a second order).
 */
import * as fs from "node:fs"
import * as path from "node:path"
import type { ExecutionId } from "@fill-tracker/domain"
import { realClock, type Sandbox, startSandbox, working } from "@fill-tracker/schwab-sandbox"
import { EventStore } from "@fill-tracker/store"
import { Clock, Effect, Either, Fiber, Option } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import type { AppConfig } from "../src/config/AppConfig.js"
import { runCycleOnce } from "../src/poller/Poller.js"
import { INTENT_GRACE_MS } from "../src/poller/resolveIntents.js"
import { FillTracker } from "../src/tracker/FillTracker.js"
import { accountOf, authorize, cycleOptions, runApp, tempDir, testConfig } from "./support.js"

let dir: string
let sandbox: Sandbox
let config: AppConfig

beforeEach(async () => {
  dir = tempDir("place-race")
  sandbox = await startSandbox({ seed: 11, clock: realClock() })
  config = testConfig(sandbox, path.join(dir, "fills.db"))
})
afterEach(async () => {
  await sandbox.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

/** The real clock moved by `offsetMs`: the placing call runs "earlier", so its intent is past the grace. */
const shifted = (offsetMs: number): Clock.Clock => {
  const base = Clock.make()
  const millis = () => base.unsafeCurrentTimeMillis() + offsetMs
  const nanos = () => base.unsafeCurrentTimeNanos() + BigInt(offsetMs) * 1_000_000n
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: millis,
    currentTimeMillis: Effect.sync(millis),
    unsafeCurrentTimeNanos: nanos,
    currentTimeNanos: Effect.sync(nanos),
    sleep: (d) => base.sleep(d)
  }
}

/** Waits on the sandbox's own state; the bound only stops a run that never gets there. */
const until = (check: () => boolean, what: string) =>
  Effect.promise(async () => {
    const deadline = Date.now() + 60_000
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`${what}: not reached`)
      await new Promise((r) => setTimeout(r, 10))
    }
  })

const history = (executionId: string) =>
  Effect.flatMap(EventStore, (s) => s.readStream(executionId as ExecutionId)).pipe(
    Effect.map((stream) => stream.events.map((r) => ({ type: r.event.type, metadata: r.metadata })))
  )

/**
 * placeOrder for `executionId` while its POST's answer is held (Schwab has the order), with
 * the call's clock set back past the grace; one poll cycle runs (`afterCycle` sees the
 * stream then), the answer is let go, and the call's outcome, row and stream come back.
 */
const placeWhileHeld = (
  executionId: string,
  afterCycle: (types: ReadonlyArray<string>) => void = () => {}
) => {
  const held = sandbox.faults.inject({ route: "placeOrder", kind: "held", afterHandling: true })
  return runApp(
    config,
    Effect.gen(function* () {
      yield* authorize(sandbox)
      const tracker = yield* FillTracker
      const placing = yield* Effect.fork(
        Effect.either(
          tracker
            .placeOrder(executionId, {
              accountHash: accountOf(sandbox),
              symbol: "MSFT",
              shares: 4,
              direction: "BUY"
            })
            .pipe(Effect.withClock(shifted(-(INTENT_GRACE_MS + 1_000))))
        )
      )
      // Schwab has the order; its answer waits.
      yield* until(() => sandbox.placements().length === 1, "the order placed, its answer held")
      // The service's cycle: the intent is past the grace, and the list shows the order.
      yield* runCycleOnce(cycleOptions())
      afterCycle((yield* history(executionId)).map((e) => e.type))
      held.release()
      const outcome = yield* Fiber.join(placing)
      const row = Option.getOrThrow(yield* tracker.getExecution(executionId))
      return { outcome, row, events: yield* history(executionId) }
    })
  )
}

describe("placeOrder and the poller resolving the same intent", () => {
  it("the poller records Submitted from the list while the 201 is held; the late 201 names the same order: placeOrder answers the execution, one order, one POST", async () => {
    sandbox.scriptNext(working())
    const { outcome, events } = await placeWhileHeld("late-1", (types) =>
      expect(types).toEqual(["PlacementRequested", "Submitted"])
    )
    const orderId = sandbox.placements()[0]?.orderId
    expect(Either.isRight(outcome) ? outcome.right.orderId : outcome.left).toBe(orderId)
    if (Either.isRight(outcome)) expect(outcome.right.status).toBe("SUBMITTED")
    // Submitted once, by the poller (recovered); the late answer added nothing.
    expect(events.map((e) => e.type)).toEqual(["PlacementRequested", "Submitted"])
    expect(events[1]?.metadata).toMatchObject({ source: "poller", recovered: true })
    expect(sandbox.placements()).toHaveLength(1)
    expect(sandbox.requests().filter((r) => r.name === "placeOrder")).toHaveLength(1)
  })

  it("resolved otherwise meanwhile (two candidates: the stream ended PLACEMENT_AMBIGUOUS naming both): the late 201 stays the conflict, nothing appended", async () => {
    sandbox.scriptNext(working())
    const twin = sandbox.seedOrder(
      accountOf(sandbox),
      { symbol: "MSFT", quantity: 4, orderType: "MARKET" },
      working()
    )
    const { outcome, row, events } = await placeWhileHeld("late-2")
    expect(events.map((e) => e.type)).toEqual(["PlacementRequested", "Failed"])
    expect(Either.isLeft(outcome) && outcome.left._tag).toBe("ConcurrencyError")
    expect(row.state).toBe("PLACEMENT_AMBIGUOUS")
    expect(row.reason).toContain(twin)
    expect(row.reason).toContain(sandbox.placements()[0]?.orderId)
    expect(sandbox.requests().filter((r) => r.name === "placeOrder")).toHaveLength(1)
  })
})
