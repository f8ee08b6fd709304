/**
 * The binary against hostile text: what a store holds is printed with its control, bidi
 * and zero-width characters escaped (status table, status --json, show), and a hostile
 * `submit` exits 2 naming each field, with nothing recorded.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import {
  type AccountHash,
  Decimal,
  type ExecutionId,
  instantFromDate,
  type OrderId,
  type Shares,
  type TickerSymbol
} from "@fill-tracker/domain"
import { EventStore, Store } from "@fill-tracker/store"
import { Chunk, Effect, Stream } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { builtBinary, startNode } from "./child.js"
import { tempDir } from "./support.js"

// The binary as users run it (test/globalSetup.ts bundles it when a source is newer).
const cli = (args: ReadonlyArray<string>) => startNode([builtBinary, ...args]).done

/** Characters a terminal acts on or hides: none may reach the CLI's output. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/u

const HOSTILE_SYMBOL = "\u001b]8;;https://evil.example\u0007AA\u202ePL\u200b\u0000\u001b[2J\u009b31m"

const onStore = <A, E>(database: string, program: Effect.Effect<A, E, EventStore>) =>
  Effect.runPromise(program.pipe(Effect.provide(Store.layerFromUrl(database)), Effect.scoped))

let dir: string
let database: string

beforeAll(async () => {
  dir = tempDir("cli-hostile")
  database = path.join(dir, "old.db")
  // What an older version (which took any symbol) may have stored.
  await onStore(
    database,
    Effect.flatMap(EventStore, (store) =>
      store.append(
        "old-1" as ExecutionId,
        0,
        [
          {
            type: "Submitted",
            executionId: "old-1" as ExecutionId,
            orderId: "1001" as OrderId,
            accountHash: "HASH1" as AccountHash,
            symbol: HOSTILE_SYMBOL as TickerSymbol,
            shares: Decimal.fromBigInt(3n) as Shares,
            direction: "BUY",
            submittedAt: instantFromDate(new Date())
          }
        ],
        { source: "recordSubmission" }
      )
    )
  )
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

// The time limits only stop a child that never ends (a loaded machine is slow to start one).
describe.concurrent("the binary prints stored text escaped", () => {
  it("status (the table)", async () => {
    const r = await cli(["status", "--database", database])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("old-1")
    expect(r.stdout).not.toMatch(UNSAFE)
    expect(r.stdout).toContain("\\u{001b}]8;;https://evil.example\\u{0007}AA\\u{202e}PL")
  })

  it("status --json: no raw control character, and the line parses back to what is stored", async () => {
    const r = await cli(["status", "--json", "--database", database])
    expect(r.code).toBe(0)
    expect(r.stdout).not.toMatch(UNSAFE)
    expect((JSON.parse(r.stdout.trim()) as { symbol: string }).symbol).toBe(HOSTILE_SYMBOL)
  })

  it("show", async () => {
    const r = await cli(["show", "--database", database, "old-1"])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("Submitted")
    expect(r.stdout).not.toMatch(UNSAFE)
  })

  it("show of a hostile id names it escaped on stderr", async () => {
    const r = await cli(["show", "--database", database, "x\u001b[2Jy"])
    expect(r.code).not.toBe(0)
    expect(r.stderr).toContain("x\\u{001b}[2Jy")
    expect(r.stderr).not.toMatch(UNSAFE)
  })

  it("submit of hostile fields exits 2 naming each, and records nothing", async () => {
    const fresh = path.join(dir, "fresh.db")
    const r = await cli([
      "submit",
      "--database",
      fresh,
      "--execution-id",
      "h-1",
      "--account",
      "HASH1",
      "--order-id",
      "0",
      "--symbol",
      "AAPL\u001b[31m\u202e",
      "--shares",
      "1e100",
      "--direction",
      "BUY",
      "--submitted-at",
      "0001-01-01T00:00:00.000Z"
    ])
    expect(r.code).toBe(2)
    for (const field of ["orderId:", "symbol:", "shares:", "submittedAt:"]) expect(r.stderr).toContain(field)
    expect(r.stderr).not.toMatch(UNSAFE)
    if (fs.existsSync(fresh)) {
      const events = await onStore(
        fresh,
        Effect.flatMap(EventStore, (s) => Stream.runCollect(s.readAll()))
      )
      expect(Chunk.size(events)).toBe(0)
    }
  })
})
