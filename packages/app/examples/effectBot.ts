/**
 * A bot written with Effect, placing an order and tracking its fills with the `FillTracker` service: the
 * config is resolved from explicit flags (every problem at once), `appLayer` provides the
 * store, the Schwab client and the tracker, the poller runs in the program's scope and
 * the fills arrive as a Stream. Runs against the Schwab sandbox so it works anywhere:
 *   pnpm --filter @fill-tracker/app example:effect
 * Against Schwab, drop the sandbox and its URLs, take the secrets from the environment and
 * authorize once with `fill-tracker auth url` / `auth login`.
 */
import * as os from "node:os"
import * as path from "node:path"
import {
  appLayer,
  Decimal,
  FillTracker,
  pollerOptionsFrom,
  resolveConfig,
  startPoller
} from "@fill-tracker/app"
import { SchwabAuth } from "@fill-tracker/schwab-client"
import { fillsInLegs, realClock, startSandbox } from "@fill-tracker/schwab-sandbox"
import { Console, Effect, Stream } from "effect"

const sandbox = await startSandbox({ seed: 2, clock: realClock() })

const resolved = resolveConfig(
  {
    flags: {
      database: path.join(os.tmpdir(), `fill-tracker-effect-example-${process.pid}.db`),
      "order-polling-interval": "500ms",
      "order-polling-max-jitter": "100ms",
      "schwab-app-key": sandbox.appKey,
      "schwab-app-secret": sandbox.appSecret,
      "token-key": "33".repeat(32),
      "schwab-base-url": sandbox.baseUrl,
      "schwab-token-url": sandbox.tokenUrl,
      "schwab-authorize-url": sandbox.authorizeUrl
    },
    env: {}
  },
  ["appKey", "appSecret", "tokenKey"]
)
if (!resolved.ok) throw resolved.error
const config = resolved.config

const program = Effect.gen(function* () {
  const auth = yield* SchwabAuth.SchwabAuth
  yield* auth.exchangeCode(sandbox.issueAuthorizationCode())
  const tracker = yield* FillTracker

  // The tracker places the order: the intent is recorded before the request, so a crash or
  // a lost answer is resolved from Schwab's order list, never by sending twice. (The sandbox
  // stands in for Schwab: the next order placed there fills in two legs.)
  sandbox.scriptNext(fillsInLegs(2, 300, { price: "120.50" }))
  const from = yield* tracker.headPosition
  const placed = yield* tracker.placeOrder("effect-1", {
    accountHash: sandbox.accounts[0]!.hashValue,
    symbol: "NVDA",
    shares: 4,
    direction: "SELL",
    referencePrice: "120.50"
  })
  yield* Console.log(`placed: order ${placed.orderId}`)
  const poller = yield* startPoller(pollerOptionsFrom(config, []))

  // Every fill event from the submission on, until the execution is terminal.
  yield* tracker.fills({ fromPosition: from }).pipe(
    Stream.tap(({ event }) =>
      event.type === "LegFilled"
        ? Console.log(
            `fill: ${Decimal.format(event.quantity)} @ ${Decimal.format(event.price)} on order ${event.orderId}`
          )
        : Effect.void
    ),
    Stream.takeUntil(({ event }) => event.type === "Filled" || event.type === "Failed"),
    Stream.runDrain
  )
  const execution = yield* tracker.getExecution("effect-1")
  yield* Console.log(execution)
  yield* poller.stop
})

await Effect.runPromise(program.pipe(Effect.provide(appLayer(config))))
await sandbox.close()
