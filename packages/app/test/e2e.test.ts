import * as fs from "node:fs"
import * as path from "node:path"
import type { ExecutionId } from "@fill-tracker/domain"
import { fillsInLegs, partialThenCancel, reject, replace, type Sandbox } from "@fill-tracker/schwab-sandbox"
import { EventStore, type ExecutionRow } from "@fill-tracker/store"
import { Effect, Option } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import type { AppConfig } from "../src/config/AppConfig.js"
import { expectedExecution } from "../src/demo/brokerTruth.js"
import { runCycleOnce } from "../src/poller/Poller.js"
import { FillTracker } from "../src/tracker/FillTracker.js"
import { accountOf, authorize, cycleOptions, manualSandbox, runApp, tempDir, testConfig } from "./support.js"

let dir: string
let sandbox: Sandbox
let config: AppConfig

beforeEach(async () => {
  dir = tempDir("e2e")
  sandbox = await manualSandbox()
  config = testConfig(sandbox, path.join(dir, "fills.db"))
})
afterEach(async () => {
  await sandbox.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

/** Runs a program against the real app graph on this test's database (one layer build). */
const withApp = <A, E>(program: Parameters<typeof runApp<A, E>>[1]) => runApp(config, program)

/** The same, authorized first: recording checks the account against Schwab's list. */
const withAuthorizedApp = <A, E>(program: Parameters<typeof runApp<A, E>>[1]) =>
  runApp(config, Effect.zipRight(authorize(sandbox), program))

const cycle = runCycleOnce(cycleOptions())

const row = (executionId: string) =>
  Effect.flatMap(FillTracker, (t) => t.getExecution(executionId)).pipe(
    Effect.map((o) => Option.getOrThrowWith(o, () => new Error(`no row ${executionId}`)))
  )

const submit = (
  executionId: string,
  orderId: string,
  shares: number,
  symbol = "AAPL",
  direction: "BUY" | "SELL" = "BUY"
) =>
  Effect.flatMap(FillTracker, (t) =>
    t.recordSubmission({ executionId, orderId, accountHash: accountOf(sandbox), symbol, shares, direction })
  )

const fillKeys = (executionId: string) =>
  Effect.flatMap(EventStore, (s) => s.readStream(executionId as ExecutionId)).pipe(
    Effect.map((stream) =>
      stream.events.flatMap((r) => (r.event.type === "LegFilled" ? [r.event.fillKey] : []))
    )
  )

const pick = (r: ExecutionRow) => ({
  status: r.status,
  state: r.state,
  filledShares: r.filledShares,
  priceCents: r.priceCents
})

describe("the poller end to end against the sandbox over HTTP and a SQLite file", () => {
  it("follows partial fills over several cycles to FILLED at the exact cents", async () => {
    const orderId = sandbox.seedOrder(
      accountOf(sandbox),
      { symbol: "AAPL", quantity: 3 },
      fillsInLegs(3, 1_000, { prices: ["150.25", "150.26", "150.24"] })
    )
    const seen = await withApp(
      Effect.gen(function* () {
        yield* authorize(sandbox)
        const submitted = yield* submit("buy-aapl", orderId, 3)
        const states = [pick(submitted)]
        yield* cycle
        states.push(pick(yield* row("buy-aapl")))
        sandbox.advance(1_000)
        yield* cycle
        states.push(pick(yield* row("buy-aapl")))
        sandbox.advance(1_000)
        yield* cycle
        const final = yield* row("buy-aapl")
        states.push(pick(final))
        return { states, final, keys: yield* fillKeys("buy-aapl") }
      })
    )
    expect(seen.states).toEqual([
      { status: "SUBMITTED", state: "SUBMITTED", filledShares: "0", priceCents: null },
      { status: "SUBMITTED", state: "PARTIALLY_FILLED", filledShares: "1", priceCents: 15025n },
      { status: "SUBMITTED", state: "PARTIALLY_FILLED", filledShares: "2", priceCents: 15026n },
      { status: "FILLED", state: "FILLED", filledShares: "3", priceCents: 15025n }
    ])
    expect(seen.final.averagePrice).toBe("150.25")
    const expected = expectedExecution(sandbox, orderId)
    expect(expected.priceCents).toBe(15025n)
    expect(seen.keys).toEqual(expected.fillKeys)
  })

  it("a cancel after a partial fill keeps the executed shares and price", async () => {
    const orderId = sandbox.seedOrder(
      accountOf(sandbox),
      { symbol: "BAC", quantity: 5, instruction: "SELL" },
      partialThenCancel({ quantity: "2", price: "40.01", fillAfterMs: 0, cancelAfterMs: 1_000 })
    )
    const final = await withApp(
      Effect.gen(function* () {
        yield* authorize(sandbox)
        yield* submit("sell-bac", orderId, 5, "BAC", "SELL")
        yield* cycle
        expect(pick(yield* row("sell-bac"))).toMatchObject({ state: "PARTIALLY_FILLED", filledShares: "2" })
        sandbox.advance(1_000)
        yield* cycle
        return yield* row("sell-bac")
      })
    )
    expect(pick(final)).toEqual({ status: "FAILED", state: "CANCELED", filledShares: "2", priceCents: 4001n })
    expect(final.brokerStatus).toBe("CANCELED")
    expect(final.averagePrice).toBe("40.01")
  })

  it("a rejected order fails with the broker's description as the reason", async () => {
    const orderId = sandbox.seedOrder(
      accountOf(sandbox),
      { symbol: "META", quantity: 3 },
      reject("Order rejected: insufficient buying power")
    )
    const final = await withApp(
      Effect.gen(function* () {
        yield* authorize(sandbox)
        yield* submit("buy-meta", orderId, 3, "META")
        yield* cycle
        return yield* row("buy-meta")
      })
    )
    expect(pick(final)).toEqual({ status: "FAILED", state: "REJECTED", filledShares: "0", priceCents: null })
    expect(final.brokerStatus).toBe("REJECTED")
    expect(final.reason).toContain("insufficient buying power")
  })

  it("a replaced order is followed to its replacement and filled there", async () => {
    const orderId = sandbox.seedOrder(
      accountOf(sandbox),
      { symbol: "XOM", quantity: 10 },
      replace(fillsInLegs(2, 1_000, { prices: ["115.10", "115.20"] }), { afterMs: 1_000 })
    )
    const final = await withApp(
      Effect.gen(function* () {
        yield* authorize(sandbox)
        yield* submit("buy-xom", orderId, 10, "XOM")
        yield* cycle
        expect((yield* row("buy-xom")).state).toBe("SUBMITTED")
        sandbox.advance(1_000)
        yield* cycle
        const replaced = yield* row("buy-xom")
        expect(replaced.orderId).not.toBe(orderId)
        expect(pick(replaced)).toMatchObject({ state: "PARTIALLY_FILLED", filledShares: "5" })
        sandbox.advance(1_000)
        yield* cycle
        return yield* row("buy-xom")
      })
    )
    const expected = expectedExecution(sandbox, orderId)
    expect(expected.finalOrderId).not.toBe(orderId)
    expect(final.orderId).toBe(expected.finalOrderId)
    expect(final.originalOrderId).toBe(orderId)
    expect(pick(final)).toEqual({ status: "FILLED", state: "FILLED", filledShares: "10", priceCents: 11515n })
    expect(final.priceCents).toBe(expected.priceCents)
  })

  it("a restart on the same database continues with no duplicate events", async () => {
    const orderId = sandbox.seedOrder(
      accountOf(sandbox),
      { symbol: "SPY", quantity: 12 },
      fillsInLegs(4, 1_000, { prices: ["559.99", "560.00", "560.01", "560.02"] })
    )
    // First process: authorizes, records, sees the first fill.
    const first = await withApp(
      Effect.gen(function* () {
        yield* authorize(sandbox)
        yield* submit("buy-spy", orderId, 12, "SPY")
        yield* cycle
        sandbox.advance(1_000)
        yield* cycle
        return yield* row("buy-spy")
      })
    )
    expect(pick(first)).toMatchObject({ state: "PARTIALLY_FILLED", filledShares: "6" })
    // Second process on the same file: the stored tokens are reused, nothing is appended twice.
    const second = await withApp(
      Effect.gen(function* () {
        yield* cycle
        const unchanged = yield* row("buy-spy")
        sandbox.advance(2_000)
        yield* cycle
        yield* cycle
        return { unchanged, final: yield* row("buy-spy"), keys: yield* fillKeys("buy-spy") }
      })
    )
    expect(second.unchanged.streamVersion).toBe(first.streamVersion)
    expect(pick(second.final)).toEqual({
      status: "FILLED",
      state: "FILLED",
      filledShares: "12",
      priceCents: 56001n
    })
    const expected = expectedExecution(sandbox, orderId)
    expect(new Set(second.keys).size).toBe(second.keys.length)
    expect([...second.keys].sort()).toEqual([...expected.fillKeys].sort())
    expect(second.final.priceCents).toBe(expected.priceCents)
    expect(sandbox.requests().filter((r) => r.name === "token")).toHaveLength(1)
  })
})

describe("recordSubmission", () => {
  it("is idempotent for the same submission and refuses a conflicting one", async () => {
    const orderId = sandbox.seedOrder(accountOf(sandbox), { symbol: "AAPL", quantity: 3 })
    const r = await withAuthorizedApp(
      Effect.gen(function* () {
        const a = yield* submit("dup-1", orderId, 3)
        const b = yield* submit("dup-1", orderId, 3)
        const conflict = yield* Effect.flip(submit("dup-1", orderId, 4))
        const stream = yield* Effect.flatMap(EventStore, (s) => s.readStream("dup-1" as ExecutionId))
        return { a, b, conflict, events: stream.events.length }
      })
    )
    expect(r.b).toEqual(r.a)
    expect(r.events).toBe(1)
    expect(r.conflict._tag).toBe("SubmissionConflict")
    expect(r.conflict._tag === "SubmissionConflict" && r.conflict.fields).toEqual(["shares"])
  })

  it("the same execution id with any other field is a conflict naming it; nothing more is recorded", async () => {
    const orderId = sandbox.seedOrder(accountOf(sandbox), { symbol: "AAPL", quantity: 3 })
    const other = sandbox.seedOrder(accountOf(sandbox), { symbol: "AAPL", quantity: 3 })
    // An hour ago: submissions must be within a day of now (a fixed date ages out of that).
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000)
    const base = {
      executionId: "dup-2",
      orderId,
      accountHash: accountOf(sandbox),
      symbol: "AAPL",
      shares: 3,
      direction: "BUY" as const,
      submittedAt: at.toISOString(),
      referencePrice: "150.25"
    }
    const r = await withAuthorizedApp(
      Effect.gen(function* () {
        const tracker = yield* FillTracker
        yield* tracker.recordSubmission(base)
        // The same fields again, a decimal written with another scale, or no submittedAt: the same.
        yield* tracker.recordSubmission({ ...base, referencePrice: "150.250" })
        const { submittedAt: _at, ...untimed } = base
        yield* tracker.recordSubmission(untimed)
        const conflicts = []
        const { referencePrice: _price, ...unpriced } = base
        for (const changed of [
          { ...base, referencePrice: "150.26" },
          unpriced,
          { ...base, submittedAt: new Date(at.getTime() + 1000).toISOString() },
          { ...base, orderId: other },
          { ...base, symbol: "MSFT" },
          { ...base, direction: "SELL" as const }
        ])
          conflicts.push(yield* Effect.flip(tracker.recordSubmission(changed)))
        const stream = yield* Effect.flatMap(EventStore, (s) => s.readStream("dup-2" as ExecutionId))
        return { conflicts, events: stream.events.length }
      })
    )
    expect(r.events).toBe(1)
    expect(r.conflicts.map((e) => e._tag === "SubmissionConflict" && e.fields)).toEqual([
      ["referencePrice"],
      ["referencePrice"],
      ["submittedAt"],
      ["orderId"],
      ["symbol"],
      ["direction"]
    ])
  })

  it("an account by plain number is stored as its hash; an unknown one is refused and nothing recorded", async () => {
    const orderId = sandbox.seedOrder(accountOf(sandbox), { symbol: "AAPL", quantity: 3 })
    const number = sandbox.accounts[0]!.accountNumber
    const r = await withAuthorizedApp(
      Effect.gen(function* () {
        const tracker = yield* FillTracker
        const input = { orderId, symbol: "AAPL", shares: 3, direction: "BUY" as const }
        const row = yield* tracker.recordSubmission({ ...input, executionId: "acct-1", accountHash: number })
        const refused = []
        for (const account of ["98765432", "NOT0A0KNOWN0HASH"])
          refused.push(
            yield* Effect.flip(
              tracker.recordSubmission({ ...input, executionId: `acct-${account}`, accountHash: account })
            )
          )
        const streams = yield* Effect.forEach(["acct-98765432", "acct-NOT0A0KNOWN0HASH"], (id) =>
          Effect.flatMap(EventStore, (s) => s.readStream(id as ExecutionId))
        )
        return { row, refused, streams }
      })
    )
    expect(r.row.accountHash).toBe(accountOf(sandbox))
    expect(r.refused.map((e) => e._tag === "InvalidAccount" && e.reason)).toEqual(["Unknown", "Unknown"])
    expect(r.refused[0]?.message).toContain("****5432")
    expect(r.refused[0]?.message).not.toContain("98765432")
    expect(r.refused[1]?.message).toContain("NOT0A0KNOWN0HASH")
    expect(r.streams.map((s) => s.version)).toEqual([0, 0])
  })

  it("an order id another execution follows is refused naming that execution; nothing is recorded", async () => {
    const orderId = sandbox.seedOrder(accountOf(sandbox), { symbol: "AAPL", quantity: 3 })
    const r = await withAuthorizedApp(
      Effect.gen(function* () {
        yield* submit("owner-1", orderId, 3)
        const error = yield* Effect.flip(submit("intruder-1", orderId, 3))
        const stream = yield* Effect.flatMap(EventStore, (s) => s.readStream("intruder-1" as ExecutionId))
        const row = yield* Effect.flatMap(FillTracker, (t) => t.getExecution("intruder-1"))
        return { error, events: stream.events.length, row }
      })
    )
    expect(r.error._tag).toBe("OrderAlreadyFollowed")
    expect(r.error._tag === "OrderAlreadyFollowed" && r.error.followedBy).toBe("owner-1")
    expect(r.error.message).toContain("owner-1")
    expect(r.events).toBe(0)
    expect(Option.isNone(r.row)).toBe(true)
  })

  it("refuses an invalid submission naming each bad field, and records nothing", async () => {
    const r = await withAuthorizedApp(
      Effect.gen(function* () {
        const tracker = yield* FillTracker
        const error = yield* Effect.flip(
          tracker.recordSubmission({
            executionId: "",
            orderId: "not-a-number",
            accountHash: accountOf(sandbox),
            symbol: "AAPL",
            shares: "-3",
            direction: "HOLD" as "BUY",
            referencePrice: "1.2.3"
          })
        )
        return { error, open: yield* tracker.listOpen() }
      })
    )
    expect(r.error._tag).toBe("InvalidSubmission")
    if (r.error._tag !== "InvalidSubmission") return
    const fields = r.error.problems.map((p) => p.split(":")[0])
    expect(fields).toEqual(["executionId", "orderId", "shares", "direction", "referencePrice"])
    expect(r.open).toEqual([])
  })
})
