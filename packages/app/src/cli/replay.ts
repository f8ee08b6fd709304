import { Command, Options } from "@effect/cli"
import { Replay } from "@fill-tracker/store"
import { Console, Effect } from "effect"
import { resolve, withStore } from "./common.js"
import { settingsOptions } from "./settingsOptions.js"
import { terminalJson } from "./terminalText.js"

/** A one-line progress bar on stderr, redrawn in place. */
const progress = (p: { processed: number; total: number }) => {
  if (!process.stderr.isTTY && p.processed !== p.total) return
  const width = 30
  const done = p.total === 0 ? width : Math.min(width, Math.trunc((p.processed * width) / p.total))
  process.stderr.write(`\r[${"#".repeat(done)}${".".repeat(width - done)}] ${p.processed}/${p.total} events`)
  if (p.processed === p.total) process.stderr.write("\n")
}

export const replayCommand = Command.make(
  "replay",
  {
    settings: settingsOptions(["database", "logLevel", "logFormat"]),
    verify: Options.boolean("verify").pipe(
      Options.withDescription(
        "Rebuild into a scratch table and report differences; the live table stays as it is"
      )
    )
  },
  (args) =>
    Effect.gen(function* () {
      const config = yield* resolve(args.settings)
      yield* withStore(
        config,
        Effect.gen(function* () {
          const replay = yield* Replay
          if (args.verify) {
            const diffs = yield* replay.verify(progress)
            if (diffs.length === 0) {
              yield* Console.log("verify: the live read model equals the one rebuilt from events")
              return
            }
            for (const d of diffs) yield* Console.log(terminalJson(d))
            return yield* Effect.fail(
              new Error(`verify: ${diffs.length} execution(s) differ from the events`)
            )
          }
          const r = yield* replay.rebuild(progress)
          yield* Console.log(`replay: rebuilt ${r.executions} execution(s) from ${r.events} event(s)`)
        })
      )
    })
).pipe(
  Command.withDescription("Rebuild the executions read model from the events (--verify compares instead)")
)
