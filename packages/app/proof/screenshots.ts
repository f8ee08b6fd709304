/**
 * Screenshots of the operator page to look at (not a test): a sandbox with a few orders in
 * different states, the app tracking them with the page on the health port, and Debian's
 * Chromium (headless, via playwright-core) saving the main page before and after more
 * fills arrive, and one execution's history.
 *
 *   node --conditions=@fill-tracker/source --import tsx packages/app/proof/screenshots.ts [outDir=operator-page-screenshots]
 */
import * as fs from "node:fs"
import * as path from "node:path"
import type { AccountHash } from "@fill-tracker/domain"
import { Decimal } from "@fill-tracker/domain"
import { SchwabAuth } from "@fill-tracker/schwab-client"
import { fillsInLegs, immediateFill, manualClock, startSandbox } from "@fill-tracker/schwab-sandbox"
import { Effect } from "effect"
import { chromium } from "playwright-core"
import { tokenExpiries } from "../src/cli/run.js"
import { serveHealth } from "../src/health/HealthServer.js"
import { appLayer } from "../src/layers.js"
import { runCycleOnce } from "../src/poller/Poller.js"
import { FillTracker } from "../src/tracker/FillTracker.js"
import { proofConfig, tempDir } from "./harness.js"

const outDir = path.resolve(process.argv[2] ?? "operator-page-screenshots")
fs.mkdirSync(outDir, { recursive: true })
const dir = tempDir("screenshots")
const sandbox = await startSandbox({ seed: 7, clock: manualClock(Date.now()) })
const account = sandbox.accounts[0]!.hashValue as AccountHash
const orders = [
  { id: "bot-aapl-1", symbol: "AAPL", shares: 10, life: fillsInLegs(3, 60_000, { price: "189.40" }) },
  { id: "bot-msft-1", symbol: "MSFT", shares: 5, life: immediateFill({ price: "417.12" }) },
  { id: "bot-nvda-1", symbol: "NVDA", shares: 8, life: fillsInLegs(2, 120_000, { price: "121.05" }) },
  { id: "bot-amd-1", symbol: "AMD", shares: 20, life: fillsInLegs(4, 60_000, { price: "158.77" }) }
]
const cycle = runCycleOnce({
  intervalMs: 15_000,
  maxJitterMs: 5_000,
  cycleTimeoutMs: 30_000,
  graceMs: 2_000,
  concurrency: 8,
  priceBand: Decimal.make(5n, 2),
  accounts: []
})

const browser = await chromium.launchPersistentContext(tempDir("chromium"), {
  executablePath: "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1280, height: 1100 },
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync"
  ]
})
try {
  await Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const auth = yield* SchwabAuth.SchwabAuth
        yield* auth.exchangeCode(sandbox.issueAuthorizationCode())
        const tracker = yield* FillTracker
        for (const o of orders) {
          const orderId = sandbox.seedOrder(account, { symbol: o.symbol, quantity: o.shares }, o.life)
          yield* tracker.recordSubmission({
            executionId: o.id,
            orderId,
            accountHash: account,
            symbol: o.symbol,
            shares: o.shares,
            direction: "BUY"
          })
        }
        const port = yield* serveHealth({
          port: 0,
          intervalMs: 15_000,
          maxJitterMs: 5_000,
          tokenExpiries: tokenExpiries.pipe(Effect.provideService(SchwabAuth.SchwabAuth, auth))
        })
        yield* cycle
        const page = yield* Effect.promise(() => browser.newPage())
        yield* Effect.promise(() => page.goto(`http://127.0.0.1:${port}/`))
        const shot = (name: string) =>
          Effect.promise(() => page.screenshot({ path: path.join(outDir, name), fullPage: true }))
        yield* shot("1-page.png")
        for (let i = 0; i < 3; i++) {
          sandbox.advance(60_000)
          yield* cycle
        }
        // The page's own poll brings the new fills in (no reload).
        yield* Effect.promise(() => page.locator("#fills tbody tr").nth(6).waitFor({ timeout: 30_000 }))
        yield* shot("2-page-after-fills.png")
        yield* Effect.promise(() => page.goto(`http://127.0.0.1:${port}/executions/bot-aapl-1`))
        yield* shot("3-execution.png")
      }).pipe(Effect.provide(appLayer(proofConfig(sandbox, path.join(dir, "fills.db")))))
    )
  )
  console.log(`screenshots in ${outDir}`)
} finally {
  await browser.close()
  await sandbox.close()
  fs.rmSync(dir, { recursive: true, force: true })
}
