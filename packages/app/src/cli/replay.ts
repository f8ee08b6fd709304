import { Command, Options } from "@effect/cli"
import { Replay } from "@fill-tracker/store"
import { Console, Effect } from "effect"
import { resolve, withStore } from "./common.js"
import { printedCheck, unsound } from "./ledgerCheck.js"
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
        "Check the events, rebuild into a scratch table and report differences; the live table stays as it is"
      )
    ),
    force: Options.boolean("force").pipe(
      Options.withDescription(
        "Rebuild even when the events fail check (the read model then follows the events as they are)"
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
          // The events first: a rebuild from edited events would make the edit the truth.
          const report = yield* printedCheck
          if (args.verify) {
            const diffs = yield* replay.verify(progress)
            for (const d of diffs) yield* Console.log(terminalJson(d))
            if (report.findingCount > 0)
              return yield* unsound(
                report,
                diffs.length === 0 ? "" : `; ${diffs.length} execution(s) differ from the events`
              )
            if (diffs.length === 0) {
              yield* Console.log(
                "verify: the events pass check and the live read model equals the one rebuilt from them"
              )
              return
            }
            return yield* Effect.fail(
              new Error(`verify: ${diffs.length} execution(s) differ from the events`)
            )
          }
          if (report.findingCount > 0) {
            if (!args.force)
              return yield* unsound(
                report,
                "; nothing was rebuilt (replay --force rebuilds from them as they are)"
              )
            yield* Effect.logWarning(
              `rebuilding from events that fail check (${report.findingCount} finding(s)), as --force asks`
            )
          }
          const r = yield* replay.rebuild(progress)
          yield* Console.log(`replay: rebuilt ${r.executions} execution(s) from ${r.events} event(s)`)
        }),
        "read"
      )
    })
).pipe(
  Command.withDescription(
    "Rebuild the executions read model from the events, refusing events that fail check unless --force (--verify compares instead)"
  )
)
