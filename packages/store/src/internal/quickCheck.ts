/**
 * SQLite's `PRAGMA quick_check` at start-up, bounded in time.
 *
 * The check reads every page, so its time grows with the file; better-sqlite3 runs it
 * synchronously and SQLite offers no way to stop it from another call. It therefore runs in
 * a worker thread on its own read-only connection: the caller waits at most `timeoutMillis`
 * and then goes on without the verdict (logged as a warning, never reported as sound). The
 * worker is unref'd, so one still checking a huge file never keeps the process alive.
 */
import { createRequire } from "node:module"
import { Worker } from "node:worker_threads"
import * as Effect from "effect/Effect"
import { StoreRefused } from "../errors.js"

/** The worker's script (CommonJS, as `eval` workers are): open read-only, check, answer. */
const script = `
const { parentPort, workerData } = require("node:worker_threads")
const Database = require(workerData.driver)
try {
  const db = new Database(workerData.filename, { readonly: true, fileMustExist: true })
  try {
    const rows = db.pragma("quick_check(20)", { simple: false })
    parentPort.postMessage({ ok: true, problems: rows.map((r) => String(Object.values(r)[0])).filter((t) => t !== "ok") })
  } finally {
    db.close()
  }
} catch (e) {
  parentPort.postMessage({ ok: false, code: String((e && e.code) || ""), message: String((e && e.message) || e) })
}
`

type Answer =
  | { readonly ok: true; readonly problems: ReadonlyArray<string> }
  | { readonly ok: false; readonly code: string; readonly message: string }

const driver = createRequire(import.meta.url).resolve("better-sqlite3")

/** SQLite's codes for a damaged file or one that is not a database at all. */
export const isCorruptionCode = (code: string): boolean => /^SQLITE_(CORRUPT|NOTADB)/.test(code)

/**
 * Runs the check on `filename`. Fails `StoreRefused` (`Corrupt`) when SQLite reports
 * problems; succeeds `"sound"`, or `"unfinished"` when it ran past `timeoutMillis` (or
 * could not run for another reason, which is logged).
 */
export const quickCheck = (
  filename: string,
  timeoutMillis: number
): Effect.Effect<"sound" | "unfinished", StoreRefused> =>
  Effect.async<Answer>((resume) => {
    const worker = new Worker(script, { eval: true, workerData: { driver, filename } })
    worker.unref()
    worker.once("message", (answer: Answer) => {
      resume(Effect.succeed(answer))
      void worker.terminate()
    })
    worker.once("error", (e) => resume(Effect.succeed({ ok: false, code: "", message: e.message })))
    return Effect.sync(() => void worker.terminate())
  }).pipe(
    Effect.timeoutOption(timeoutMillis),
    Effect.flatMap((answer) => {
      if (answer._tag === "None")
        return Effect.as(
          Effect.logWarning(
            `SQLite quick_check did not finish within ${timeoutMillis} ms; started without it`
          ),
          "unfinished" as const
        )
      const a = answer.value
      if (a.ok && a.problems.length === 0) return Effect.succeed("sound" as const)
      if (a.ok || isCorruptionCode(a.code))
        return Effect.fail(
          new StoreRefused({
            reason: "Corrupt",
            detail: `the SQLite file is damaged (quick_check): ${(a.ok ? a.problems : [a.message]).slice(0, 5).join("; ")}`
          })
        )
      return Effect.as(
        Effect.logWarning(`SQLite quick_check could not run: ${a.message}`),
        "unfinished" as const
      )
    })
  )
