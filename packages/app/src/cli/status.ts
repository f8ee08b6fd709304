import { Command, Options } from "@effect/cli"
import { TickerSymbol } from "@fill-tracker/domain"
import { type ExecutionRow, Executions, executionStates, type FlatStatus } from "@fill-tracker/store"
import { Console, Effect, Option, Stream } from "effect"
import { appLayer } from "../layers.js"
import { FillTracker } from "../tracker/FillTracker.js"
import { columnWidths, loggingLayer, resolve, table, tableLine, withStore } from "./common.js"
import { rowJson, STATUS_HEADER, statusRow } from "./executionView.js"
import { followingNote, headPosition, intervalOption, recordedFrom } from "./following.js"
import { choice } from "./options.js"
import { schwabSettings, settingsOptions } from "./settingsOptions.js"
import { terminalJson, terminalText } from "./terminalText.js"

const STATUSES = ["PENDING", "SUBMITTED", "FILLED", "FAILED"] as const satisfies ReadonlyArray<FlatStatus>

// Every flat status of the read model is a value of --status: one added there fails the build here.
const everyStatus: [Exclude<FlatStatus, (typeof STATUSES)[number]>] extends [never] ? true : never = true
void everyStatus

interface Filters {
  readonly symbol?: string
  readonly status?: (typeof STATUSES)[number]
  readonly state?: ExecutionRow["state"]
}

/** The filters of the query, applied to a row the watch read again. */
const passes = (filters: Filters, row: ExecutionRow): boolean =>
  (filters.symbol === undefined || row.symbol === filters.symbol) &&
  (filters.status === undefined || row.status === filters.status) &&
  (filters.state === undefined || row.state === filters.state)

const UNTRACKED_HEADER = ["ORDER", "ACCOUNT", "SYMBOL", "SIDE", "QTY", "STATUS", "ENTERED"]

/** `status --untracked`: asks Schwab (one list per account) and the store, prints what nobody follows. */
const printUntracked = (flags: Parameters<typeof resolve>[0], json: boolean) =>
  Effect.gen(function* () {
    const config = yield* resolve(flags, ["appKey", "appSecret", "tokenKey"])
    const tag = config.orderTag ?? ""
    if (tag === "")
      return yield* Effect.fail(
        new Error("--untracked needs this app's order tag: --order-tag / SCHWAB_ORDER_TAG")
      )
    const found = yield* Effect.flatMap(FillTracker, (t) =>
      t.untracked({ tag, lookbackMs: config.untrackedLookback ?? 24 * 3_600_000 })
    ).pipe(Effect.provide(appLayer(config)), Effect.provide(loggingLayer(config)))
    if (json) for (const o of found) yield* Console.log(terminalJson(o))
    else
      yield* Console.log(
        table(
          UNTRACKED_HEADER,
          found.map((o) => [
            o.orderId,
            o.accountHash,
            o.symbol ?? "",
            o.instruction ?? "",
            o.quantity ?? "",
            o.status,
            o.enteredTime ?? ""
          ])
        )
      )
  })

export const statusCommand = Command.make(
  "status",
  {
    settings: settingsOptions([
      "database",
      ...schwabSettings,
      "orderTag",
      "untrackedLookback",
      "logLevel",
      "logFormat"
    ]),
    untracked: Options.boolean("untracked").pipe(
      Options.withDescription(
        "Instead: the orders carrying this app's tag (--order-tag) entered within --untracked-lookback that no execution follows, from Schwab's lists (needs the Schwab settings)"
      )
    ),
    symbol: Options.text("symbol").pipe(
      Options.withPseudoName("symbol"),
      Options.withDescription("Only this ticker symbol (e.g. AAPL)"),
      Options.optional
    ),
    status: choice("status", STATUSES).pipe(
      Options.withDescription("Only this flat status"),
      Options.optional
    ),
    state: choice("state", executionStates).pipe(
      Options.withDescription("Only this exact state"),
      Options.optional
    ),
    limit: Options.integer("limit").pipe(
      Options.withDescription("At most this many rows, newest submission first"),
      Options.withDefault(100)
    ),
    json: Options.boolean("json").pipe(Options.withDescription("One JSON object per line, for machines")),
    watch: Options.boolean("watch").pipe(
      Options.withDescription(
        "After the table, print each execution (that passes the filters) again whenever an event of it is recorded, by any process using the same database, until SIGINT/SIGTERM"
      )
    ),
    interval: intervalOption
  },
  (args) =>
    Effect.gen(function* () {
      if (args.untracked) return yield* printUntracked(args.settings, args.json)
      const config = yield* resolve(args.settings)
      yield* withStore(
        config,
        Effect.gen(function* () {
          const executions = yield* Executions
          const symbol = Option.getOrUndefined(args.symbol)
          if (symbol !== undefined && !TickerSymbol.is(symbol))
            return yield* Effect.fail(new Error(`--symbol: "${terminalText(symbol)}" is not a symbol`))
          const filters = {
            ...(symbol === undefined ? {} : { symbol }),
            ...(Option.isSome(args.status) ? { status: args.status.value } : {}),
            ...(Option.isSome(args.state) ? { state: args.state.value } : {})
          }
          // Taken before the table is read, so a watch misses nothing recorded after it.
          const head = yield* headPosition
          const rows = yield* executions.query({ ...filters, limit: args.limit })
          const widths = columnWidths(STATUS_HEADER, rows.map(statusRow))
          const print = (r: ExecutionRow) =>
            Console.log(args.json ? terminalJson(rowJson(r)) : tableLine(widths, statusRow(r)))
          if (args.json) {
            for (const r of rows) yield* print(r)
          } else {
            yield* Console.log(table(STATUS_HEADER, rows.map(statusRow)))
          }
          if (!args.watch) return
          yield* followingNote("watching for new events")
          yield* recordedFrom(head, args.interval).pipe(
            Stream.mapEffect((recorded) => executions.byExecutionId(recorded.streamId)),
            Stream.filterMap((row) => Option.filter(row, (r) => passes(filters, r))),
            // An append of several events (the last fill and Filled) shows the row once.
            Stream.changesWith((a, b) => JSON.stringify(rowJson(a)) === JSON.stringify(rowJson(b))),
            Stream.runForEach(print)
          )
        }).pipe(Effect.provide(FillTracker.layer)),
        "read"
      )
    })
).pipe(
  Command.withDescription(
    "A table of executions, with filters; --json for machines, --watch to follow changes"
  )
)
