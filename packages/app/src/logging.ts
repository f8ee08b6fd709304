/** The logger chosen by LOG_FORMAT / LOG_LEVEL, shared by the CLI and the library facade. */
import { Layer, Logger, LogLevel } from "effect"
import type { AppConfig } from "./config/AppConfig.js"

const LEVELS = {
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warning: LogLevel.Warning,
  error: LogLevel.Error
} as const

/**
 * Colours only when the logs go to a terminal and NO_COLOR is unset: Effect's pretty logger
 * looks at stdout, but our logs go to stderr.
 */
const stderrColors = () => process.stderr.isTTY === true && (process.env.NO_COLOR ?? "") === ""

/**
 * Logs go to stderr in both formats, so `--json` output on stdout stays machine-readable.
 * The pretty logger prints by itself (its result is void), so it is told to use stderr rather
 * than wrapped in `withConsoleError`, which would print that void as a literal `undefined`.
 */
export const loggingLayer = (config: Pick<AppConfig, "logFormat" | "logLevel">) =>
  Layer.mergeAll(
    Logger.replace(
      Logger.defaultLogger,
      config.logFormat === "json"
        ? Logger.withConsoleError(Logger.jsonLogger)
        : Logger.prettyLogger({ stderr: true, colors: stderrColors(), mode: "tty" })
    ),
    Logger.minimumLogLevel(LEVELS[config.logLevel])
  )
