import { Command, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import { runDemo } from "../demo/runDemo.js"
import { loggingLayer, resolve } from "./common.js"
import { settingsOptions } from "./settingsOptions.js"

export const demoCommand = Command.make(
  "demo",
  {
    settings: settingsOptions([
      "database",
      "pollingInterval",
      "pollingMaxJitter",
      "logLevel",
      "logFormat",
      "streaming"
    ]),
    timeout: Options.integer("timeout-seconds").pipe(
      Options.withDescription("Give up after this long"),
      Options.withDefault(90)
    ),
    seed: Options.integer("seed").pipe(
      Options.withDescription("Sandbox seed (faults, ids, prices)"),
      Options.withDefault(42)
    )
  },
  (args) =>
    Effect.gen(function* () {
      // The demo's own defaults: a fresh file beside the real default, a one-second poll, warnings only.
      const flags = {
        ...args.settings,
        database: Option.orElse(args.settings.database, () => Option.some("./fill-tracker-demo.db")),
        pollingInterval: Option.orElse(args.settings.pollingInterval, () => Option.some("1s")),
        pollingMaxJitter: Option.orElse(args.settings.pollingMaxJitter, () => Option.some("250ms")),
        // Quiet unless asked: LOG_LEVEL, or the built-in --log-level (which resolve() honours).
        logLevel: process.env.LOG_LEVEL === undefined ? Option.some("error") : Option.none<string>()
      }
      const config = yield* resolve(flags)
      const result = yield* runDemo(config, { timeoutMs: args.timeout * 1000, seed: args.seed }).pipe(
        Effect.provide(loggingLayer(config))
      )
      if (result.terminal !== result.executions || result.mismatches > 0)
        return yield* Effect.fail(
          new Error(
            `demo: ${result.executions - result.terminal} order(s) not terminal, ${result.mismatches} mismatch(es)`
          )
        )
    })
).pipe(
  Command.withDescription("Run everything against an in-process Schwab sandbox: a bot, faults, the poller")
)
