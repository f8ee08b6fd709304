/**
 * `replace` and `cancel`: the tracker replaces or cancels the order an execution follows,
 * the request recorded before it is sent (see FillTracker.replaceOrder / cancelOrder).
 */
import { Command, Options } from "@effect/cli"
import { Console, Effect } from "effect"
import { appLayer } from "../layers.js"
import { FillTracker } from "../tracker/FillTracker.js"
import { loggingLayer, resolve } from "./common.js"
import { rowJson } from "./executionView.js"
import { orderTermsOf, orderTermsOptions } from "./orderTermsOptions.js"
import { schwabSettings, settingsOptions } from "./settingsOptions.js"
import { terminalJson } from "./terminalText.js"

const settings = settingsOptions(["database", ...schwabSettings, "logLevel", "logFormat"])
const executionId = Options.text("execution-id").pipe(
  Options.withPseudoName("id"),
  Options.withDescription("The execution whose order to act on")
)

/** Runs `f` with the tracker on the app graph and prints the row it answers. */
const withTracker = <E>(
  flags: Parameters<typeof resolve>[0],
  f: (t: FillTracker["Type"]) => Effect.Effect<Parameters<typeof rowJson>[0], E>
) =>
  Effect.gen(function* () {
    const config = yield* resolve(flags, ["appKey", "appSecret", "tokenKey"])
    const row = yield* Effect.flatMap(FillTracker, f).pipe(
      Effect.provide(appLayer(config)),
      Effect.provide(loggingLayer(config))
    )
    yield* Console.log(terminalJson(rowJson(row)))
  })

export const replaceCommand = Command.make(
  "replace",
  {
    settings,
    executionId,
    shares: Options.text("shares").pipe(
      Options.withPseudoName("count"),
      Options.withDescription("Whole shares of the replacing order (same symbol and side)")
    ),
    ...orderTermsOptions
  },
  (args) =>
    withTracker(args.settings, (t) =>
      t.replaceOrder(args.executionId, { shares: args.shares, ...orderTermsOf(args) })
    )
).pipe(
  Command.withDescription("Replace an execution's order through the tracker (recorded before it is sent)")
)

export const cancelCommand = Command.make("cancel", { settings, executionId }, (args) =>
  withTracker(args.settings, (t) => t.cancelOrder(args.executionId))
).pipe(
  Command.withDescription("Cancel an execution's order through the tracker (recorded before it is sent)")
)
