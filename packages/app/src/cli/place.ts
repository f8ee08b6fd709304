/**
 * `place`: the tracker places an order (MARKET, LIMIT, STOP or STOP_LIMIT, any duration and
 * session; intent recorded before the POST, then the id), so the order is tracked from its
 * first moment. Run again with the same execution
 * id after an error or a crash: it never sends the order a second time.
 */
import { Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import { appLayer } from "../layers.js"
import { FillTracker } from "../tracker/FillTracker.js"
import { loggingLayer, resolve } from "./common.js"
import { rowJson } from "./executionView.js"
import { directionOption, orderTermsOf, orderTermsOptions } from "./orderTermsOptions.js"
import { schwabSettings, settingsOptions } from "./settingsOptions.js"
import { terminalJson } from "./terminalText.js"

export const placeCommand = Command.make(
  "place",
  {
    settings: settingsOptions(["database", ...schwabSettings, "logLevel", "logFormat"]),
    executionId: Options.text("execution-id").pipe(
      Options.withPseudoName("id"),
      Options.withDescription("Your id for this execution (unique); the same id again never places twice")
    ),
    account: Options.text("account").pipe(
      Options.withPseudoName("hash-or-number"),
      Options.withDescription("The account to place in: its hash or its plain number")
    ),
    symbol: Options.text("symbol").pipe(
      Options.withPseudoName("symbol"),
      Options.withDescription("Ticker symbol to order (e.g. AAPL)")
    ),
    shares: Options.text("shares").pipe(
      Options.withPseudoName("count"),
      Options.withDescription("Whole shares to order")
    ),
    direction: directionOption,
    ...orderTermsOptions,
    referencePrice: Options.text("reference-price").pipe(
      Options.withPseudoName("price"),
      Options.withDescription(
        "The price you expect, exact decimal (e.g. 150.25), for the fill price sanity check"
      ),
      Options.optional
    )
  },
  (args) =>
    Effect.gen(function* () {
      const config = yield* resolve(args.settings, ["appKey", "appSecret", "tokenKey"])
      const place = Effect.gen(function* () {
        const tracker = yield* FillTracker
        const row = yield* tracker.placeOrder(args.executionId, {
          accountHash: args.account,
          symbol: args.symbol,
          shares: args.shares,
          direction: args.direction,
          ...orderTermsOf(args),
          ...(Option.isSome(args.referencePrice) ? { referencePrice: args.referencePrice.value } : {})
        })
        yield* Console.log(terminalJson(rowJson(row)))
      })
      yield* place.pipe(Effect.provide(appLayer(config)), Effect.provide(loggingLayer(config)))
    })
).pipe(
  Command.withDescription(
    "Place an order through the tracker (recorded before it is sent): market, limit, stop or stop-limit"
  )
)
