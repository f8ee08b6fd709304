import { Command } from "@effect/cli"
import { Effect } from "effect"
import { resolve, withStore } from "./common.js"
import { checkOrFail } from "./ledgerCheck.js"
import { settingsOptions } from "./settingsOptions.js"

export const checkCommand = Command.make(
  "check",
  { settings: settingsOptions(["database", "logLevel", "logFormat"]) },
  (args) => Effect.flatMap(resolve(args.settings), (config) => withStore(config, checkOrFail, "read"))
).pipe(
  Command.withDescription(
    "Check the events themselves: versions, stream starts, fill keys, totals and the hash chain; exit 1 on any finding"
  )
)
