/**
 * `status --watch` and `show --follow` run as the built binary while other processes
 * record into the same store (a SQLite file, a postgres:// database): the new fills show
 * as they are recorded, a signal stops the follower with exit 0, and a pipe gets no escape
 * codes. Every wait is on the output, never on a sleep.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { SqlClient } from "@effect/sql"
import { type ExecutionId, TradeEvent } from "@fill-tracker/domain"
import { EventStore, Store } from "@fill-tracker/store"
import { type Postgres, startPostgres } from "@fill-tracker/store/testing"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { builtBinary, startNode, until } from "./child.js"
import { tempDir } from "./support.js"

// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for the escape character itself
const ESCAPE = /\x1b/

const bin = (args: ReadonlyArray<string>, database: string) =>
  startNode([builtBinary, ...args], { FILL_TRACKER_DATABASE: database })

const decode = (value: unknown): TradeEvent => {
  const r = TradeEvent.decode(value)
  if (r._tag === "Left") throw new Error(`fixture does not decode: ${JSON.stringify(value)}`)
  return r.right
}

const submitted = (id: string, orderId: string) =>
  decode({
    type: "Submitted",
    executionId: id,
    orderId,
    accountHash: "HASH0123456789",
    symbol: "AAPL",
    shares: "3",
    direction: "BUY",
    submittedAt: new Date(Date.now() - 60_000).toISOString()
  })

const legFilled = (id: string, orderId: string, fillKey: string, quantity: string) =>
  decode({
    type: "LegFilled",
    executionId: id,
    orderId,
    fillKey,
    quantity,
    price: "150.25",
    executedAt: new Date().toISOString()
  })

const filled = (id: string, orderId: string) =>
  decode({
    type: "Filled",
    executionId: id,
    orderId,
    filledShares: "3",
    notional: "450.75",
    averagePrice: "150.25",
    priceCents: "15025",
    closedAt: new Date().toISOString(),
    legs: [
      { legId: "1", filledQuantity: "3", notional: "450.75", averagePrice: "150.25", priceCents: "15025" }
    ]
  })

/** Appends `events` to `id` at `expected` in the store at `location`, from this (the test's) process. */
const append = (location: string, id: string, expected: number, events: ReadonlyArray<TradeEvent>) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.provide(
        Effect.flatMap(EventStore, (s) => s.append(id as ExecutionId, expected, events)),
        Store.layerFromUrl(location)
      )
    )
  )

/** A `submit` by another binary process. */
const submitByBinary = async (location: string, id: string, orderId: string) => {
  const r = await bin(
    [
      "submit",
      "--execution-id",
      id,
      "--order-id",
      orderId,
      "--account",
      "HASH0123456789",
      "--symbol",
      "MSFT",
      "--shares",
      "2",
      "--direction",
      "sell"
    ],
    location
  ).done
  expect(r.stderr).toBe("")
  expect(r.code).toBe(0)
}

const jsonLines = (stdout: string) =>
  stdout
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as { executionId: string; state: string; filledShares: string })

/** The scenarios, on a store at `location` (a fresh SQLite file or a fresh PostgreSQL database). */
const scenarios = (backend: string, location: () => Promise<string>) => {
  it(`${backend}: status --watch --json prints each change another process records, SIGTERM exits 0`, async () => {
    const db = await location()
    await append(db, "w-old", 0, [submitted("w-old", "5001")])
    const watch = bin(["status", "--watch", "--json", "--interval", "50ms"], db)
    await until(() => watch.out.stdout.includes('"executionId":"w-old"'), "the first answer")
    await submitByBinary(db, "w-new", "5002")
    await until(() => watch.out.stdout.includes('"executionId":"w-new"'), "the new submission")
    await append(db, "w-old", 1, [legFilled("w-old", "5001", "a:0", "1")])
    await until(() => watch.out.stdout.includes('"state":"PARTIALLY_FILLED"'), "the first fill")
    await append(db, "w-old", 2, [legFilled("w-old", "5001", "a:1", "2"), filled("w-old", "5001")])
    await until(() => watch.out.stdout.includes('"state":"FILLED"'), "the last fill")
    watch.child.kill("SIGTERM")
    const r = await watch.done
    expect(r.signal).toBeNull()
    expect(r.code).toBe(0)
    const lines = jsonLines(r.stdout)
    expect(lines.map((l) => [l.executionId, l.state, l.filledShares])).toEqual([
      ["w-old", "SUBMITTED", "0"],
      ["w-new", "SUBMITTED", "0"],
      ["w-old", "PARTIALLY_FILLED", "1"],
      ["w-old", "FILLED", "3"]
    ])
  })

  it(`${backend}: status --watch keeps to its filters, prints a plain table to a pipe, SIGINT exits 0`, async () => {
    const db = await location()
    await append(db, "t-aapl", 0, [submitted("t-aapl", "6001")])
    const watch = bin(["status", "--watch", "--symbol", "AAPL", "--interval", "50ms"], db)
    await until(() => watch.out.stdout.includes("t-aapl"), "the first table")
    await submitByBinary(db, "t-msft", "6002")
    await append(db, "t-aapl", 1, [legFilled("t-aapl", "6001", "a:0", "3"), filled("t-aapl", "6001")])
    await until(() => /t-aapl +FILLED/.test(watch.out.stdout), "the fill")
    watch.child.kill("SIGINT")
    const r = await watch.done
    expect(r.code).toBe(0)
    expect(r.stdout).not.toMatch(ESCAPE)
    expect(r.stderr).not.toMatch(ESCAPE)
    // The MSFT submission was recorded before the fill, and the filter kept it out.
    expect(r.stdout).not.toContain("t-msft")
    const rows = r.stdout.split("\n").filter((l) => l.startsWith("t-aapl"))
    expect(rows.map((l) => l.split(/ +/)[1])).toEqual(["SUBMITTED", "FILLED"])
  })

  it(`${backend}: show --follow prints the execution's new events as they are recorded, and only its own`, async () => {
    const db = await location()
    await append(db, "f-1", 0, [submitted("f-1", "7001")])
    await append(db, "f-2", 0, [submitted("f-2", "7002")])
    const follow = bin(["show", "f-1", "--follow", "--interval", "50ms"], db)
    await until(() => follow.out.stdout.includes("#1 "), "the history")
    await append(db, "f-2", 1, [legFilled("f-2", "7002", "b:0", "3")])
    await append(db, "f-1", 1, [legFilled("f-1", "7001", "a:0", "1")])
    await until(() => follow.out.stdout.includes("#2 "), "the first fill")
    await append(db, "f-1", 2, [legFilled("f-1", "7001", "a:1", "2"), filled("f-1", "7001")])
    await until(() => follow.out.stdout.includes(" Filled "), "the last fill")
    follow.child.kill("SIGTERM")
    const r = await follow.done
    expect(r.code).toBe(0)
    expect(r.stdout).not.toMatch(ESCAPE)
    expect(r.stdout).not.toContain('"executionId":"f-2"')
    const lines = r.stdout.split("\n").filter((l) => l !== "")
    expect(
      lines.map((l) =>
        l
          .split(" ")
          .slice(0, 1)
          .concat(l.split(" ")[3] ?? "")
      )
    ).toEqual([
      ["#1", "Submitted"],
      ["#2", "LegFilled"],
      ["#3", "LegFilled"],
      ["#4", "Filled"]
    ])
  })
}

describe.concurrent("following the store from the binary", () => {
  let dir: string
  let n = 0
  beforeAll(() => {
    dir = tempDir("following")
  })
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true })
  })
  scenarios("SQLite", async () => path.join(dir, `store-${++n}.db`))

  it("--interval names a duration and refuses one that is not", async () => {
    const r = await bin(["status", "--watch", "--interval", "soon"], path.join(dir, "x.db")).done
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--interval: "soon" is not a duration')
  })
})

describe.concurrent("following a postgres:// store from the binary", () => {
  let pg: Postgres
  let n = 0
  beforeAll(async () => {
    pg = await startPostgres()
  })
  afterAll(async () => {
    await pg?.stop()
  })
  // Each scenario on a database of its own, so one's executions never show in another's watch.
  scenarios("PostgreSQL", async () => {
    const name = `follow_${++n}`
    await Effect.runPromise(
      Effect.scoped(
        Effect.provide(
          Effect.flatMap(SqlClient.SqlClient, (sql) => sql`CREATE DATABASE ${sql.literal(name)}`),
          Store.layerFromUrl(pg.url)
        )
      )
    )
    return pg.urlOf(name)
  })
})
