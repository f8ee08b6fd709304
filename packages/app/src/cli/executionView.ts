/** How an execution row reads for a person (status table) and for a machine (--json). */
import type { ExecutionRow } from "@fill-tracker/store"

const cents = (c: bigint | null | undefined): string => {
  if (c === null || c === undefined) return ""
  const negative = c < 0n
  const abs = negative ? -c : c
  return `${negative ? "-" : ""}${abs / 100n}.${(abs % 100n).toString().padStart(2, "0")}`
}

export const priceText = (row: ExecutionRow): string => cents(row.priceCents)

export const statusRow = (row: ExecutionRow): ReadonlyArray<string> => [
  row.executionId,
  row.state,
  row.orderId ?? "",
  row.symbol,
  row.direction,
  `${row.filledShares}/${row.shares}`,
  priceText(row),
  row.executedAt ?? row.failedAt ?? "",
  // A working row has no reason; its open (or lapsed) replace or cancel says what is under way.
  row.reason ?? (row.request === null ? "" : `${row.request} at ${row.requestedAt ?? ""}`)
]

export const STATUS_HEADER = [
  "EXECUTION",
  "STATE",
  "ORDER",
  "SYMBOL",
  "SIDE",
  "FILLED",
  "PRICE",
  "AT",
  "REASON"
] as const

/** JSON-safe form: bigints as strings, so no consumer reads cents through a float. */
export const rowJson = (row: ExecutionRow): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(row).map(([k, v]) => [
      k,
      typeof v === "bigint" ? v.toString() : v instanceof Date ? v.toISOString() : v
    ])
  )
