/**
 * CLI options generated from the settings table: every setting is an optional flag named
 * for its value (`--request-timeout duration`; a fixed set of values is a choice the flag
 * parser enforces), and resolution (flag, else environment, else default) happens in `resolveConfig`, which
 * can report every problem at once instead of stopping at the first bad flag.
 */
import { Options } from "@effect/cli"
import { Option } from "effect"
import { type AppConfig, type InvalidConfig, resolveConfig } from "../config/AppConfig.js"
import { type Setting, type SettingName, settings } from "../config/settings.js"
import { choice } from "./options.js"

const optionFor = (name: SettingName) => {
  const s: Setting<unknown> = settings[name]
  const dflt = s.default === undefined || s.default === "" ? "" : ` (default: ${s.default})`
  const option: Options.Options<string> =
    s.choices === undefined
      ? Options.text(s.flag).pipe(Options.withPseudoName(s.value ?? "text"))
      : choice(s.flag, s.choices)
  return option.pipe(Options.withDescription(`${s.description}${dflt}. Env: ${s.env}`), Options.optional)
}

/** The settings a command needs to talk to Schwab (tokens come from the database). */
export const schwabSettings = [
  "appKey",
  "appSecret",
  "redirectUri",
  "baseUrl",
  "tokenUrl",
  "authorizeUrl",
  "tokenKey",
  "rateLimit",
  "orderEntryPerDay",
  "maxResponseBytes",
  "requestTimeout"
] as const satisfies ReadonlyArray<SettingName>

/** Options for the given settings, as one record option. */
export const settingsOptions = <const N extends SettingName>(names: ReadonlyArray<N>) =>
  Options.all(
    // `--log-level` is @effect/cli's built-in option (it consumes the flag before us); `resolve`
    // reads the level it sets, so it still wins over LOG_LEVEL.
    Object.fromEntries(names.filter((n) => n !== "logLevel").map((n) => [n, optionFor(n)])) as {
      [K in Exclude<N, "logLevel">]: Options.Options<Option.Option<string>>
    }
  )

/** Turns parsed flags plus `process.env` into the config, or every problem. */
export const configFrom = (
  flags: Readonly<Record<string, Option.Option<string>>>,
  required: ReadonlyArray<SettingName>,
  env: Readonly<Record<string, string | undefined>> = process.env
):
  | { readonly ok: true; readonly config: AppConfig }
  | { readonly ok: false; readonly error: InvalidConfig } => {
  const byFlag: Record<string, string | undefined> = {}
  for (const [name, value] of Object.entries(flags)) {
    const s = settings[name as SettingName]
    if (s !== undefined && Option.isSome(value)) byFlag[s.flag] = value.value
  }
  return resolveConfig({ flags: byFlag, env }, required)
}
