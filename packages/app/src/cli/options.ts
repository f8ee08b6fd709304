/**
 * Option constructors every command shares, so a flag reads the same everywhere: its value
 * is named in usage, and a bad value fails with the flag's name, what was given and what is
 * accepted (exit 2), instead of @effect/cli's nameless "Expected one of the following cases".
 */
import { HelpDoc, Options, ValidationError } from "@effect/cli"
import { Effect } from "effect"
import { parseDurationMs } from "../config/Duration.js"

/**
 * A flag whose value is one of `values`, matched without regard to case and returned as
 * spelled in `values` (`--state canceled` is `CANCELED`).
 */
export const choice = <const A extends string>(flag: string, values: ReadonlyArray<A>): Options.Options<A> =>
  Options.text(flag).pipe(
    Options.withPseudoName(values.join(" | ")),
    Options.mapEffect((given) => {
      const found = values.find((v) => v.toLowerCase() === given.toLowerCase())
      return found === undefined
        ? Effect.fail(
            ValidationError.invalidValue(
              HelpDoc.p(`--${flag}: "${given}" is not one of ${values.join(", ")}`)
            )
          )
        : Effect.succeed(found)
    })
  )

/**
 * A flag whose value is a duration (`500ms`, `2s`, `1m`; a bare number is seconds), named
 * `duration` in usage and returned in whole milliseconds, never zero.
 */
export const duration = (flag: string): Options.Options<number> =>
  Options.text(flag).pipe(
    Options.withPseudoName("duration"),
    Options.mapEffect((given) => {
      const ms = parseDurationMs(given)
      return ms === undefined || ms <= 0
        ? Effect.fail(
            ValidationError.invalidValue(
              HelpDoc.p(`--${flag}: "${given}" is not a duration above zero (e.g. 500ms, 2s, 1m)`)
            )
          )
        : Effect.succeed(ms)
    })
  )
