import { Command, Options } from "@effect/cli"
import { TickerSymbol } from "@fill-tracker/domain"
import { Executions, executionStates } from "@fill-tracker/store"
import { Console, Effect, Option } from "effect"
import { resolve, table, withStore } from "./common.js"
import { rowJson, STATUS_HEADER, statusRow } from "./executionView.js"
import { choice } from "./options.js"
import { settingsOptions } from "./settingsOptions.js"
import { terminalJson, terminalText } from "./terminalText.js"

const STATUSES = ["SUBMITTED", "FILLED", "FAILED"] as const

export const statusCommand = Command.make(
  "status",
  {
    settings: settingsOptions(["database", "logLevel", "logFormat"]),
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
    json: Options.boolean("json").pipe(Options.withDescription("One JSON object per line, for machines"))
  },
  (args) =>
    Effect.gen(function* () {
      const config = yield* resolve(args.settings)
      yield* withStore(
        config,
        Effect.gen(function* () {
          const executions = yield* Executions
          const symbol = Option.getOrUndefined(args.symbol)
          if (symbol !== undefined && !TickerSymbol.is(symbol))
            return yield* Effect.fail(new Error(`--symbol: "${terminalText(symbol)}" is not a symbol`))
          const rows = yield* executions.query({
            ...(symbol === undefined ? {} : { symbol }),
            ...(Option.isSome(args.status) ? { status: args.status.value } : {}),
            ...(Option.isSome(args.state) ? { state: args.state.value } : {}),
            limit: args.limit
          })
          if (args.json) {
            for (const r of rows) yield* Console.log(terminalJson(rowJson(r)))
          } else {
            yield* Console.log(table(STATUS_HEADER, rows.map(statusRow)))
          }
        }),
        "read"
      )
    })
).pipe(Command.withDescription("A table of executions, with filters; --json for machines"))
