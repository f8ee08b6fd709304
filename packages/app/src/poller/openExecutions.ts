/**
 * Every open execution, read a page at a time with a yield between pages: reading and
 * decoding 10,000 rows in one query holds the event loop for about 100 ms. A stream wake
 * reads only the executions following the orders it names, by the indexed order id.
 */
import { Executions, isOpenRow, type OpenExecutionRow } from "@fill-tracker/store"
import { Effect, Option } from "effect"
import type { WokenOrder } from "../stream/StreamSignal.js"

/** Rows per page: a few milliseconds of reading and decoding. */
export const openPageSize = 500

export const openExecutions = Effect.gen(function* () {
  const executions = yield* Executions
  const all: Array<OpenExecutionRow> = []
  for (let after: OpenExecutionRow | undefined; ; ) {
    const page = yield* executions.openPage(after, openPageSize)
    for (const row of page) all.push(row)
    after = page.at(-1)
    if (page.length < openPageSize) return all
    yield* Effect.yieldNow()
  }
})

/**
 * The open executions following the orders a stream wake names, one indexed lookup each:
 * a wake per streamed fill that read every open execution read 10,000 rows per fill at
 * 10,000 open orders. An execution that has moved on to a replacement follows another
 * order now, so a message naming its old order wakes nothing (as in a cycle's match).
 */
export const wokenExecutions = (focus: ReadonlyArray<WokenOrder>) =>
  Effect.gen(function* () {
    const executions = yield* Executions
    const rows: Array<OpenExecutionRow> = []
    for (const woken of focus) {
      const row = yield* executions.byOrderId(woken.orderId)
      if (Option.isSome(row) && isOpenRow(row.value) && row.value.orderId === woken.orderId)
        rows.push(row.value)
    }
    return rows
  })
