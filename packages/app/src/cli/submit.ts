import { Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import { appLayer } from "../layers.js"
import { FillTracker } from "../tracker/FillTracker.js"
import { loggingLayer, resolve, withStore } from "./common.js"
import { rowJson } from "./executionView.js"
import { directionOption } from "./orderTermsOptions.js"
import { schwabSettings, settingsOptions } from "./settingsOptions.js"
import { terminalJson } from "./terminalText.js"

export const submitCommand = Command.make(
  "submit",
  {
    settings: settingsOptions(["database", ...schwabSettings, "logLevel", "logFormat"]),
    executionId: Options.text("execution-id").pipe(
      Options.withPseudoName("id"),
      Options.withDescription("Your id for this execution (unique)")
    ),
    orderId: Options.text("order-id").pipe(
      Options.withPseudoName("digits"),
      Options.withDescription("Schwab's order id (the number at the end of the order's Location header)")
    ),
    account: Options.text("account").pipe(
      Options.withPseudoName("hash-or-number"),
      Options.withDescription("The account the order was placed in: its hash or its plain number")
    ),
    symbol: Options.text("symbol").pipe(
      Options.withPseudoName("symbol"),
      Options.withDescription("Ticker symbol ordered (e.g. AAPL)")
    ),
    shares: Options.text("shares").pipe(
      Options.withPseudoName("count"),
      Options.withDescription("Whole shares ordered")
    ),
    direction: directionOption,
    referencePrice: Options.text("reference-price").pipe(
      Options.withPseudoName("price"),
      Options.withDescription(
        "The price you expected, exact decimal (e.g. 150.25), for the fill price sanity check"
      ),
      Options.optional
    ),
    submittedAt: Options.text("submitted-at").pipe(
      Options.withPseudoName("time"),
      Options.withDescription("ISO 8601 time it was sent (default: now)"),
      Options.optional
    )
  },
  (args) =>
    Effect.gen(function* () {
      const config = yield* resolve(args.settings)
      const record = Effect.gen(function* () {
        const tracker = yield* FillTracker
        const row = yield* tracker.recordSubmission({
          executionId: args.executionId,
          orderId: args.orderId,
          accountHash: args.account,
          symbol: args.symbol,
          shares: args.shares,
          direction: args.direction,
          ...(Option.isSome(args.referencePrice) ? { referencePrice: args.referencePrice.value } : {}),
          ...(Option.isSome(args.submittedAt) ? { submittedAt: args.submittedAt.value } : {})
        })
        yield* Console.log(terminalJson(rowJson(row)))
      })
      // With Schwab's settings the tracker can map a plain account number and check a new
      // hash; without them it still records into a hash (nothing to ask), and refuses a number.
      const canAskSchwab =
        config.appKey !== undefined && config.appSecret !== undefined && config.tokenKey !== undefined
      yield* canAskSchwab
        ? record.pipe(Effect.provide(appLayer(config)), Effect.provide(loggingLayer(config)))
        : withStore(config, record.pipe(Effect.provide(FillTracker.layer)))
    })
).pipe(Command.withDescription("Record a submitted order by hand"))
