import { Command, Options } from "@effect/cli"
import { SchwabAuth } from "@fill-tracker/schwab-client"
import { Console, Effect, Layer, Redacted } from "effect"
import { schwabLayer } from "../layers.js"
import { loggingLayer, resolve, storeLayer } from "./common.js"
import { settingsOptions } from "./settingsOptions.js"

const urlCommand = Command.make(
  "url",
  { settings: settingsOptions(["appKey", "redirectUri", "authorizeUrl", "logLevel", "logFormat"]) },
  (args) =>
    Effect.gen(function* () {
      const config = yield* resolve(args.settings, ["appKey"])
      const url = new URL(config.authorizeUrl)
      // Built here rather than through SchwabAuth so printing a URL needs no secret or database.
      url.searchParams.set("client_id", Redacted.value(config.appKey!))
      url.searchParams.set("redirect_uri", config.redirectUri)
      url.searchParams.set("response_type", "code")
      yield* Console.log(url.toString())
      yield* Console.error(
        "Open it, log in, approve, then within 30 seconds run:\n  fill-tracker auth login --code '<the whole redirect URL>'"
      )
    })
).pipe(Command.withDescription("Print the URL that authorizes fill-tracker with Schwab"))

const loginCommand = Command.make(
  "login",
  {
    settings: settingsOptions([
      "database",
      "appKey",
      "appSecret",
      "redirectUri",
      "tokenUrl",
      "authorizeUrl",
      "baseUrl",
      "tokenKey",
      "logLevel",
      "logFormat"
    ]),
    code: Options.text("code").pipe(
      Options.withPseudoName("code|url"),
      Options.withDescription("The authorization code, or the whole redirect URL it arrived in (quote it)")
    )
  },
  (args) =>
    Effect.gen(function* () {
      const config = yield* resolve(args.settings, ["appKey", "appSecret", "tokenKey"])
      const status = yield* Effect.flatMap(SchwabAuth.SchwabAuth, (auth) =>
        auth.exchangeCode(args.code)
      ).pipe(
        Effect.provide(Layer.provideMerge(schwabLayer(config), storeLayer(config))),
        Effect.provide(loggingLayer(config))
      )
      yield* Console.log(
        `authorized: tokens stored (encrypted) in ${config.database}; re-authorize before ${status.refreshTokenExpiresAt.toISOString()}`
      )
    })
).pipe(Command.withDescription("Exchange an authorization code for tokens and store them"))

export const authCommand = Command.make("auth").pipe(
  Command.withDescription("Authorize fill-tracker with Schwab (a person must do it every 7 days)"),
  Command.withSubcommands([urlCommand, loginCommand])
)
