import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { immediateFill, realClock, type Sandbox, startSandbox } from "@fill-tracker/schwab-sandbox"
import { Duration } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { createFillTracker } from "../src/index.js"
import { nextDelayMs } from "../src/poller/freshSchedule.js"
import { until } from "./waitUntil.js"

describe("nextDelayMs (fresh-order schedule)", () => {
  const base = { now: 10_000, lastCycleStartedAt: 9_900, regularWakeAt: 25_000, offsetsMs: [1_500, 4_000] }

  it("sleeps the regular interval when nothing is fresh", () => {
    expect(nextDelayMs({ ...base, submittedAt: [] })).toBe(15_000)
    expect(nextDelayMs({ ...base, submittedAt: [1_000] })).toBe(15_000)
  })

  it("wakes at the first offset after a submission that the last cycle has not served", () => {
    expect(nextDelayMs({ ...base, submittedAt: [9_500] })).toBe(1_000)
    // 8_000 + 1_500 was served by the cycle that started at 9_900; the 4 s one is next.
    expect(nextDelayMs({ ...base, submittedAt: [8_000] })).toBe(2_000)
  })

  it("runs at once for an offset that fell due while the cycle ran", () => {
    expect(nextDelayMs({ ...base, now: 11_000, submittedAt: [9_450] })).toBe(0)
  })

  it("never sleeps past the regular interval, and with no offsets it is the plain interval", () => {
    expect(nextDelayMs({ ...base, regularWakeAt: 10_200, submittedAt: [9_500] })).toBe(200)
    expect(nextDelayMs({ ...base, offsetsMs: [], submittedAt: [9_500] })).toBe(15_000)
  })
})

describe("fresh-order polling end to end", () => {
  let dir: string
  let sandbox: Sandbox
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ft-fresh-"))
    sandbox = await startSandbox({ seed: 9, clock: realClock() })
  })
  afterEach(async () => {
    await sandbox.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it("a submission recorded while the poller sleeps a long interval is polled at its offset, not after the interval", async () => {
    const tracker = await createFillTracker({
      database: path.join(dir, "fills.db"),
      // An interval far longer than the test may take: only the fresh-order wake can fill it.
      pollingInterval: "10m",
      pollingMaxJitter: "0s",
      freshOrderPollOffsets: "300ms",
      logLevel: "error",
      schwab: {
        appKey: sandbox.appKey,
        appSecret: sandbox.appSecret,
        tokenKey: "22".repeat(32),
        baseUrl: sandbox.baseUrl,
        tokenUrl: sandbox.tokenUrl,
        authorizeUrl: sandbox.authorizeUrl
      },
      tuning: { retry: { baseDelay: Duration.millis(20) } }
    })
    try {
      await tracker.authorize(sandbox.issueAuthorizationCode())
      const account = sandbox.accounts[0]!.hashValue
      const submit = (executionId: string) =>
        tracker.recordSubmission({
          executionId,
          orderId: sandbox.seedOrder(
            account,
            { symbol: "AAPL", quantity: 2 },
            immediateFill({ price: "150.25" })
          ),
          accountHash: account,
          symbol: "AAPL",
          shares: 2,
          direction: "BUY"
        })
      // An execution recorded before the start is filled by the first cycle: once it is, the
      // poller has run that cycle and sleeps its 10 minutes (nothing it knew of is open).
      await submit("warm-1")
      await tracker.start()
      await until(async () => (await tracker.getExecution("warm-1"))?.status === "FILLED", "the first cycle")
      await submit("fresh-1")
      // The test's timeout (300 s) is inside the 10-minute interval: only a fresh-order wake fills it in time.
      await until(
        async () => (await tracker.getExecution("fresh-1"))?.status === "FILLED",
        "the fresh-order wake"
      )
      expect((await tracker.getExecution("fresh-1"))?.priceCents).toBe(15025n)
    } finally {
      await tracker.stop()
    }
  })
})
