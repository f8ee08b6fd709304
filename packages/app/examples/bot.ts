/**
 * A bot that does not use Effect, placing an order and tracking its fills with the Promise facade.
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

await tracker.start()

// The tracker places the order: the intent is recorded before the request, so a crash or a
// lost answer is resolved from Schwab's order list by calling placeOrder again, never by
// sending twice. (The sandbox stands in for Schwab: the next order placed fills in 3 legs.)
sandbox.scriptNext(fillsInLegs(3, 300, { price: "150.25" }))
const placed = await tracker.placeOrder("hedge-1", {
  accountHash: sandbox.accounts[0]!.hashValue,
  symbol: "AAPL",
  shares: 3,
  direction: "BUY",
  referencePrice: "150.25"
})
console.log(`placed: order ${placed.orderId}`)
await done
console.log(await tracker.getExecution("hedge-1"))
await tracker.stop()
await sandbox.close()
