/**
 * Hostile submissions: each is refused with InvalidSubmission naming the field, and nothing
 * is recorded (no event, no execution row), through the real store on a SQLite file.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import type { Sandbox } from "@fill-tracker/schwab-sandbox"
import { EventStore, Executions } from "@fill-tracker/store"
import { Chunk, Effect, Stream } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { FillTracker } from "../src/tracker/FillTracker.js"
import { InvalidSubmission, type SubmissionInput } from "../src/tracker/Submission.js"
import { accountOf, manualSandbox, runApp, tempDir, testConfig } from "./support.js"

let dir: string
let sandbox: Sandbox

beforeEach(async () => {
  dir = tempDir("submission-limits")
  sandbox = await manualSandbox()
})
afterEach(async () => {
  await sandbox.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const DAY_MS = 86_400_000

const hostile: ReadonlyArray<[string, keyof SubmissionInput, unknown]> = [
  ["shares 1e100 (a number)", "shares", 1e100],
  ["shares 1e100 (text)", "shares", "1e100"],
  ["shares 10^30", "shares", 10n ** 30n],
  ["shares 10^30 as text", "shares", (10n ** 30n).toString()],
  ["shares one past the maximum", "shares", 10_000_001],
  ["shares 0", "shares", 0],
  ["a symbol with NUL", "symbol", "AAPL\u0000"],
  ["a symbol with an ANSI escape", "symbol", "\u001b[31mAAPL\u001b[0m"],
  ["a symbol with an OSC 8 link", "symbol", "\u001b]8;;https://evil.example\u0007AAPL\u001b]8;;\u0007"],
  ["a symbol with a bidi override", "symbol", "AAPL\u202eLPAA"],
  ["a symbol with a zero-width space", "symbol", "AA\u200bPL"],
  ["a symbol with a zero-width joiner", "symbol", "AAPL\u200d"],
  ["a lower-case symbol", "symbol", "aapl"],
  ["order id 0", "orderId", "0"],
  ["order id 000", "orderId", "000"],
  ["order id past int64", "orderId", "9223372036854775808"],
  ["submittedAt in year 1", "submittedAt", "0001-01-01T00:00:00.000Z"],
  ["submittedAt in 2999", "submittedAt", "2999-01-01T00:00:00.000Z"],
  ["submittedAt a day and a minute ago", "submittedAt", "DAY_AGO"]
]

describe("a hostile submission", () => {
  for (const [what, field, value] of hostile)
    it(`${what}: InvalidSubmission naming ${field}, nothing recorded`, async () => {
      const r = await runApp(
        testConfig(sandbox, path.join(dir, "fills.db")),
        Effect.gen(function* () {
          const tracker = yield* FillTracker
          const input: SubmissionInput = {
            executionId: "hostile-1",
            orderId: "1001",
            accountHash: accountOf(sandbox),
            symbol: "AAPL",
            shares: 3,
            direction: "BUY",
            [field]: value === "DAY_AGO" ? new Date(Date.now() - DAY_MS - 60_000) : value
          }
          const error = yield* Effect.flip(tracker.recordSubmission(input))
          const events = yield* Stream.runCollect((yield* EventStore).readAll())
          const rows = yield* (yield* Executions).open()
          return { error, events: Chunk.size(events), rows: rows.length }
        })
      )
      expect(r.error).toBeInstanceOf(InvalidSubmission)
      const problems = (r.error as InvalidSubmission).problems
      expect(problems).toHaveLength(1)
      expect(problems[0]?.startsWith(`${field}: `)).toBe(true)
      // The refused value is shown escaped: nothing outside printable ASCII reaches a log.
      expect(r.error.message).toMatch(/^[\x20-\x7e]*$/)
      expect(r.events).toBe(0)
      expect(r.rows).toBe(0)
    })

  it("every problem at once, and the good fields not named", async () => {
    const r = await runApp(
      testConfig(sandbox, path.join(dir, "fills.db")),
      Effect.flatMap(FillTracker, (t) =>
        Effect.flip(
          t.recordSubmission({
            executionId: "hostile-2",
            orderId: "0",
            accountHash: accountOf(sandbox),
            symbol: "AAPL\u0000",
            shares: "1e100",
            direction: "BUY",
            submittedAt: "2999-01-01T00:00:00.000Z"
          })
        )
      )
    )
    expect((r as InvalidSubmission).problems.map((p) => p.split(":")[0])).toEqual([
      "orderId",
      "symbol",
      "shares",
      "submittedAt"
    ])
  })

  it("the edges are accepted: the maximum shares, an option symbol, a time just within a day", async () => {
    const r = await runApp(
      testConfig(sandbox, path.join(dir, "fills.db")),
      Effect.flatMap(FillTracker, (t) =>
        t.recordSubmission({
          executionId: "edge-1",
          orderId: "9223372036854775807",
          accountHash: accountOf(sandbox),
          symbol: "SPY   250919C00500000",
          shares: 10_000_000,
          direction: "BUY",
          submittedAt: new Date(Date.now() - DAY_MS + 60_000)
        })
      )
    )
    expect(r.shares).toBe("10000000")
    expect(r.symbol).toBe("SPY   250919C00500000")
  })
})
