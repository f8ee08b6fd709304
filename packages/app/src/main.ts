#!/usr/bin/env node
/**
 * The `fill-tracker` binary: one command with subcommands, each with `--help`.
 * Exit codes: 0 success (and a clean SIGINT/SIGTERM), 1 failure, 2 invalid configuration
 * or usage, or a store refused before anything was written (`StoreRefused`: a missing
 * SQLite file for a command that only reads, a schema newer than this binary, a damaged file).
 */
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Cause, Console, Effect, Exit } from "effect"
import { cli, root, VERSION } from "./cli/cli.js"
import { bashCompletions, wantsBashCompletions } from "./cli/completions.js"
import { helpText, wantsHelp } from "./cli/help.js"
import { terminalConsole } from "./cli/terminal.js"
import { terminalText } from "./cli/terminalText.js"

const USAGE_ERRORS = new Set([
  "InvalidConfig",
  "InvalidSubmission",
  "ExecutionNotWorking",
  "RequestUnresolved",
  "InvalidAccount",
  "CannotAdopt",
  "MissingValue",
  "InvalidValue",
  "CommandMismatch",
  "UnclusteredFlag",
  "CorrectedFlag",
  "MultipleValuesDetected",
  "NoBuiltInMatch",
  "MissingFlag",
  "MissingSubcommand",
  "InvalidArgument",
  "StoreRefused"
])

const exitCode = (exit: Exit.Exit<unknown, unknown>): number => {
  if (Exit.isSuccess(exit) || Cause.isInterruptedOnly(exit.cause)) return 0
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "Some") {
    const e = failure.value as { _tag?: string; message?: string } | undefined
    if (e?._tag !== undefined && USAGE_ERRORS.has(e._tag)) return 2
  }
  return 1
}

const args = process.argv.slice(2)

const program = (
  wantsHelp(args)
    ? Console.log(helpText(root, VERSION, args))
    : wantsBashCompletions(args)
      ? Effect.flatMap(bashCompletions(root, "fill-tracker"), (script) => Console.log(script))
      : Effect.suspend(() => cli(process.argv))
).pipe(
  Effect.tapErrorCause((cause) =>
    Effect.sync(() => {
      const failure = Cause.failureOption(cause)
      // @effect/cli has already printed its own usage errors; print ours once, plainly.
      if (failure._tag === "Some") {
        const e = failure.value as { _tag?: string; message?: string }
        if (
          e?._tag === undefined ||
          !["MissingValue", "InvalidValue", "CommandMismatch", "MissingFlag"].includes(e._tag)
        )
          process.stderr.write(`fill-tracker: ${terminalText(e?.message ?? String(e))}\n`)
      } else if (!Cause.isInterruptedOnly(cause))
        // A defect's text may span lines; each line is made safe on its own.
        process.stderr.write(
          `fill-tracker: ${Cause.pretty(cause).split("\n").map(terminalText).join("\n")}\n`
        )
    })
  ),
  Effect.provide(NodeContext.layer),
  Effect.withConsole(terminalConsole())
)

NodeRuntime.runMain(program, {
  disableErrorReporting: true,
  // The logging layer picks pretty or JSON; runMain's own pretty logger would print every line twice.
  disablePrettyLogger: true,
  teardown: (exit, onExit) => onExit(exitCode(exit))
})
