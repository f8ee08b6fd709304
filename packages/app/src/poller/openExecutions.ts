/**
 * Every open execution, read a page at a time with a yield between pages: reading and
 * decoding 10,000 rows in one query holds the event loop for about 100 ms.
 */
import { Executions, type OpenExecutionRow } from "@fill-tracker/store"
import { Effect } from "effect"

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
