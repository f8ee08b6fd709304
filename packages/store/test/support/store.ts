/** A store on a fresh SQLite file in a temp directory. */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Effect from "effect/Effect"
import { SqliteStore } from "../../src/index.js"

export const tempFile = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "fill-tracker-store-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
).pipe(Effect.map((dir) => path.join(dir, "store.db")))

export const storeLayer = (filename: string, options: Partial<SqliteStore.SqliteStoreOptions> = {}) =>
  SqliteStore.layer({ filename, ...options })
