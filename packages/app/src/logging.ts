/** The logger chosen by LOG_FORMAT / LOG_LEVEL, shared by the CLI and the library facade. */
import { Layer, Logger, LogLevel } from "effect"
import type { AppConfig } from "./config/AppConfig.js"

const LEVELS = {
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warning: LogLevel.Warning,
  error: LogLevel.Error
} as const

/** Logs go to stderr so `--json` output on stdout stays machine-readable. */
export const loggingLayer = (config: Pick<AppConfig, "logFormat" | "logLevel">) =>
  Layer.mergeAll(
    Logger.replace(
      Logger.defaultLogger,
      Logger.withConsoleError(config.logFormat === "json" ? Logger.jsonLogger : Logger.prettyLoggerDefault)
    ),
    Logger.minimumLogLevel(LEVELS[config.logLevel])
  )
