/**
 * The binary's store: every command opens the configured database the same way (SQLite or
 * postgres://), read-only commands never create a SQLite file, a newer schema is refused by
 * every command with the file unchanged, a damaged file is refused, and `check` / `replay`
 * look at the events themselves.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { SqlClient } from "@effect/sql"
import { type ExecutionId, TradeEvent } from "@fill-tracker/domain"
import { startSandbox } from "@fill-tracker/schwab-sandbox"
import { EventStore, Executions, Store } from "@fill-tracker/store"
import { type Postgres, startPostgres } from "@fill-tracker/store/testing"
import { Effect, Option } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { builtBinary, serviceEnv, startNode } from "./child.js"
import { tempDir } from "./support.js"

const cli = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  startNode([builtBinary, ...args], env).done

const decode = (value: unknown): TradeEvent => {
  const r = TradeEvent.decode(value)
  if (r._tag === "Left") throw new Error(`fixture does not decode: ${JSON.stringify(value)}`)
  return r.right
}

const leg = {
  legId: "1",
  filledQuantity: "3",
  notional: "450.75",
  averagePrice: "150.25",
  priceCents: "15025"
}
/** One execution filled in two fills whose totals add up, one still open. */
const history = (id: string, orderId: string, ending: boolean): ReadonlyArray<TradeEvent> => [
  decode({
    type: "Submitted",
    executionId: id,
    orderId,
    accountHash: "HASH0123456789",
    symbol: "AAPL",
    shares: "3",
    direction: "BUY",
    submittedAt: "2025-08-29T14:00:00.000Z"
  }),
  ...[
    ["a:0", "1"],
    ["a:1", "2"]
  ].map(([fillKey, quantity]) =>
    decode({
      type: "LegFilled",
      executionId: id,
      orderId,
      fillKey,
      quantity,
      price: "150.25",
      executedAt: "2025-08-29T14:01:00.000Z"
    })
  ),
  ...(ending
    ? [
        decode({
          type: "Filled",
          executionId: id,
          orderId,
          filledShares: "3",
          notional: "450.75",
          averagePrice: "150.25",
          priceCents: "15025",
          closedAt: "2025-08-29T14:02:00.000Z",
          legs: [leg]
        })
      ]
    : [])
]

/** Writes the two executions into a new store at `location` (a file or a postgres:// URL). */
const seed = (location: string) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.provide(
        Effect.gen(function* () {
          const store = yield* EventStore
          yield* store.append("cli-aapl" as ExecutionId, 0, history("cli-aapl", "1001", true))
          yield* store.append("cli-msft" as ExecutionId, 0, history("cli-msft", "1002", false))
        }),
        Store.layerFromUrl(location)
      )
    )
  )

/** Runs SQL on the store at `location`. */
const onStore = <A>(location: string, body: (sql: SqlClient.SqlClient) => Effect.Effect<A, unknown>) =>
  Effect.runPromise(
    Effect.scoped(Effect.provide(Effect.flatMap(SqlClient.SqlClient, body), Store.layerFromUrl(location)))
  )

const readOnly: ReadonlyArray<ReadonlyArray<string>> = [
  ["status"],
  ["show", "cli-aapl"],
  ["check"],
  ["replay"],
  ["replay", "--verify"]
]

describe.concurrent("the binary's store", () => {
  let dir: string
  beforeAll(() => {
    dir = tempDir("cli-store")
  })
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it("read-only commands refuse a missing SQLite file (exit 2) and do not create it", async () => {
    const missing = path.join(dir, "typo.db")
    const runs = await Promise.all(readOnly.map((args) => cli([...args, "--database", missing])))
    for (const [i, r] of runs.entries()) {
      expect(r.code, readOnly[i]?.join(" ")).toBe(2)
      expect(r.stderr).toContain("the SQLite file does not exist")
    }
    expect(fs.existsSync(missing)).toBe(false)
    expect(fs.readdirSync(dir).filter((f) => f.startsWith("typo"))).toEqual([])
  })

  it("accounts, which only asks Schwab, refuses a missing SQLite file too and does not create it", async () => {
    const missing = path.join(dir, "accounts-typo.db")
    const sandbox = await startSandbox({ seed: 4 })
    try {
      const r = await cli(["accounts"], serviceEnv(sandbox, missing))
      expect(r.code).toBe(2)
      expect(r.stderr).toContain("the SQLite file does not exist")
    } finally {
      await sandbox.close()
    }
    expect(fs.readdirSync(dir).filter((f) => f.startsWith("accounts-typo"))).toEqual([])
  })

  it("a store migrated by a newer binary is refused by every command, naming both versions, file unchanged", async () => {
    const database = path.join(dir, "future.db")
    await seed(database)
    await onStore(
      database,
      (sql) => sql`INSERT INTO store_migrations (migration_id, name) VALUES (9999, 'from_the_future')`
    )
    const before = fs.readFileSync(database)
    const sandbox = await startSandbox({ seed: 3 })
    try {
      const env = serviceEnv(sandbox, database)
      const commands: ReadonlyArray<ReadonlyArray<string>> = [
        ...readOnly,
        [
          "submit",
          "--execution-id",
          "hand-1",
          "--order-id",
          "77",
          "--account",
          "HASH0123456789",
          "--symbol",
          "AAPL",
          "--shares",
          "1",
          "--direction",
          "BUY"
        ],
        ["auth", "login", "--code", sandbox.issueAuthorizationCode()],
        ["run"]
      ]
      const runs = await Promise.all(commands.map((args) => cli(args, env)))
      for (const [i, r] of runs.entries()) {
        const what = commands[i]?.[0] ?? ""
        expect(r.code, what).toBe(2)
        expect(r.stderr, what).toMatch(/schema version 9999, newer than this fill-tracker knows \(\d+\)/)
      }
    } finally {
      await sandbox.close()
    }
    expect(fs.readFileSync(database).equals(before)).toBe(true)
  })

  it("a damaged SQLite file is refused at start-up (exit 2)", async () => {
    const database = path.join(dir, "damaged.db")
    await seed(database)
    const page = await onStore(database, (sql) =>
      Effect.map(
        sql<{
          rootpage: number
        }>`SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex_events_1'`,
        (rows) => rows[0]?.rootpage ?? 0
      )
    )
    const fd = fs.openSync(database, "r+")
    fs.writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, (page - 1) * 4096)
    fs.closeSync(fd)
    const r = await cli(["status", "--database", database])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("the SQLite file is damaged (quick_check)")
  })

  it("check passes a sound ledger; an edited fill price is found, replay refuses it unless --force", async () => {
    const database = path.join(dir, "tampered.db")
    await seed(database)
    const sound = await cli(["check", "--database", database])
    expect(sound.code).toBe(0)
    expect(sound.stdout).toContain("check: 7 event(s) in 2 stream(s), no finding")
    const edited = await onStore(database, (sql) =>
      Effect.gen(function* () {
        const rows = yield* sql<{
          position: number
        }>`SELECT position FROM events WHERE stream_id = 'cli-aapl' AND stream_version = 2`
        const position = rows[0]?.position ?? 0
        yield* sql`UPDATE events SET payload = replace(payload, '"price":"150.25"', '"price":"1.25"') WHERE position = ${position}`
        return position
      })
    )

    const found = await cli(["check", "--database", database])
    expect(found.code).toBe(1)
    expect(found.stdout).toContain(`BrokenLink at position ${edited} (stream "cli-aapl" version 2)`)
    expect(found.stdout).toContain("TotalMismatch")
    expect(found.stderr).toContain(`the hash chain first breaks at position ${edited}`)

    const verify = await cli(["replay", "--verify", "--database", database])
    expect(verify.code).toBe(1)
    expect(verify.stdout).toContain("BrokenLink")

    // A marker in the read model: a refused replay must leave it, a forced one rebuilds over it.
    await onStore(
      database,
      (sql) =>
        sql`UPDATE executions SET updated_at = '2000-01-01T00:00:00.000Z' WHERE execution_id = 'cli-aapl'`
    )
    const refused = await cli(["replay", "--database", database])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain("nothing was rebuilt")
    const untouched = await onStore(
      database,
      (sql) => sql<{ updated_at: string }>`SELECT updated_at FROM executions WHERE execution_id = 'cli-aapl'`
    )
    expect(untouched[0]?.updated_at).toBe("2000-01-01T00:00:00.000Z")

    const forced = await cli(["replay", "--force", "--database", database])
    expect(forced.code).toBe(0)
    expect(forced.stdout).toContain("replay: rebuilt 2 execution(s) from 7 event(s)")
    // Rebuilt over the marker, from the events as they are.
    const rebuilt = await onStore(
      database,
      (sql) => sql<{ updated_at: string }>`SELECT updated_at FROM executions WHERE execution_id = 'cli-aapl'`
    )
    expect(rebuilt[0]?.updated_at).not.toBe("2000-01-01T00:00:00.000Z")
  })
})

describe("the binary on postgres://", () => {
  let pg: Postgres
  beforeAll(async () => {
    pg = await startPostgres()
  })
  afterAll(async () => {
    await pg?.stop()
  })

  it("every command opens the PostgreSQL database", async () => {
    const url = pg.url
    await seed(url)
    const sandbox = await startSandbox({ seed: 5 })
    try {
      const env = serviceEnv(sandbox, url)
      const login = await cli(["auth", "login", "--code", sandbox.issueAuthorizationCode()], env)
      expect(login.stderr).not.toContain("SQLite")
      expect(login.code).toBe(0)
      const submit = await cli(
        [
          "submit",
          "--execution-id",
          "pg-hand-1",
          "--order-id",
          "4242",
          "--account",
          "HASH0123456789",
          "--symbol",
          "MSFT",
          "--shares",
          "2",
          "--direction",
          "SELL"
        ],
        env
      )
      expect(submit.stderr).toBe("")
      expect(submit.code).toBe(0)
      const status = await cli(["status", "--json"], env)
      expect(status.code).toBe(0)
      expect(status.stdout).toContain('"executionId":"pg-hand-1"')
      expect(status.stdout).toContain('"executionId":"cli-aapl"')
      const show = await cli(["show", "cli-aapl"], env)
      expect(show.code).toBe(0)
      expect(show.stdout).toContain("Filled")
      const check = await cli(["check"], env)
      expect(check.code).toBe(0)
      expect(check.stdout).toContain("check: 8 event(s) in 3 stream(s), no finding")
      const verify = await cli(["replay", "--verify"], env)
      expect(verify.code).toBe(0)
      const replay = await cli(["replay"], env)
      expect(replay.code).toBe(0)
      expect(replay.stdout).toContain("replay: rebuilt 3 execution(s) from 8 event(s)")
    } finally {
      await sandbox.close()
    }
    const row = await Effect.runPromise(
      Effect.scoped(
        Effect.provide(
          Effect.flatMap(Executions, (x) => x.byExecutionId("pg-hand-1" as ExecutionId)),
          Store.layerFromUrl(pg.url)
        )
      )
    )
    expect(Option.isSome(row)).toBe(true)
  })
})
