/** Runs an effect with a logger that keeps every line (all levels, annotations and causes) as text. */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"

export const captureLogs = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const lines: Array<string> = []
    const logger = Logger.make(({ annotations, cause, logLevel, message }) => {
      const parts = [logLevel.label, ...(Array.isArray(message) ? message : [message]).map(String)]
      for (const [k, v] of annotations) parts.push(`${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
      if (!Cause.isEmpty(cause)) parts.push(Cause.pretty(cause, { renderErrorCause: true }))
      lines.push(parts.join(" "))
    })
    const result = yield* effect.pipe(
      Effect.either,
      Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
      Logger.withMinimumLogLevel(LogLevel.All)
    )
    return { result, lines }
  })
