/**
 * Hostile answers over HTTP against the sandbox: a body that never ends stops at the
 * configured limit with memory bounded by it, a declared length over the limit is refused
 * before reading, and a 100 KB error body reaches errors and logs as about 1 KB.
 */
import { describe, expect, it } from "@effect/vitest"
import { Decimal, type OrderId, type Shares, type TickerSymbol } from "@fill-tracker/domain"
import { working } from "@fill-tracker/schwab-sandbox"
import * as Effect from "effect/Effect"
import * as SchwabConfig from "../src/SchwabConfig.js"
import { captureLogs } from "./captureLogs.js"
import { count, setup } from "./harness.js"

const order = {
  symbol: "AAPL" as TickerSymbol,
  shares: Decimal.fromBigInt(5n) as Shares,
  direction: "BUY" as const
}

/** Runs `effect` while sampling the process's resident memory; gives its result and the peak growth. */
const peakRssGrowth = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const before = process.memoryUsage.rss()
    let peak = before
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss())
    }, 2)
    const result = yield* Effect.ensuring(
      effect,
      Effect.sync(() => clearInterval(sampler))
    )
    peak = Math.max(peak, process.memoryUsage.rss())
    return { result, growth: peak - before }
  })

describe("SchwabClient answer limits", () => {
  it.scopedLive(
    "an endless body stops at the default limit with a typed error naming it, memory bounded",
    () =>
      Effect.gen(function* () {
        const limit = SchwabConfig.defaults.maxResponseBytes
        const { s, client, hash } = yield* setup()
        const id = s.seedOrder(hash, { symbol: "AAPL", quantity: 1 }, working())
        // Warm the connection and the code paths so the measurement sees the body only.
        yield* client.getOrder(hash, id as OrderId)
        s.faults.inject({ route: "getOrder", kind: "endlessBody", times: 10 })
        const { result, growth } = yield* peakRssGrowth(Effect.flip(client.getOrder(hash, id as OrderId)))
        expect(result._tag).toBe("ResponseTooLarge")
        expect(result._tag === "ResponseTooLarge" && result.limit).toBe(limit)
        expect(result.message).toContain(`${limit}-byte limit`)
        expect(result.message).toContain("SCHWAB_MAX_RESPONSE_BYTES")
        // Never retried: the same request would meet the same answer.
        expect(count(s, "getOrder")).toBe(2)
        // Without the limit the body grew the process by gigabytes. With it the process holds the
        // limit's worth of chunks, plus socket buffers already read that the collector has not
        // freed yet (up to about as much again, measured 50-85 MiB over 32 MiB): bounded by a few limits.
        expect(growth).toBeLessThan(3 * limit)
      })
  )

  it.scopedLive("a configured limit refuses a longer answer by its declared length", () =>
    Effect.gen(function* () {
      const { s, client, hash } = yield* setup({ maxResponseBytes: 4096 })
      for (let i = 0; i < 20; i++) s.seedOrder(hash, { symbol: "AAPL", quantity: 1 }, working())
      const e = yield* Effect.flip(
        client.listOrders(hash, {
          from: new Date(Date.now() - 86_400_000),
          to: new Date(Date.now() + 60_000)
        })
      )
      expect(e._tag).toBe("ResponseTooLarge")
      expect(e._tag === "ResponseTooLarge" && e.limit).toBe(4096)
      expect(e.message).toContain("4096-byte limit")
    })
  )

  it.scopedLive("an endless answer to a placement is a lost answer: the order is found, not sent again", () =>
    Effect.gen(function* () {
      const { s, client, hash } = yield* setup({ maxResponseBytes: 64 * 1024 })
      s.faults.inject({ route: "placeOrder", kind: "endlessBody", afterHandling: true })
      const id = yield* client.placeOrder(hash, order)
      expect(s.orderIds()).toEqual([id])
      expect(count(s, "placeOrder")).toBe(1)
    })
  )

  it.scopedLive("a 100 KB error body reaches the error and the logs as about 1 KB", () =>
    Effect.gen(function* () {
      const { s, client, hash } = yield* setup()
      s.faults.inject({ route: "getOrder", kind: "largeErrorBody" })
      const { result, lines } = yield* captureLogs(client.getOrder(hash, "1" as OrderId))
      expect(result._tag).toBe("Left")
      const e = result._tag === "Left" ? result.left : undefined
      expect(e?._tag).toBe("BadRequest")
      if (e?._tag !== "BadRequest") return
      expect(e.schwabMessage?.startsWith("Invalid order: the request was refused")).toBe(true)
      expect([e.schwabMessage ?? "", ...e.schwabErrors].join("; ").length).toBeLessThan(1_200)
      expect(e.message.length).toBeLessThan(1_400)
      expect(e.schwabErrors.at(-1)).toMatch(/^\.\.\. and \d+ more$/)
      expect(lines.length).toBeGreaterThan(0)
      for (const line of lines) expect(line.length).toBeLessThan(2_000)
      expect(count(s, "getOrder")).toBe(1)
    })
  )
})
