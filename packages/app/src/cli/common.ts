/**
 * What every command shares: turning flags into config (or InvalidConfig, exit 2), the
 * logger chosen by LOG_FORMAT / LOG_LEVEL, and the store on the configured database.
 */
import { SqliteStore } from "@fill-tracker/store"
import { Effect, FiberRef, type Option } from "effect"
import type { AppConfig } from "../config/AppConfig.js"
import type { SettingName } from "../config/settings.js"
import { loggingLayer } from "../logging.js"
import { configFrom } from "./settingsOptions.js"
import { terminalText } from "./terminalText.js"

export { loggingLayer }

/** The level @effect/cli's built-in `--log-level` flag set, if it set one (the default is Info). */
const flagLogLevel = Effect.map(
  FiberRef.get(FiberRef.currentMinimumLogLevel),
  (level): AppConfig["logLevel"] | undefined => {
    if (level._tag === "Info") return undefined
    if (level._tag === "Warning") return "warning"
    if (level._tag === "Error" || level._tag === "Fatal" || level._tag === "None") return "error"
    return "debug"
  }
)

export const resolve = (
  flags: Readonly<Record<string, Option.Option<string>>>,
  required: ReadonlyArray<SettingName> = []
) =>
  Effect.gen(function* () {
    const r = configFrom(flags, required)
    if (!r.ok) return yield* Effect.fail(r.error)
    const level = yield* flagLogLevel
    return level === undefined ? r.config : { ...r.config, logLevel: level }
  })

export const storeLayer = (config: Pick<AppConfig, "database">) =>
  SqliteStore.layer({ filename: config.database })

/** Runs `program` with the store and logging of `config`. */
export const withStore = <A, E, R>(config: AppConfig, program: Effect.Effect<A, E, R>) =>
  // Logging is provided outside the store so the store's own start-up logs use it too.
  program.pipe(Effect.provide(storeLayer(config)), Effect.provide(loggingLayer(config)))

/** Prints a table of rows with aligned columns; cells are made terminal-safe first. */
export const table = (
  header: ReadonlyArray<string>,
  unsafeRows: ReadonlyArray<ReadonlyArray<string>>
): string => {
  const rows = unsafeRows.map((r) => r.map(terminalText))
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd()
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n")
}
