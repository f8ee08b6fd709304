import { Args, Command, Options } from "@effect/cli"
import { ExecutionId, TradeEvent } from "@fill-tracker/domain"
import { EventStore, type RecordedEvent } from "@fill-tracker/store"
import { Console, Effect, Stream } from "effect"
import { FillTracker } from "../tracker/FillTracker.js"
import { resolve, withStore } from "./common.js"
import { followingNote, headPosition, intervalOption, recordedFrom } from "./following.js"
import { settingsOptions } from "./settingsOptions.js"
import { terminalJson, terminalText } from "./terminalText.js"

const eventLine = (r: RecordedEvent) =>
  `#${r.version} @${r.position} ${r.recordedAt.toISOString()} ${r.event.type} ${terminalJson(TradeEvent.encode(r.event))}`

export const showCommand = Command.make(
  "show",
  {
    settings: settingsOptions(["database", "logLevel", "logFormat"]),
    follow: Options.boolean("follow").pipe(
      Options.withDescription(
        "After the history, print each new event of the execution as it is recorded, by any process using the same database, until SIGINT/SIGTERM"
      )
    ),
    interval: intervalOption,
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
          // Taken before the history is read, so following misses nothing recorded after it.
          const head = yield* headPosition
          const stream = yield* (yield* EventStore).readStream(executionId)
          if (stream.events.length === 0) return yield* Effect.fail(new Error(`no execution ${executionId}`))
          for (const r of stream.events) yield* Console.log(eventLine(r))
          if (!args.follow) return
          yield* followingNote(`following ${executionId}`)
          yield* recordedFrom(head, args.interval).pipe(
            // An event recorded between the head and the history is printed once, not twice.
            Stream.filter((r) => r.streamId === executionId && r.version > stream.version),
            Stream.runForEach((r) => Console.log(eventLine(r)))
          )
        }).pipe(Effect.provide(FillTracker.layer)),
        "read"
      )
    })
).pipe(
  Command.withDescription("The event history of one execution; --follow to print new events as they come")
)
