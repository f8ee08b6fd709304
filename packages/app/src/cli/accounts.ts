/**
 * `accounts`: the accounts this Schwab authorization can see, each as its number masked but
 * the last 4 digits and its hash, so a person can pick either for `--account` / `ACCOUNTS`.
 */
import { Command, Options } from "@effect/cli"
import { SchwabClient } from "@fill-tracker/schwab-client"
import { Console, Effect, Redacted } from "effect"
import { appLayer } from "../layers.js"
import { maskAccountNumber } from "../tracker/accounts.js"
import { loggingLayer, QUICK_CHECK_MILLIS, resolve, table } from "./common.js"
import { schwabSettings, settingsOptions } from "./settingsOptions.js"

export const accountsCommand = Command.make(
  "accounts",
  {
    settings: settingsOptions(["database", ...schwabSettings, "logLevel", "logFormat"]),
    json: Options.boolean("json").pipe(Options.withDescription("One JSON object per line, for machines"))
  },
  (args) =>
    Effect.gen(function* () {
      const config = yield* resolve(args.settings, ["appKey", "appSecret", "tokenKey"])
      yield* Effect.gen(function* () {
        const client = yield* SchwabClient.SchwabClient
        const accounts = (yield* client.accountNumbers()).map((a) => ({
          account: maskAccountNumber(Redacted.value(a.accountNumber)),
          hash: a.hashValue
        }))
        if (args.json) for (const a of accounts) yield* Console.log(JSON.stringify(a))
        else
          yield* Console.log(
            table(
              ["ACCOUNT", "HASH"],
              accounts.map((a) => [a.account, a.hash])
            )
          )
      }).pipe(
        // Reading accounts never writes the store: a mistyped --database must not create a file.
        Effect.provide(appLayer(config, {}, { mustExist: true, quickCheckMillis: QUICK_CHECK_MILLIS })),
        Effect.provide(loggingLayer(config))
      )
    })
).pipe(Command.withDescription("List the Schwab accounts (number masked but the last 4 digits, and hash)"))
