/**
 * What every command shares: turning flags into config (or InvalidConfig, exit 2), the
 * logger chosen by LOG_FORMAT / LOG_LEVEL, and the store on the configured database.
 */
import { Store } from "@fill-tracker/store"
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

/**
 * How a command uses the store: `read` (status, show, check, replay) never creates a
 * missing SQLite file, so a mistyped `--database` fails (exit 2) instead of answering from
 * a new empty database; `write` (run, submit, auth login) creates it.
 */
export type StoreUse = "read" | "write"

/** How long a command's start-up waits for SQLite's quick_check before going on without it. */
export const QUICK_CHECK_MILLIS = 10_000

/**
 * The configured store for every command: a `postgres://` URL opens PostgreSQL, anything
 * else the SQLite file (checked with quick_check at start-up). Every command opens it this
 * way, so each gets the same backends and the same guards (a newer schema is refused).
 */
export const storeLayer = (config: Pick<AppConfig, "database">, use: StoreUse = "write") =>
  Store.layerFromUrl(config.database, { mustExist: use === "read", quickCheckMillis: QUICK_CHECK_MILLIS })

/** Runs `program` with the store and logging of `config`. */
export const withStore = <A, E, R>(
  config: AppConfig,
  program: Effect.Effect<A, E, R>,
  use: StoreUse = "write"
) =>
  // Logging is provided outside the store so the store's own start-up logs use it too.
  program.pipe(Effect.provide(storeLayer(config, use)), Effect.provide(loggingLayer(config)))

/** Column widths that fit `header` and every row (cells already terminal-safe). */
export const columnWidths = (
  header: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string>>
): ReadonlyArray<number> => header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)))

/** One table line: cells made terminal-safe and padded to `widths` (a longer cell widens its column). */
export const tableLine = (widths: ReadonlyArray<number>, cells: ReadonlyArray<string>): string =>
  cells
    .map((c, i) => terminalText(c).padEnd(widths[i] ?? 0))
    .join("  ")
    .trimEnd()

/** Prints a table of rows with aligned columns; cells are made terminal-safe first. */
export const table = (
  header: ReadonlyArray<string>,
  unsafeRows: ReadonlyArray<ReadonlyArray<string>>
): string => {
  const widths = columnWidths(
    header,
    unsafeRows.map((r) => r.map(terminalText))
  )
  return [
    tableLine(widths, header),
    tableLine(
      widths,
      widths.map((w) => "-".repeat(w))
    ),
    ...unsafeRows.map((r) => tableLine(widths, r))
  ].join("\n")
}
