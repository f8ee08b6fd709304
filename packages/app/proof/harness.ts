/**
 * What every proof shares: a seeded mix of order lifecycles placed in the sandbox, the
 * app config that points at it, and the audit that compares what the tracker recorded
 * with the broker's truth (shares, cents, fill keys once each, replay equal to live).
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { AccountHash } from "@fill-tracker/domain"
import {
  expire,
  fillInOneActivity,
  fillsInLegs,
  immediateFill,
  type Lifecycle,
  makeRandom,
  partialThenCancel,
  type Random,
  reject,
  replace,
  type Sandbox
} from "@fill-tracker/schwab-sandbox"
import { EventStore, Executions, Replay } from "@fill-tracker/store"
import { Effect, Option, Redacted, Stream } from "effect"
import type { AppConfig } from "../src/config/AppConfig.js"
import { expectedExecution } from "../src/demo/brokerTruth.js"
import { FillTracker } from "../src/tracker/FillTracker.js"

export interface PlacedOrder {
  readonly executionId: string
  readonly orderId: string
  readonly accountHash: AccountHash
  readonly symbol: string
  readonly shares: number
  readonly direction: "BUY" | "SELL"
  readonly referencePrice: string
  readonly lifecycle: string
}

/** A buy of 10 AAPL at 150.00 that stays working: the open order the load proofs poll. */
export const workingBuy = (executionId: string, orderId: string, accountHash: string): PlacedOrder => ({
  executionId,
  orderId,
  accountHash: accountHash as AccountHash,
  symbol: "AAPL",
  shares: 10,
  direction: "BUY",
  referencePrice: "150.00",
  lifecycle: "working"
})

const SYMBOLS = ["AAPL", "MSFT", "NVDA", "AMD", "TSLA", "SPY", "QQQ", "F", "KO", "XOM", "JPM", "INTC"]

/** A price near `base` with two or four decimals, as text (never a float). */
const priceNear = (rng: Random, base: number): string => {
  const cents = base * 100 + rng.int(-40, 40)
  const four = rng.chance(0.3)
  const whole = Math.floor(cents / 100)
  const frac = String(cents % 100).padStart(2, "0")
  return four ? `${whole}.${frac}${String(rng.int(0, 99)).padStart(2, "0")}` : `${whole}.${frac}`
}

/**
 * One lifecycle of the mix; every step happens within `spanMs` of entry, so a proof on
 * the wall clock knows when the broker is done.
 */
export const lifecycleFor = (rng: Random, shares: number, base: number, spanMs: number): Lifecycle => {
  const at = () => rng.int(0, Math.floor(spanMs / 2))
  const prices = (n: number) => Array.from({ length: n }, () => priceNear(rng, base))
  switch (rng.int(0, 7)) {
    case 0:
      return immediateFill({ price: priceNear(rng, base), afterMs: at() })
    case 1:
      return fillsInLegs(3, Math.floor(spanMs / 6), { prices: prices(3), firstAfterMs: at() })
    case 2:
      return fillInOneActivity(2, { price: priceNear(rng, base), afterMs: at() })
    case 3:
      return partialThenCancel({
        quantity: String(rng.int(1, shares - 1)),
        price: priceNear(rng, base),
        fillAfterMs: at(),
        cancelAfterMs: spanMs
      })
    case 4:
      return reject("Order rejected: insufficient buying power", { afterMs: at() })
    case 5:
      return replace(fillsInLegs(2, Math.floor(spanMs / 6), { prices: prices(2) }), {
        afterMs: Math.floor(spanMs / 3)
      })
    case 6:
      return expire({ afterMs: spanMs })
    default:
      return replace(immediateFill({ price: priceNear(rng, base), afterMs: at() }), {
        afterMs: Math.floor(spanMs / 4)
      })
  }
}

/** Places `count` orders spread over the sandbox's accounts, each with a seeded lifecycle. */
export const seedOrders = (
  sandbox: Sandbox,
  count: number,
  options: { readonly seed: number; readonly spanMs: number; readonly prefix?: string }
): ReadonlyArray<PlacedOrder> => {
  const rng = makeRandom(`orders/${options.seed}`)
  const placed: Array<PlacedOrder> = []
  for (let i = 0; i < count; i++) {
    const account = sandbox.accounts[i % sandbox.accounts.length]!
    const symbol = rng.pick(SYMBOLS)
    const shares = rng.int(3, 40)
    const base = rng.int(10, 500)
    const direction = rng.chance(0.5) ? "BUY" : "SELL"
    const lifecycle = lifecycleFor(rng, shares, base, options.spanMs)
    const orderId = sandbox.seedOrder(
      account.hashValue,
      { symbol, quantity: shares, instruction: direction },
      lifecycle
    )
    placed.push({
      executionId: `${options.prefix ?? "proof"}-${String(i + 1).padStart(5, "0")}`,
      orderId,
      accountHash: account.hashValue as AccountHash,
      symbol,
      shares,
      direction,
      referencePrice: `${base}.00`,
      lifecycle: lifecycle.name
    })
  }
  return placed
}

/** Records every placed order as the bot would, right after placing it. */
export const recordAll = (orders: ReadonlyArray<PlacedOrder>) =>
  Effect.flatMap(FillTracker, (tracker) =>
    Effect.forEach(
      orders,
      (o) =>
        tracker.recordSubmission({
          executionId: o.executionId,
          orderId: o.orderId,
          accountHash: o.accountHash,
          symbol: o.symbol,
          shares: o.shares,
          direction: o.direction,
          referencePrice: o.referencePrice
        }),
      { discard: true }
    )
  )

/** A temp dir for one proof's database; removed by the caller. */
export const tempDir = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `ft-proof-${name}-`))

/** The app config pointing at the sandbox, with a fresh token key. */
export const proofConfig = (
  sandbox: Sandbox,
  database: string,
  overrides: Partial<AppConfig> = {}
): AppConfig => ({
  database,
  pollingInterval: 100,
  pollingMaxJitter: 0,
  pollConcurrency: 8,
  appKey: Redacted.make(sandbox.appKey),
  appSecret: Redacted.make(sandbox.appSecret),
  redirectUri: "https://127.0.0.1:8182/callback",
  baseUrl: sandbox.baseUrl,
  tokenUrl: sandbox.tokenUrl,
  authorizeUrl: sandbox.authorizeUrl,
  accounts: [],
  tokenKey: Redacted.make(Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64")),
  rateLimit: 10_000,
  requestTimeout: 2_000,
  priceBand: "0.05",
  healthPort: 0,
  logLevel: "error",
  logFormat: "json",
  shutdownGrace: 2_000,
  ...overrides
})

export interface AuditReport {
  readonly orders: number
  readonly terminal: number
  /**
   * One line per execution whose shares, cents, fill keys, terminal status, reason (the
   * broker's status) or followed order differ from the truth.
   */
  readonly mismatches: ReadonlyArray<string>
  /** Fill keys appended more than once to one stream. */
  readonly duplicateFills: number
  /** Fill keys the broker executed that the stream lacks. */
  readonly lostFills: number
  readonly fillEvents: number
  readonly replayDifferences: number
}

/**
 * How a terminal row differs from the broker's end of the order: FILLED only for an order
 * the broker filled, FAILED with the broker's own status (the reason class: CANCELED,
 * REJECTED, EXPIRED) for every other end, and the order followed to its last replacement.
 */
const terminalProblem = (
  row: { readonly status: string; readonly brokerStatus: string | null; readonly orderId: string | null },
  expected: { readonly finalStatus: string; readonly finalOrderId: string }
): string => {
  const wanted = expected.finalStatus === "FILLED" ? "FILLED" : "FAILED"
  if (row.status !== wanted) return `status ${row.status} != ${wanted} (broker ${expected.finalStatus})`
  if (wanted === "FAILED" && row.brokerStatus !== expected.finalStatus)
    return `reason ${row.brokerStatus ?? "none"} != broker ${expected.finalStatus}`
  if (row.orderId !== expected.finalOrderId)
    return `order ${row.orderId} != broker's last ${expected.finalOrderId}`
  return ""
}

/** Compares every execution with the sandbox's truth and replays the store. */
export const audit = (sandbox: Sandbox, orders: ReadonlyArray<PlacedOrder>) =>
  Effect.gen(function* () {
    const executions = yield* Executions
    const store = yield* EventStore
    const replay = yield* Replay
    const keysByStream = new Map<string, Map<string, number>>()
    let fillEvents = 0
    yield* store.readAll().pipe(
      Stream.runForEach((r) =>
        Effect.sync(() => {
          if (r.event.type !== "LegFilled") return
          fillEvents += 1
          const keys = keysByStream.get(r.streamId) ?? new Map<string, number>()
          keys.set(r.event.fillKey, (keys.get(r.event.fillKey) ?? 0) + 1)
          keysByStream.set(r.streamId, keys)
        })
      )
    )
    const mismatches: Array<string> = []
    let terminal = 0
    let duplicateFills = 0
    let lostFills = 0
    for (const o of orders) {
      const row = Option.getOrUndefined(yield* executions.byExecutionId(o.executionId as never))
      const expected = expectedExecution(sandbox, o.orderId)
      const keys = keysByStream.get(o.executionId) ?? new Map<string, number>()
      for (const n of keys.values()) if (n > 1) duplicateFills += n - 1
      const lost = expected.fillKeys.filter((k) => !keys.has(k))
      const extra = [...keys.keys()].filter((k) => !expected.fillKeys.includes(k))
      lostFills += lost.length
      if (row !== undefined && row.status !== "SUBMITTED") terminal += 1
      const problems = [
        row === undefined ? "missing row" : "",
        row !== undefined && row.status === "SUBMITTED" ? "not terminal" : "",
        row !== undefined && row.status !== "SUBMITTED" ? terminalProblem(row, expected) : "",
        row !== undefined && row.filledShares !== expected.filledShares
          ? `shares ${row.filledShares} != ${expected.filledShares}`
          : "",
        row !== undefined && (row.priceCents ?? null) !== expected.priceCents
          ? `cents ${row.priceCents} != ${expected.priceCents}`
          : "",
        lost.length > 0 ? `lost fills ${lost.join(",")}` : "",
        extra.length > 0 ? `unknown fills ${extra.join(",")}` : ""
      ].filter((p) => p !== "")
      if (problems.length > 0) mismatches.push(`${o.executionId} (${o.lifecycle}): ${problems.join("; ")}`)
    }
    const differences = yield* replay.verify()
    return {
      orders: orders.length,
      terminal,
      mismatches,
      duplicateFills,
      lostFills,
      fillEvents,
      replayDifferences: differences.length
    } satisfies AuditReport
  })

/** True when the broker has finished with every order (and every replacement). */
export const brokerDone = (sandbox: Sandbox, orders: ReadonlyArray<Pick<PlacedOrder, "orderId">>) =>
  orders.every((o) => {
    const e = expectedExecution(sandbox, o.orderId)
    return ["FILLED", "CANCELED", "REJECTED", "EXPIRED"].includes(e.finalStatus)
  })

export const summary = (r: AuditReport): string =>
  `${r.orders} orders, ${r.terminal} terminal, ${r.fillEvents} fill events, ${r.mismatches.length} mismatches, ` +
  `${r.lostFills} lost fills, ${r.duplicateFills} duplicate fills, ${r.replayDifferences} replay differences`
