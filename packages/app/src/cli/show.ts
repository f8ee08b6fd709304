import { Args, Command } from "@effect/cli"
import { ExecutionId, TradeEvent } from "@fill-tracker/domain"
import { EventStore } from "@fill-tracker/store"
import { Console, Effect } from "effect"
import { resolve, withStore } from "./common.js"
import { settingsOptions } from "./settingsOptions.js"
import { terminalJson, terminalText } from "./terminalText.js"

export const showCommand = Command.make(
  "show",
  {
    settings: settingsOptions(["database", "logLevel", "logFormat"]),
    execution: Args.text({ name: "execution" }).pipe(Args.withDescription("The execution id"))
  },
  (args) =>
    Effect.gen(function* () {
      const config = yield* resolve(args.settings)
      if (!ExecutionId.is(args.execution))
        return yield* Effect.fail(new Error(`"${terminalText(args.execution)}" is not an execution id`))
      const executionId = args.execution
      yield* withStore(
        config,
        Effect.gen(function* () {
          const stream = yield* (yield* EventStore).readStream(executionId)
          if (stream.events.length === 0) return yield* Effect.fail(new Error(`no execution ${executionId}`))
          for (const r of stream.events) {
            yield* Console.log(
              `#${r.version} @${r.position} ${r.recordedAt.toISOString()} ${r.event.type} ${terminalJson(TradeEvent.encode(r.event))}`
            )
          }
        }),
        "read"
      )
    })
).pipe(Command.withDescription("The event history of one execution"))
