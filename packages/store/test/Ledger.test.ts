/** Ledger.check on every backend: a sound ledger has no finding, and each kind of tampering is found. */
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import { assert, describe, it } from "@effect/vitest"
import { Decimal as D, type LegFilled, summarizeLegs, TradeEvent, totalsOf } from "@fill-tracker/domain"
import * as Effect from "effect/Effect"
import * as fc from "fast-check"
import { EventStore, type FindingKind, Ledger, Replay } from "../src/index.js"
import { eventHash } from "../src/internal/eventHash.js"
import { migrations } from "../src/internal/migrations.js"
import { backends } from "./support/backends.js"
import {
  cancelRequested,
  executionId,
  failed,
  filled,
  legFilled,
  placementRequested,
  replaced,
  replaceRequested,
  requestLapsed,
  submitted,
  unplaced
} from "./support/events.js"
import { numRuns } from "./support/histories.js"

const leg = (
  legId: string,
  quantity: string,
  notional: string,
  averagePrice: string,
  priceCents: string
) => ({
  legId,
  filledQuantity: quantity,
  notional,
  averagePrice,
  priceCents
})

/** Streams whose totals add up: filled, canceled after a partial fill, still open, and intents. */
const sound: ReadonlyArray<readonly [string, ReadonlyArray<TradeEvent>]> = [
  [
    "e-1",
    [
      submitted("e-1", "1001"),
      legFilled("e-1", "1001", "a:0", "4", "150.25"),
      legFilled("e-1", "1001", "a:1", "6", "150.25"),
      filled("e-1", "1001", { legs: [leg("1", "10", "1502.5", "150.25", "15025")] })
    ]
  ],
  [
    "e-2",
    [
      submitted("e-2", "2001"),
      legFilled("e-2", "2001", "b:0", "3", "10.5"),
      failed("e-2", "2001", "CANCELED", {
        filledShares: "3",
        totals: { notional: "31.5", averagePrice: "10.5", priceCents: "1050" },
        legs: [leg("1", "3", "31.5", "10.5", "1050")]
      })
    ]
  ],
  ["e-3", [submitted("e-3", "3001"), legFilled("e-3", "3001", "c:0", "1", "99.99")]],
  // Intents: one still Pending, one that found no order (Failed without an order id), one
  // placed through the tracker then asked to replace and to cancel (a cancel that lapsed).
  ["e-4", [placementRequested("e-4")]],
  ["e-5", [placementRequested("e-5"), unplaced("e-5", ["5001", "5002"])]],
  [
    "e-6",
    [
      placementRequested("e-6"),
      submitted("e-6", "6001"),
      replaceRequested("e-6", "6001"),
      replaced("e-6", "6001", "6002"),
      cancelRequested("e-6", "6002"),
      // Schwab never acted on the cancel: the request lapsed.
      requestLapsed("e-6", "6002", "Cancel")
    ]
  ]
]

const appendSound = Effect.gen(function* () {
  const store = yield* EventStore
  for (const [id, events] of sound) {
    // Two appends per stream, so links cross appends as well as lie within one.
    yield* store.append(executionId(id), 0, events.slice(0, 2))
    if (events.length > 2) yield* store.append(executionId(id), 2, events.slice(2))
  }
})

const positionOf = (stream: string, version: number) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) =>
      sql<{
        position: unknown
      }>`SELECT position FROM events WHERE stream_id = ${stream} AND stream_version = ${version}`
  ).pipe(
    Effect.map((rows) => BigInt(String(rows[0]?.position))),
    Effect.orDie
  )

const check = Effect.flatMap(Ledger, (ledger) => ledger.check({ pageSize: 2 }))

/** The findings as `kind stream@version`, and each position is that event's. */
const found = Effect.gen(function* () {
  const report = yield* check
  for (const f of report.findings)
    if (f.kind !== "MissingEvents") assert.strictEqual(f.position, yield* positionOf(f.streamId, f.version))
  return report.findings.map((f) => `${f.kind} ${f.streamId}@${f.version}`)
})

const kinds = (report: { readonly findings: ReadonlyArray<{ readonly kind: FindingKind }> }) =>
  report.findings.map((f) => f.kind)

describe.each(backends)("Ledger.check on $name", (backend) => {
  const scoped = (
    name: string,
    body: Effect.Effect<void, unknown, SqlClient.SqlClient | EventStore | Ledger>
  ) =>
    it.scoped(name, () =>
      Effect.gen(function* () {
        const location = yield* backend.fresh
        yield* Effect.provide(Effect.zipRight(appendSound, body), backend.layer(location))
      })
    )

  scoped(
    "a sound ledger has no finding",
    Effect.gen(function* () {
      const report = yield* check
      assert.deepStrictEqual(report.findings, [])
      assert.strictEqual(report.findingCount, 0)
      assert.strictEqual(report.events, 18)
      assert.strictEqual(report.streams, 6)
      assert.isUndefined(report.firstBrokenLink)
    })
  )

  scoped(
    "an edited LegFilled price breaks its link and its Filled total",
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const at = yield* positionOf("e-1", 2)
      yield* sql`UPDATE events SET payload = replace(payload, '"price":"150.25"', '"price":"150.26"') WHERE position = ${at}`
      assert.deepStrictEqual(yield* found, ["BrokenLink e-1@2", "TotalMismatch e-1@4"])
      assert.strictEqual((yield* check).firstBrokenLink?.position, at)
    })
  )

  scoped(
    "a deleted LegFilled is a version jump, a broken link and a total that no longer adds up",
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      yield* sql`DELETE FROM events WHERE position = ${yield* positionOf("e-1", 2)}`
      assert.deepStrictEqual(yield* found, ["VersionGap e-1@3", "BrokenLink e-1@3", "TotalMismatch e-1@4"])
    })
  )

  scoped(
    "a deleted last event is missing against the streams table",
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      yield* sql`DELETE FROM events WHERE position = ${yield* positionOf("e-3", 2)}`
      const report = yield* check
      assert.deepStrictEqual(kinds(report), ["MissingEvents"])
      assert.strictEqual(report.findings[0]?.streamId, "e-3")
      assert.strictEqual(report.findings[0]?.position, yield* positionOf("e-3", 1))
    })
  )

  scoped(
    "a duplicate fill key is found even when appended through the store",
    Effect.gen(function* () {
      yield* (yield* EventStore).append(executionId("e-3"), 2, [
        legFilled("e-3", "3001", "c:0", "1", "99.99")
      ])
      assert.deepStrictEqual(yield* found, ["DuplicateFillKey e-3@3"])
    })
  )

  scoped(
    "an edited payload whose hash was recomputed badly breaks that link",
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const at = yield* positionOf("e-3", 2)
      yield* sql`UPDATE events SET payload = replace(payload, '"quantity":"1"', '"quantity":"2"'), hash = ${"0".repeat(64)} WHERE position = ${at}`
      assert.deepStrictEqual(yield* found, ["BrokenLink e-3@2"])
    })
  )

  scoped(
    "an edited payload re-hashed correctly breaks the next event's link",
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const at = yield* positionOf("e-2", 2)
      const rows = yield* sql<{
        payload: string
        metadata: string
        recorded_at: string
      }>`SELECT payload, metadata, recorded_at FROM events WHERE position = ${at}`
      const previous = yield* sql<{
        hash: string
      }>`SELECT hash FROM events WHERE position = ${yield* positionOf("e-2", 1)}`
      const row = rows[0]
      if (row === undefined) return assert.fail("no row")
      const payload = row.payload.replace('"price":"10.5"', '"price":"1.05"')
      const hash = eventHash(previous[0]?.hash ?? null, {
        streamId: "e-2",
        version: 2,
        type: "LegFilled",
        schemaVersion: 1,
        payload,
        metadata: row.metadata,
        recordedAt: row.recorded_at
      })
      yield* sql`UPDATE events SET payload = ${payload}, hash = ${hash} WHERE position = ${at}`
      assert.deepStrictEqual(yield* found, ["BrokenLink e-2@3", "TotalMismatch e-2@3"])
    })
  )

  scoped(
    "swapped versions are found out of order",
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      yield* sql`UPDATE events SET stream_version = 100 WHERE stream_id = 'e-1' AND stream_version = 2`
      yield* sql`UPDATE events SET stream_version = 2 WHERE stream_id = 'e-1' AND stream_version = 3`
      yield* sql`UPDATE events SET stream_version = 3 WHERE stream_id = 'e-1' AND stream_version = 100`
      const report = yield* check
      assert.includeMembers(kinds(report), ["VersionGap", "VersionOrder", "BrokenLink"])
      const order = report.findings.find((f) => f.kind === "VersionOrder")
      assert.strictEqual(order?.version, 2)
    })
  )

  scoped(
    "a stream that starts with a fill, a payload of another execution and an undecodable payload are found",
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const fill = yield* sql<{
        payload: string
      }>`SELECT payload FROM events WHERE position = ${yield* positionOf("e-3", 2)}`
      yield* sql`UPDATE events SET event_type = 'LegFilled', payload = ${fill[0]?.payload ?? ""} WHERE position = ${yield* positionOf("e-3", 1)}`
      yield* sql`UPDATE events SET payload = replace(payload, '"executionId":"e-2"', '"executionId":"e-1"') WHERE position = ${yield* positionOf("e-2", 2)}`
      yield* sql`UPDATE events SET payload = '{"type":"LegFilled"' WHERE position = ${yield* positionOf("e-1", 3)}`
      const all = yield* found
      for (const expected of [
        "BadStart e-3@1",
        "BrokenLink e-3@1",
        "WrongStream e-2@2",
        "BrokenLink e-2@2",
        "Undecodable e-1@3",
        "BrokenLink e-1@3"
      ])
        assert.include(all, expected)
      // A duplicate key too: the copied fill now appears twice in e-3.
      assert.include(all, "DuplicateFillKey e-3@2")
    })
  )

  scoped(
    "a Filled whose own totals were edited is found",
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      yield* sql`UPDATE events SET payload = replace(payload, '"priceCents":"15025"', '"priceCents":"15026"') WHERE position = ${yield* positionOf("e-1", 4)}`
      const report = yield* check
      assert.deepStrictEqual(kinds(report), ["BrokenLink", "TotalMismatch"])
      assert.match(report.findings[1]?.detail ?? "", /15026 cents/)
    })
  )

  scoped(
    "an event without a hash is reported, and maxFindings bounds the list but not the count",
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      yield* sql`UPDATE events SET hash = NULL`
      const report = yield* Effect.flatMap(Ledger, (l) => l.check({ maxFindings: 2 }))
      assert.strictEqual(report.findings.length, 2)
      assert.strictEqual(report.findingCount, 18)
      assert.strictEqual(report.firstBrokenLink?.kind, "MissingHash")
      assert.strictEqual(report.firstBrokenLink?.position, yield* positionOf("e-1", 1))
    })
  )

  it.scoped("migration 0010 backfills the hashes of a store written before it", () =>
    Effect.gen(function* () {
      const location = yield* backend.fresh
      // The store as the binary before the hash chain left it: migrations up to 0008, events without a hash.
      const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < "0010"))
      const old = Effect.gen(function* () {
        yield* Migrator.make({})({ loader: Migrator.fromRecord(before), table: "store_migrations" })
        const sql = yield* SqlClient.SqlClient
        for (const [id, events] of sound) {
          yield* sql`INSERT INTO streams (stream_id, version) VALUES (${id}, ${events.length})`
          let version = 0
          for (const event of events) {
            version += 1
            const data = JSON.stringify(TradeEvent.encode(event))
            yield* sql`INSERT INTO events (stream_id, stream_version, event_type, schema_version, payload, metadata, recorded_at)
              VALUES (${id}, ${version}, ${event.type}, 1, ${data}, '{}', '2025-08-29T14:00:00.000Z')`
          }
        }
      })
      yield* Effect.provide(old, backend.rawClient(location))
      yield* Effect.provide(
        Effect.gen(function* () {
          assert.deepStrictEqual((yield* check).findings, [])
          // Appends chain on from the backfilled hashes (the read model rebuilt first: the old rows were raw).
          yield* (yield* Replay).rebuild()
          yield* (yield* EventStore).append(executionId("e-3"), 2, [
            legFilled("e-3", "3001", "c:1", "1", "99.98")
          ])
          assert.deepStrictEqual((yield* check).findings, [])
        }),
        backend.layer(location)
      )
    })
  )
})

/** Fills with exact totals as the domain builds them, for a stream ending Filled, Failed or open. */
const consistent = (name: string, order: string) =>
  fc
    .record({
      fills: fc.array(
        fc.record({
          quantity: fc.integer({ min: 1, max: 40 }).map(String),
          price: fc.integer({ min: 1, max: 999_999 }).map((n) => (n / 100).toFixed(2))
        }),
        { maxLength: 5 }
      ),
      ending: fc.constantFrom("open", "filled", "canceled")
    })
    .map(({ fills, ending }) => {
      const legs: Array<LegFilled> = fills.map(
        (f, i) => legFilled(name, order, `k:${i}`, f.quantity, f.price) as LegFilled
      )
      const totals = totalsOf(legs)
      const summaries = summarizeLegs(legs, []).map((s) => ({
        legId: s.legId,
        filledQuantity: D.format(s.filledQuantity),
        notional: D.format(s.notional),
        averagePrice: D.format(s.averagePrice),
        priceCents: s.priceCents.toString()
      }))
      const numbers =
        totals.averagePrice === undefined || totals.priceCents === undefined
          ? undefined
          : {
              notional: D.format(totals.notional),
              averagePrice: D.format(totals.averagePrice),
              priceCents: totals.priceCents.toString()
            }
      const events: Array<TradeEvent> = [submitted(name, order, { shares: "500" }), ...legs]
      if (ending === "filled" && numbers !== undefined)
        events.push(
          filled(name, order, { filledShares: D.format(totals.filledQuantity), ...numbers, legs: summaries })
        )
      if (ending === "canceled")
        events.push(
          failed(name, order, "CANCELED", {
            filledShares: D.format(totals.filledQuantity),
            ...(numbers === undefined ? {} : { totals: numbers }),
            legs: summaries
          })
        )
      return events
    })

describe("Ledger.check", () => {
  const [sqlite] = backends
  it.effect("property: streams whose totals the domain computed have no finding", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(fc.tuple(consistent("p-1", "11"), consistent("p-2", "22")), (streams) =>
          Effect.runPromise(
            Effect.scoped(
              Effect.gen(function* () {
                if (sqlite === undefined) return
                const location = yield* sqlite.fresh
                yield* Effect.provide(
                  Effect.gen(function* () {
                    const store = yield* EventStore
                    for (const [i, events] of streams.entries())
                      yield* store.append(executionId(`p-${i + 1}`), 0, events)
                    assert.deepStrictEqual((yield* check).findings, [])
                  }),
                  sqlite.layer(location)
                )
              })
            )
          )
        ),
        { numRuns: numRuns(25) }
      )
    )
  )

  it.scoped("a multi-leg Filled checks each leg and the signed net", () =>
    Effect.gen(function* () {
      const [backend] = backends
      if (backend === undefined) return
      const location = yield* backend.fresh
      const spread = (net: string) => [
        submitted("m-1", "5001", { shares: "1" }),
        legFilled("m-1", "5001", "s:0", "1", "2", { legId: "1" }),
        legFilled("m-1", "5001", "s:1", "1", "1", { legId: "2" }),
        filled("m-1", "5001", {
          filledShares: "1",
          notional: net,
          averagePrice: net,
          priceCents: String(Number(net) * 100),
          legs: [
            { ...leg("1", "1", "2", "2", "200"), instruction: "BUY_TO_OPEN" },
            { ...leg("2", "1", "1", "1", "100"), instruction: "SELL_TO_OPEN" }
          ]
        })
      ]
      yield* Effect.provide(
        Effect.gen(function* () {
          yield* (yield* EventStore).append(executionId("m-1"), 0, spread("1"))
          assert.deepStrictEqual((yield* check).findings, [])
        }),
        backend.layer(location)
      )
      const other = yield* backend.fresh
      yield* Effect.provide(
        Effect.gen(function* () {
          // A net of 3 is the legs added up, not the debit less the credit.
          yield* (yield* EventStore).append(executionId("m-1"), 0, spread("3"))
          assert.deepStrictEqual(kinds(yield* check), ["TotalMismatch"])
        }),
        backend.layer(other)
      )
    })
  )
})
