import { assert, describe, it } from "@effect/vitest"
import { OrderId, TickerSymbol } from "@fill-tracker/domain"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { EventStore, Executions } from "../src/index.js"
import { backends } from "./support/backends.js"
import { executionId, failed, filled, legFilled, replaced, submitted } from "./support/events.js"

const orderId = (s: string) => (OrderId.is(s) ? s : Option.getOrThrow(Option.none()))
const symbol = (s: string) => (TickerSymbol.is(s) ? s : Option.getOrThrow(Option.none()))

const seeded = Effect.gen(function* () {
  const store = yield* EventStore
  yield* store.append(executionId("q-open"), 0, [submitted("q-open", "101", { symbol: "AAPL", minute: 1 })])
  yield* store.append(executionId("q-partial"), 0, [
    submitted("q-partial", "102", { symbol: "AAPL", minute: 2 }),
    legFilled("q-partial", "102", "k1", "3", "150.25")
  ])
  yield* store.append(executionId("q-filled"), 0, [
    submitted("q-filled", "103", { symbol: "MSFT", minute: 3 }),
    filled("q-filled", "103")
  ])
  yield* store.append(executionId("q-canceled"), 0, [
    submitted("q-canceled", "104", { symbol: "AAPL", minute: 4 }),
    failed("q-canceled", "104", "CANCELED")
  ])
  yield* store.append(executionId("q-replaced"), 0, [
    submitted("q-replaced", "105", { symbol: "MSFT", minute: 5 }),
    replaced("q-replaced", "105", "106"),
    replaced("q-replaced", "106", "107")
  ])
})

describe.each(backends)("Executions on $name", (backend) => {
  it.scoped("open lists the working executions, oldest first", () =>
    Effect.flatMap(backend.fresh, (location) =>
      Effect.provide(
        Effect.gen(function* () {
          yield* seeded
          const open = yield* (yield* Executions).open()
          assert.deepStrictEqual(
            open.map((r) => [r.executionId, r.state]),
            [
              ["q-open", "SUBMITTED"],
              ["q-partial", "PARTIALLY_FILLED"],
              ["q-replaced", "SUBMITTED"]
            ]
          )
        }),
        backend.layer(location)
      )
    )
  )

  it.scoped("finds by execution id and by order id, including every followed replacement", () =>
    Effect.flatMap(backend.fresh, (location) =>
      Effect.provide(
        Effect.gen(function* () {
          yield* seeded
          const x = yield* Executions
          const partial = Option.getOrThrow(yield* x.byExecutionId(executionId("q-partial")))
          assert.deepStrictEqual(
            [partial.filledShares, partial.notional, partial.averagePrice, partial.priceCents],
            ["3", "450.75", "150.25", 15025n]
          )
          assert.isTrue(Option.isNone(yield* x.byExecutionId(executionId("nope"))))
          for (const id of ["105", "106", "107"]) {
            const r = Option.getOrThrow(yield* x.byOrderId(orderId(id)))
            assert.strictEqual(r.executionId, "q-replaced")
            assert.strictEqual(r.orderId, "107")
            assert.strictEqual(r.originalOrderId, "105")
          }
          assert.strictEqual(Option.getOrThrow(yield* x.byOrderId(orderId("103"))).status, "FILLED")
          assert.isTrue(Option.isNone(yield* x.byOrderId(orderId("999"))))
        }),
        backend.layer(location)
      )
    )
  )

  it.scoped("query filters by symbol, flat status and exact state, newest first, with a limit", () =>
    Effect.flatMap(backend.fresh, (location) =>
      Effect.provide(
        Effect.gen(function* () {
          yield* seeded
          const x = yield* Executions
          const ids = (rows: ReadonlyArray<{ executionId: string }>) => rows.map((r) => r.executionId)
          assert.deepStrictEqual(ids(yield* x.query({ symbol: symbol("AAPL") })), [
            "q-canceled",
            "q-partial",
            "q-open"
          ])
          assert.deepStrictEqual(ids(yield* x.query({ symbol: symbol("AAPL"), status: "SUBMITTED" })), [
            "q-partial",
            "q-open"
          ])
          assert.deepStrictEqual(ids(yield* x.query({ state: "CANCELED" })), ["q-canceled"])
          assert.deepStrictEqual(ids(yield* x.query({ status: "FAILED" })), ["q-canceled"])
          assert.deepStrictEqual(
            ids(yield* x.query({ state: "PARTIALLY_FILLED", symbol: symbol("MSFT") })),
            []
          )
          assert.deepStrictEqual(ids(yield* x.query({ limit: 2 })), ["q-replaced", "q-canceled"])
          assert.strictEqual((yield* x.query({})).length, 5)
          const canceled = (yield* x.query({ state: "CANCELED" }))[0]
          assert.deepStrictEqual(
            [canceled?.reason, canceled?.brokerStatus, canceled?.failedAt !== null],
            ["order canceled", "CANCELED", true]
          )
        }),
        backend.layer(location)
      )
    )
  )
})
