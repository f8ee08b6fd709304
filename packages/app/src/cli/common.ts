/**
 * What every command shares: turning flags into config (or InvalidConfig, exit 2), the
 * logger chosen by LOG_FORMAT / LOG_LEVEL, and the store on the configured database.
 */
import { SqliteStore } from "@fill-tracker/store"
import { Effect, Layer, type Option } from "effect"
import type { AppConfig } from "../config/AppConfig.js"
import type { SettingName } from "../config/settings.js"
import { loggingLayer } from "../logging.js"
import { configFrom } from "./settingsOptions.js"

export { loggingLayer }

export const resolve = (
  flags: Readonly<Record<string, Option.Option<string>>>,
  required: ReadonlyArray<SettingName> = []
) =>
  Effect.suspend(() => {
    const r = configFrom(flags, required)
    return r.ok ? Effect.succeed(r.config) : Effect.fail(r.error)
  })

export const storeLayer = (config: Pick<AppConfig, "database">) =>
  SqliteStore.layer({ filename: config.database })

/** Runs `program` with the store and logging of `config`. */
export const withStore = <A, E, R>(config: AppConfig, program: Effect.Effect<A, E, R>) =>
  program.pipe(Effect.provide(Layer.merge(storeLayer(config), loggingLayer(config))))

/** Prints a table of rows with aligned columns. */
export const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd()
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n")
}
