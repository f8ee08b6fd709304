import * as SqlClient from "@effect/sql/SqlClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as fc from "fast-check"
import { EventStore, type ExecutionRow, Executions, Replay } from "../src/index.js"
import { fingerprint } from "../src/internal/changedRows.js"
import { columns, toColumns } from "../src/internal/rowColumns.js"
import { executionId, failed, filled, flagged, legFilled, replaced, submitted } from "./support/events.js"
import { numRuns } from "./support/histories.js"
import { storeLayer, tempFile } from "./support/store.js"

const valueColumns = columns.filter((c) => c !== "execution_id")

/**
 * SQLite's `json_array` of a row as stored: written to a table with the executions table's
 * column types (its affinities turn a bound 1.0 into the integer 1, say) but not its CHECKs,
 * so any text can be tried.
 */
const sqliteFingerprint = (row: ExecutionRow) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TEMP TABLE IF NOT EXISTS probe AS SELECT * FROM executions WHERE false`
    yield* sql`DELETE FROM probe`
    yield* sql`INSERT INTO probe ${sql.insert(toColumns(row))}`
    const [out] = yield* sql<{
      fp: string
    }>`SELECT json_array(${sql.literal(valueColumns.join(", "))}) AS fp FROM probe`
    return out?.fp
  })

/** No control characters and no lone surrogates (a pair is one emoji, say). */
const isPlain = (s: string) => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x20) return false
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1)
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false
      i++
    } else if (c >= 0xdc00 && c <= 0xdfff) return false
  }
  return true
}
const rowOf = (text: fc.Arbitrary<string>, cents: fc.Arbitrary<bigint>): fc.Arbitrary<ExecutionRow> => {
  const textOrNull = fc.option(text, { nil: null })
  return (
    fc
      .record({
        executionId: fc.constant("e-1"),
        status: text,
        state: text,
        orderId: text,
        originalOrderId: text,
        accountHash: text,
        symbol: text,
        shares: text,
        direction: text,
        filledShares: text,
        notional: textOrNull,
        averagePrice: textOrNull,
        priceCents: fc.option(cents, { nil: null }),
        legId: textOrNull,
        legs: fc.option(
          fc.array(
            fc.record({
              legId: text,
              filledQuantity: text,
              notional: text,
              averagePrice: text,
              priceCents: text
            }),
            { maxLength: 2 }
          ),
          { nil: null }
        ),
        flagCount: fc.nat(),
        lastFlagKind: textOrNull,
        reason: textOrNull,
        brokerStatus: textOrNull,
        submittedAt: text,
        executedAt: textOrNull,
        failedAt: textOrNull,
        streamVersion: fc.integer({ min: 1, max: 2 ** 31 }),
        updatedAt: text,
        request: textOrNull,
        requestedAt: textOrNull
      })
      // The fingerprint reads fields only; brands do not matter to it.
      .map((r) => r as unknown as ExecutionRow)
  )
}
/** Any text (control characters, lone surrogates) and cents past 2^53. */
const anyRow = rowOf(
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.bigInt({ min: -(2n ** 60n), max: 2n ** 60n })
)
/** Text without control characters or lone surrogates (quotes, backslashes, emoji, any script). */
const plainRow = rowOf(
  fc.string({ unit: "binary", maxLength: 12 }).filter(isPlain),
  fc.bigInt({ min: -(2n ** 53n) + 1n, max: 2n ** 53n - 1n })
)

const exactCents = (r: ExecutionRow) =>
  r.priceCents === null ||
  (r.priceCents <= BigInt(Number.MAX_SAFE_INTEGER) && r.priceCents >= -BigInt(Number.MAX_SAFE_INTEGER))

/** Runs a property with SQLite's `json_array` at hand (one store file for all its runs). */
const propertyWithSqlite = (
  row: fc.Arbitrary<ExecutionRow>,
  property: (r: ExecutionRow, sqlite: (r: ExecutionRow) => Promise<string | undefined>) => Promise<void>
) =>
  Effect.scoped(
    Effect.gen(function* () {
      const file = yield* tempFile
      yield* Effect.provide(
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          const sqlite = (r: ExecutionRow) =>
            Effect.runPromise(Effect.provideService(sqliteFingerprint(r), SqlClient.SqlClient, sql))
          yield* Effect.promise(() =>
            fc.assert(
              fc.asyncProperty(row, (r) => property(r, sqlite)),
              { numRuns: numRuns(200) }
            )
          )
        }),
        storeLayer(file)
      )
    })
  )

describe("changed rows by fingerprint (SQLite)", () => {
  it.effect("property: a fingerprint is the JSON of the row's values, and SQLite's json_array is too", () =>
    propertyWithSqlite(anyRow, async (r, sqlite) => {
      const cols = toColumns(r)
      const expected = valueColumns.map((c) => {
        const v = cols[c]
        return typeof v === "bigint" ? Number(v) : v
      })
      const fp = fingerprint(r)
      // Past 2^53 cents cannot be rendered exactly: no fingerprint, so the row is written.
      if (!exactCents(r)) return assert.isUndefined(fp)
      assert.deepStrictEqual(JSON.parse(fp as string), expected)
      // Equal texts then mean equal values: SQLite's text decodes to the row's values too
      // (whatever escapes it spells them with).
      assert.deepStrictEqual(JSON.parse((await sqlite(r)) as string), expected)
    })
  )

  it.effect("property: without control characters, a fingerprint is exactly SQLite's json_array", () =>
    // Control characters may be escaped differently: such a row is just rewritten.
    propertyWithSqlite(plainRow, async (r, sqlite) => {
      assert.strictEqual(fingerprint(r), await sqlite(r))
      const awkward = { ...r, reason: `a "q" \\ é 😀 ' \u2028` }
      assert.strictEqual(fingerprint(awkward), await sqlite(awkward))
    })
  )

  it.scoped("a rebuild over an intact model rewrites no row; a changed or missing row is written", () =>
    Effect.gen(function* () {
      const file = yield* tempFile
      yield* Effect.provide(
        Effect.gen(function* () {
          const store = yield* EventStore
          const sql = yield* SqlClient.SqlClient
          yield* store.append(executionId("f-1"), 0, [
            submitted("f-1", "6001"),
            legFilled("f-1", "6001", "a", "4", "10.5", { legId: "1" }),
            legFilled("f-1", "6001", "b", "6", "20", { legId: "2" }),
            flagged("f-1", "6001")
          ])
          yield* store.append(executionId("f-2"), 0, [
            submitted("f-2", "6002"),
            failed("f-2", "6002", "CANCELED")
          ])
          yield* store.append(executionId("f-3"), 0, [
            submitted("f-3", "6003"),
            replaced("f-3", "6003", "6004"),
            legFilled("f-3", "6004", "k", "10", "150.25"),
            filled("f-3", "6004")
          ])
          const before = yield* (yield* Executions).query({})
          assert.isTrue(before.some((r) => r.legs !== null && r.legs.length === 2))
          yield* sql`CREATE TABLE writes (execution_id TEXT)`
          yield* sql.unsafe(
            `CREATE TRIGGER count_updates AFTER UPDATE ON executions BEGIN INSERT INTO writes VALUES (new.execution_id); END`
          )
          yield* sql.unsafe(
            `CREATE TRIGGER count_inserts AFTER INSERT ON executions BEGIN INSERT INTO writes VALUES (new.execution_id); END`
          )
          const written = () =>
            sql<{ execution_id: string }>`SELECT execution_id FROM writes ORDER BY execution_id`
          assert.deepStrictEqual(yield* (yield* Replay).rebuild(), { events: 10, executions: 3 })
          assert.deepStrictEqual(yield* written(), [])
          yield* sql`UPDATE executions SET symbol = 'MSFT' WHERE execution_id = 'f-2'`
          yield* sql`DELETE FROM execution_orders WHERE execution_id = 'f-3'`
          yield* sql`DELETE FROM executions WHERE execution_id = 'f-3'`
          yield* sql`DELETE FROM writes`
          yield* (yield* Replay).rebuild()
          assert.deepStrictEqual(
            (yield* written()).map((w) => w.execution_id),
            ["f-2", "f-3"]
          )
          assert.deepStrictEqual(yield* (yield* Executions).query({}), before)
        }),
        storeLayer(file)
      )
    })
  )
})
