/** The command tree. */
import { Command } from "@effect/cli"
import { accountsCommand } from "./accounts.js"
import { adoptCommand } from "./adopt.js"
import { cancelCommand, replaceCommand } from "./amend.js"
import { authCommand } from "./auth.js"
import { checkCommand } from "./check.js"
import { demoCommand } from "./demo.js"
import { placeCommand } from "./place.js"
import { replayCommand } from "./replay.js"
import { runCommand } from "./run.js"
import { showCommand } from "./show.js"
import { statusCommand } from "./status.js"
import { submitCommand } from "./submit.js"

/** The version `--version` and `--help` print. */
export const VERSION = "0.1.0"

/** The root command, for `--help` (see help.ts). */
export const root = Command.make("fill-tracker").pipe(
  Command.withDescription("Tracks the fills of Charles Schwab orders a trading bot sends, as event streams"),
  Command.withSubcommands([
    runCommand,
    demoCommand,
    authCommand,
    submitCommand,
    placeCommand,
    replaceCommand,
    cancelCommand,
    accountsCommand,
    adoptCommand,
    statusCommand,
    showCommand,
    checkCommand,
    replayCommand
  ])
)

export const cli = Command.run(root, { name: "fill-tracker", version: VERSION })
