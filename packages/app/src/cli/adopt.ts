/**
 * `adopt <orderId> --execution-id X`: start tracking an order no execution follows (one
 * `status --untracked` lists), with what it executed so far. See tracker/adopt.ts.
 */
import { Args, Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import { appLayer } from "../layers.js"
import { FillTracker } from "../tracker/FillTracker.js"
import { loggingLayer, resolve } from "./common.js"
import { rowJson } from "./executionView.js"
import { schwabSettings, settingsOptions } from "./settingsOptions.js"
import { terminalJson } from "./terminalText.js"

export const adoptCommand = Command.make(
  "adopt",
  {
    settings: settingsOptions(["database", ...schwabSettings, "logLevel", "logFormat"]),
    orderId: Args.text({ name: "orderId" }).pipe(
      Args.withDescription("Schwab's order id of the untracked order")
    ),
    executionId: Options.text("execution-id").pipe(
      Options.withPseudoName("id"),
      Options.withDescription("Your id for this execution (unique)")
    ),
    account: Options.text("account").pipe(
      Options.withPseudoName("hash-or-number"),
      Options.withDescription("The account the order is in (default: looked for in every account)"),
      Options.optional
    )
  },
  (args) =>
    Effect.gen(function* () {
      const config = yield* resolve(args.settings, ["appKey", "appSecret", "tokenKey"])
      yield* Effect.flatMap(FillTracker, (t) =>
        t.adopt(
          args.orderId,
          args.executionId,
          Option.isSome(args.account) ? { account: args.account.value } : {}
        )
      ).pipe(
        Effect.flatMap((row) => Console.log(terminalJson(rowJson(row)))),
        Effect.provide(appLayer(config)),
        Effect.provide(loggingLayer(config))
      )
    })
).pipe(
  Command.withDescription(
    "Start tracking an order no execution follows, with what it executed so far: any single-leg equity order (BUY, SELL, SELL_SHORT, BUY_TO_COVER; any order type); multi-leg, option and fractional orders are refused"
  )
)
