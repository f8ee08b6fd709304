/**
 * One-event appends in one process, per path: µs per append. Not part of `pnpm bench`;
 * a tool for profiling (`node --cpu-prof ...`).
 *   node --conditions=@fill-tracker/source --import tsx bench/append-profile.ts [effect|lean|raw] [appends]
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { ExecutionId, TradeEvent } from "@fill-tracker/domain"
import * as Effect from "effect/Effect"
import { EventStore, SqliteStore } from "../src/index.js"
import { openRaw, rawAppender } from "./raw.js"
import { singleEvents } from "./workloads.js"

const mode = process.argv[2] ?? "effect"
const streams = Number(process.argv[3] ?? 4000)
const per = 5
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "append-prof-"))
const file = path.join(dir, "s.db")
const ev = (s: number) => singleEvents("s", s)

const all = Array.from({ length: streams }, (_, s) => ev(s))
await Effect.runPromise(Effect.provide(Effect.void, SqliteStore.layer({ filename: file })))
let t0 = 0
if (mode === "raw") {
  const db = openRaw(file)
  const append = rawAppender(db)
  t0 = performance.now()
  for (let k = 0; k < per; k++)
    for (let s = 0; s < streams; s++) append(`s-${s}` as ExecutionId, k, [all[s]?.[k] as TradeEvent])
} else {
  await Effect.runPromise(
    Effect.provide(
      Effect.gen(function* () {
        const store = yield* EventStore
        t0 = performance.now()
        for (let k = 0; k < per; k++)
          for (let s = 0; s < streams; s++)
            yield* process.env.NOTRACE
              ? Effect.withTracerEnabled(
                  store.append(`s-${s}` as ExecutionId, k, [all[s]?.[k] as TradeEvent]),
                  false
                )
              : store.append(`s-${s}` as ExecutionId, k, [all[s]?.[k] as TradeEvent])
      }),
      SqliteStore.layer({ filename: file, driver: mode === "lean" ? "lean" : "sqlite-node" })
    )
  )
}
const us = ((performance.now() - t0) * 1000) / (streams * per)
console.log(`${mode}: ${us.toFixed(1)} µs/append`)
fs.rmSync(dir, { recursive: true, force: true })
