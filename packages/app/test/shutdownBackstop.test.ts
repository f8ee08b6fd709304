import { Effect, Logger } from "effect"
import { describe, expect, it } from "vitest"
import { armShutdownBackstop } from "../src/cli/shutdownBackstop.js"
import { until } from "./waitUntil.js"

describe("the shutdown backstop", () => {
  it("exits 0 once its time passed, logging through the service's logger why", async () => {
    const exits: Array<number> = []
    const lines: Array<string> = []
    const logger = Logger.make(({ message, annotations }) =>
      lines.push(`${String(message)} ${JSON.stringify(Object.fromEntries(annotations))}`)
    )
    const armedAt = Date.now()
    await Effect.runPromise(
      armShutdownBackstop(20, (code) => exits.push(code)).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )
    )
    // Armed, not yet fired: the effect returns at once and the timer does the rest.
    expect(exits).toEqual([])
    await until(() => exits.length > 0, "the backstop fires")
    expect(Date.now() - armedAt).toBeGreaterThanOrEqual(19)
    expect(exits).toEqual([0])
    expect(lines).toEqual([
      'shutdown did not finish within the grace period: exiting with it unfinished {"afterMs":20}'
    ])
  })
})
