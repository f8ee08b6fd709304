/**
 * The demo: an in-process Schwab sandbox on the wall clock, a simulated bot that places
 * about twenty orders with varied lifecycles while the sandbox injects faults, and the
 * real poller tracking them on a short interval. Fills print as they are recorded; a
 * summary compares every execution with the broker's truth. Succeeds when every order
 * is terminal and every recorded number matches.
 */
import * as fs from "node:fs"
import { type AccountHash, Decimal, type Shares, type TickerSymbol } from "@fill-tracker/domain"
import { SchwabAuth, SchwabClient } from "@fill-tracker/schwab-client"
import {
  expire,
  type FaultEvent,
  fillInOneActivity,
  fillsInLegs,
  immediateFill,
  type Lifecycle,
  partialThenCancel,
  realClock,
  reject,
  replace,
  type Sandbox,
  startSandbox
} from "@fill-tracker/schwab-sandbox"
import { type ExecutionRow, Executions } from "@fill-tracker/store"
import { Duration, Effect, Fiber, Redacted, Stream } from "effect"
import { table } from "../cli/common.js"
import { priceText } from "../cli/executionView.js"
import type { AppConfig } from "../config/AppConfig.js"
import { appLayer } from "../layers.js"
import { startPoller } from "../poller/Poller.js"
import { pollerOptionsFrom } from "../poller/pollerOptions.js"
import { FillTracker } from "../tracker/FillTracker.js"
import { expectedExecution } from "./brokerTruth.js"
import { makeDemoOutput } from "./demoOutput.js"
import { faultText } from "./faultText.js"

interface BotOrder {
  readonly symbol: string
  readonly shares: number
  readonly direction: "BUY" | "SELL"
  readonly referencePrice: string
  readonly lifecycle: Lifecycle
}

/** Twenty orders covering every lifecycle the tracker must handle. */
export const demoOrders = (): ReadonlyArray<BotOrder> => [
  {
    symbol: "AAPL",
    shares: 10,
    direction: "BUY",
    referencePrice: "150.25",
    lifecycle: immediateFill({ price: "150.25" })
  },
  {
    symbol: "MSFT",
    shares: 5,
    direction: "SELL",
    referencePrice: "410.10",
    lifecycle: immediateFill({ price: "410.1037" })
  },
  {
    symbol: "NVDA",
    shares: 9,
    direction: "BUY",
    referencePrice: "120.00",
    lifecycle: fillsInLegs(3, 1500, { prices: ["119.99", "120.01", "120.03"] })
  },
  {
    symbol: "AMD",
    shares: 4,
    direction: "BUY",
    referencePrice: "22.73",
    lifecycle: fillInOneActivity(2, { price: "22.7299" })
  },
  {
    symbol: "TSLA",
    shares: 6,
    direction: "SELL",
    referencePrice: "250.00",
    lifecycle: partialThenCancel({ quantity: "2", price: "249.95", fillAfterMs: 500, cancelAfterMs: 3000 })
  },
  {
    symbol: "META",
    shares: 3,
    direction: "BUY",
    referencePrice: "500.00",
    lifecycle: reject("Order rejected: insufficient buying power")
  },
  {
    symbol: "GOOG",
    shares: 8,
    direction: "BUY",
    referencePrice: "170.00",
    lifecycle: replace(immediateFill({ price: "170.05" }), { afterMs: 1500 })
  },
  {
    symbol: "AMZN",
    shares: 2,
    direction: "SELL",
    referencePrice: "180.00",
    lifecycle: expire({ afterMs: 5000 })
  },
  {
    symbol: "SPY",
    shares: 12,
    direction: "BUY",
    referencePrice: "560.00",
    lifecycle: fillsInLegs(4, 1000, { prices: ["559.99", "560.00", "560.01", "560.02"] })
  },
  {
    symbol: "QQQ",
    shares: 7,
    direction: "SELL",
    referencePrice: "480.00",
    lifecycle: immediateFill({ price: "480.005" })
  },
  {
    symbol: "IWM",
    shares: 3,
    direction: "BUY",
    referencePrice: "0.125",
    lifecycle: immediateFill({ price: "0.125" })
  },
  {
    symbol: "F",
    shares: 100,
    direction: "BUY",
    referencePrice: "11.00",
    lifecycle: fillsInLegs(2, 2500, { prices: ["11.0001", "10.9999"] })
  },
  {
    symbol: "BAC",
    shares: 20,
    direction: "SELL",
    referencePrice: "40.00",
    lifecycle: partialThenCancel({ quantity: "5", price: "40.01", fillAfterMs: 1000, cancelAfterMs: 4000 })
  },
  {
    symbol: "KO",
    shares: 15,
    direction: "BUY",
    referencePrice: "60.00",
    lifecycle: immediateFill({ price: "63.50" })
  },
  {
    symbol: "PEP",
    shares: 4,
    direction: "SELL",
    referencePrice: "170.00",
    lifecycle: reject("Order rejected: symbol halted")
  },
  {
    symbol: "XOM",
    shares: 10,
    direction: "BUY",
    referencePrice: "115.00",
    lifecycle: replace(fillsInLegs(2, 1000, { prices: ["115.10", "115.20"] }), { afterMs: 1000 })
  },
  {
    symbol: "JPM",
    shares: 6,
    direction: "BUY",
    referencePrice: "200.00",
    lifecycle: fillsInLegs(3, 2000, { prices: ["200.01", "200.02", "200.03"] })
  },
  {
    symbol: "DIS",
    shares: 9,
    direction: "SELL",
    referencePrice: "100.00",
    lifecycle: expire({ afterMs: 7000 })
  },
  {
    symbol: "INTC",
    shares: 50,
    direction: "BUY",
    referencePrice: "30.00",
    lifecycle: immediateFill({ price: "30.245" })
  },
  {
    symbol: "WMT",
    shares: 11,
    direction: "SELL",
    referencePrice: "70.00",
    lifecycle: fillInOneActivity(3, { price: "70.3333" })
  }
]

/** Faults a real day brings, at rates the retries must absorb. */
const injectFaults = (sandbox: Sandbox) => {
  sandbox.faults.inject({ route: "listOrders", kind: "rateLimited", retryAfterSeconds: 1, probability: 0.1 })
  sandbox.faults.inject({ route: "listOrders", kind: "unavailable", probability: 0.05 })
  sandbox.faults.inject({ route: "listOrders", kind: "truncatedJson", times: 2 })
  sandbox.faults.inject({ route: "getOrder", kind: "serverError", probability: 0.1 })
  sandbox.faults.inject({ route: "*", kind: "latency", latencyMs: 150, probability: 0.1 })
  sandbox.faults.inject({ route: "listOrders", kind: "unauthorized", times: 1 })
}

/** Each injected fault as the sandbox meets it, until interrupted. */
const faultsAsTheyHappen = (sandbox: Sandbox) =>
  Stream.async<FaultEvent>((emit) => {
    const stop = sandbox.onFault((event) => void emit.single(event))
    return Effect.sync(stop)
  })

/** The waiting line: what is still open and for how long the demo has waited. */
const waitingText = (open: ReadonlyArray<string>, waitedMs: number) => {
  const names = open.length > 4 ? `${open.slice(0, 4).join(", ")}, ...` : open.join(", ")
  return `waiting for ${open.length} open order(s) to end (${names}): ${Math.floor(waitedMs / 1000)} s`
}

export interface DemoResult {
  readonly executions: number
  readonly terminal: number
  readonly mismatches: number
}

export const runDemo = (config: AppConfig, options: { readonly timeoutMs: number; readonly seed: number }) =>
  Effect.gen(function* () {
    const sandbox = yield* Effect.acquireRelease(
      Effect.promise(() => startSandbox({ seed: options.seed, clock: realClock() })),
      (s) => Effect.promise(() => s.close())
    )
    const account = sandbox.accounts[0]!
    const accountHash = account.hashValue as AccountHash
    for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(`${config.database}${suffix}`, { force: true })
    const demoConfig: AppConfig = {
      ...config,
      appKey: Redacted.make(sandbox.appKey),
      appSecret: Redacted.make(sandbox.appSecret),
      tokenKey: Redacted.make(Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64")),
      baseUrl: sandbox.baseUrl,
      tokenUrl: sandbox.tokenUrl,
      authorizeUrl: sandbox.authorizeUrl
    }
    const out = makeDemoOutput()
    const line = out.line
    yield* line(`sandbox: Schwab API on ${sandbox.baseUrl}; database: ${config.database}`)
    yield* line(
      demoConfig.streaming === true
        ? `streaming: on (account activity from ${sandbox.streamer.url} wakes a fetch of the order; polling goes on)`
        : "streaming: off (polling only)"
    )

    const program = Effect.gen(function* () {
      const auth = yield* SchwabAuth.SchwabAuth
      const client = yield* SchwabClient.SchwabClient
      const tracker = yield* FillTracker
      const executions = yield* Executions
      // The same path a person takes: a code from the authorize redirect, exchanged once.
      yield* auth.exchangeCode(sandbox.issueAuthorizationCode())

      const detections: Array<number> = []
      const printer = yield* tracker.fills({ pollEvery: Duration.millis(100) }).pipe(
        Stream.runForEach(({ event: e, recordedAt }) => {
          switch (e.type) {
            case "LegFilled": {
              const detected = detectionMs(sandbox, e.orderId, e.fillKey, recordedAt)
              if (detected !== undefined) detections.push(detected)
              return line(
                `  fill      ${e.executionId}  ${Decimal.format(e.quantity)} @ ${Decimal.format(e.price)}  (${e.executedAt}; detected ${detected === undefined ? "?" : `${(detected / 1000).toFixed(2)} s`} after the broker's fill)`
              )
            }
            case "Filled":
              return line(
                `  FILLED    ${e.executionId}  ${Decimal.format(e.filledShares)} shares, average ${Decimal.format(e.averagePrice)} = ${e.priceCents} cents`
              )
            case "Failed":
              return line(
                `  ${(e.brokerStatus ?? "UNPLACED").padEnd(9)} ${e.executionId}  ${Decimal.format(e.filledShares)} executed; ${e.reason}`
              )
            case "Replaced":
              return line(`  replaced  ${e.executionId}  order ${e.orderId} -> ${e.replacementOrderId}`)
            case "FillFlagged":
              return line(`  flagged   ${e.executionId}  ${e.kind}: ${e.detail}`)
          }
        }),
        Effect.fork
      )

      const faultPrinter = yield* faultsAsTheyHappen(sandbox).pipe(
        Stream.runForEach((event) => line(`  fault     ${faultText(event)}`)),
        Effect.fork
      )
      const poller = yield* startPoller(pollerOptionsFrom(demoConfig, []))
      injectFaults(sandbox)

      const orders = demoOrders()
      const placed: Array<{ executionId: string; orderId: string }> = []
      for (const [i, o] of orders.entries()) {
        sandbox.scriptNext(o.lifecycle)
        const orderId = yield* client.placeOrder(accountHash, {
          symbol: o.symbol as TickerSymbol,
          shares: Decimal.fromBigInt(BigInt(o.shares)) as Shares,
          direction: o.direction
        })
        const executionId = `demo-${String(i + 1).padStart(2, "0")}`
        yield* tracker.recordSubmission({
          executionId,
          orderId,
          accountHash,
          symbol: o.symbol,
          shares: o.shares,
          direction: o.direction,
          referencePrice: o.referencePrice
        })
        placed.push({ executionId, orderId })
        yield* line(
          `bot: ${executionId} ${o.direction} ${o.shares} ${o.symbol} -> order ${orderId} (${o.lifecycle.name})`
        )
        yield* Effect.sleep(Duration.millis(150))
      }

      // The late expiries end last: say what is still open while waiting for them.
      const waitStart = Date.now()
      const deadline = waitStart + options.timeoutMs
      for (;;) {
        const open = (yield* executions.open()).map((r) => r.executionId).sort()
        if (open.length === 0 || Date.now() >= deadline) break
        yield* out.status(waitingText(open, Date.now() - waitStart), open.join(","))
        yield* Effect.sleep(Duration.millis(250))
      }
      yield* out.endStatus
      yield* poller.stop
      yield* Effect.sleep(Duration.millis(300))
      yield* Fiber.interrupt(printer)
      yield* Fiber.interrupt(faultPrinter)

      const rows: Array<ReadonlyArray<string>> = []
      let terminal = 0
      let mismatches = 0
      for (const p of placed) {
        const row = (yield* executions.byExecutionId(p.executionId as never)).pipe((o) =>
          o._tag === "Some" ? o.value : undefined
        )
        const expected = expectedExecution(sandbox, p.orderId)
        const isTerminal = row !== undefined && row.status !== "SUBMITTED"
        if (isTerminal) terminal += 1
        const matches =
          row !== undefined &&
          isTerminal &&
          row.filledShares === expected.filledShares &&
          (row.priceCents ?? null) === expected.priceCents
        if (!matches) mismatches += 1
        rows.push(summaryRow(p.executionId, row, expected, matches))
      }
      yield* line("")
      yield* line(
        table(["EXECUTION", "STATE", "SYMBOL", "FILLED", "PRICE", "BROKER", "MATCHES BROKER"], rows)
      )
      const requests = sandbox.requests()
      yield* line(
        `\n${placed.length} orders, ${terminal} terminal, ${mismatches} mismatches; ${requests.length} Schwab requests, ${requests.filter((r) => r.fault !== undefined).length} faulted`
      )
      yield* line(detectionSummary(detections))
      return { executions: placed.length, terminal, mismatches } satisfies DemoResult
    })
    return yield* program.pipe(
      Effect.provide(appLayer(demoConfig, { retry: { baseDelay: Duration.millis(100), maxAttempts: 6 } }))
    )
  }).pipe(Effect.scoped)

/**
 * Broker fill time to `LegFilled` recorded, in ms. The broker's time comes from the
 * sandbox's truth (REST shows executions to the second only); the fill key names the
 * activity and the execution leg.
 */
const detectionMs = (
  sandbox: Sandbox,
  orderId: string,
  fillKey: string,
  recordedAt: Date
): number | undefined => {
  const fill = sandbox
    .truth(orderId)
    .fills.find((candidate) => `${candidate.activityId}:${candidate.executionIndex}` === fillKey)
  return fill === undefined ? undefined : recordedAt.getTime() - fill.epochMs
}

const detectionSummary = (detections: ReadonlyArray<number>): string => {
  if (detections.length === 0) return "no fill detected"
  const sorted = [...detections].sort((a, b) => a - b)
  const at = (p: number) =>
    ((sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0) / 1000).toFixed(2)
  return `detection (broker fill -> LegFilled recorded) over ${sorted.length} fills: p50 ${at(0.5)} s, max ${at(1)} s`
}

const summaryRow = (
  executionId: string,
  row: ExecutionRow | undefined,
  expected: ReturnType<typeof expectedExecution>,
  matches: boolean
): ReadonlyArray<string> => [
  executionId,
  row?.state ?? "missing",
  row?.symbol ?? "",
  row === undefined ? "" : `${row.filledShares}/${row.shares}`,
  row === undefined ? "" : priceText(row),
  `${expected.finalStatus} ${expected.filledShares} @ ${expected.priceCents === null ? "-" : `${expected.priceCents}c`}`,
  matches ? "yes" : "NO"
]
