/**
 * A bot that does not use Effect, tracking its fills with the Promise facade.
 * Runs against the Schwab sandbox so it works anywhere:
 *   pnpm --filter @fill-tracker/app example
 * Against Schwab, drop the sandbox, pass your app key, secret and token key, and
 * authorize once with `fill-tracker auth url` / `auth login`.
 */
import * as os from "node:os"
import * as path from "node:path"
import { createFillTracker, Decimal } from "@fill-tracker/app"
import { fillsInLegs, realClock, startSandbox } from "@fill-tracker/schwab-sandbox"

const sandbox = await startSandbox({ seed: 1, clock: realClock() })
const tracker = await createFillTracker({
  database: path.join(os.tmpdir(), `fill-tracker-example-${process.pid}.db`),
  pollingInterval: "500ms",
  pollingMaxJitter: "100ms",
  logLevel: "warning",
  schwab: {
    appKey: sandbox.appKey,
    appSecret: sandbox.appSecret,
    tokenKey: "11".repeat(32),
    baseUrl: sandbox.baseUrl,
    tokenUrl: sandbox.tokenUrl,
    authorizeUrl: sandbox.authorizeUrl
  }
})
await tracker.authorize(sandbox.issueAuthorizationCode())

const done = new Promise<void>((resolve) => {
  tracker.onFill((event) => {
    if (event.type === "LegFilled")
      console.log(
        `fill: ${Decimal.format(event.quantity)} @ ${Decimal.format(event.price)} on order ${event.orderId}`
      )
    if (event.type === "Filled") {
      console.log(`filled: ${Decimal.format(event.filledShares)} shares at ${event.priceCents} cents`)
      resolve()
    }
  })
})

// The bot placed this order itself (here: the sandbox stands in for Schwab) and now records it.
const account = sandbox.accounts[0]!.hashValue
const orderId = sandbox.seedOrder(
  account,
  { symbol: "AAPL", quantity: 3 },
  fillsInLegs(3, 300, { price: "150.25" })
)
await tracker.recordSubmission({
  executionId: `hedge-${orderId}`,
  orderId,
  accountHash: account,
  symbol: "AAPL",
  shares: 3,
  direction: "BUY"
})
await tracker.start()
await done
console.log(await tracker.getExecution(`hedge-${orderId}`))
await tracker.stop()
await sandbox.close()
