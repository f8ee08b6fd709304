/**
 * The real client stack against the sandbox: streamer info from `GET /userPreference` over
 * HTTP, then the WebSocket streamer the sandbox runs, with the tokens its OAuth issued.
 */
import { describe, expect, it } from "@effect/vitest"
import { Decimal } from "@fill-tracker/domain"
import { immediateFill } from "@fill-tracker/schwab-sandbox"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Queue from "effect/Queue"
import * as Redacted from "effect/Redacted"
import { SchwabAuth } from "../src/SchwabAuth.js"
import { SchwabClient } from "../src/SchwabClient.js"
import * as StreamerClient from "../src/streamer/StreamerClient.js"
import * as StreamerConfig from "../src/streamer/StreamerConfig.js"
import { setup } from "./harness.js"

const streaming = (config: Partial<StreamerConfig.StreamerConfig> = {}) =>
  Effect.gen(function* () {
    const { s, client, auth, hash } = yield* setup()
    const streamer = yield* Layer.build(
      StreamerClient.layer({ ...StreamerConfig.defaults, ...config }).pipe(
        Layer.provide(Layer.mergeAll(Layer.succeed(SchwabClient, client), Layer.succeed(SchwabAuth, auth)))
      )
    )
    const c = yield* Effect.provide(StreamerClient.StreamerClient, streamer)
    const events = yield* Queue.unbounded<StreamerClient.StreamerEvent>()
    yield* Effect.forkScoped(c.run((e) => Queue.offer(events, e)))
    const nextOf = <T extends StreamerClient.StreamerEvent["_tag"]>(tag: T) =>
      Effect.gen(function* () {
        while (true) {
          const e = yield* Queue.take(events)
          if (e._tag === tag) return e as Extract<StreamerClient.StreamerEvent, { _tag: T }>
        }
      })
    return { s, client, hash, c, nextOf }
  })

describe("StreamerClient against the sandbox", () => {
  it.scopedLive("reads streamer info over HTTP and keeps its ids Redacted", () =>
    Effect.gen(function* () {
      const { s, client } = yield* setup()
      const info = yield* client.streamerInfo()
      expect(info.socketUrl).toBe(s.streamer.url)
      expect(Redacted.value(info.correlId)).toBe(s.streamer.info.schwabClientCorrelId)
      expect(String(info.customerId)).not.toContain(s.streamer.info.schwabClientCustomerId)
      expect(info).toMatchObject({ channel: s.streamer.info.schwabClientChannel })
    })
  )

  it.scopedLive("streams an order's life, ending in its fill at the exact price, with REST's order id", () =>
    Effect.gen(function* () {
      const { s, hash, nextOf } = yield* streaming()
      expect(yield* nextOf("Subscribed")).toEqual({ _tag: "Subscribed", reconnect: false })
      const orderId = s.seedOrder(
        hash,
        { symbol: "AAPL", quantity: 3, price: "22.75" },
        immediateFill({ price: "22.7299" })
      )
      const types: Array<string> = []
      while (true) {
        const a = yield* nextOf("Activity")
        expect(a.orderId).toBe(orderId)
        expect(Redacted.value(a.accountNumber)).toBe(s.accounts[0]?.accountNumber)
        types.push(a.messageType)
        if (a.event.type === "OrderFillCompleted") {
          expect(Decimal.format(a.event.execution.price)).toBe("22.7299")
          expect(Decimal.format(a.event.execution.quantity)).toBe("3")
          break
        }
      }
      expect(types[0]).toBe("OrderCreated")
    })
  )

  it.scopedLive("reconnects and subscribes again after the sandbox drops the connection", () =>
    Effect.gen(function* () {
      const { s, nextOf, c } = yield* streaming()
      yield* nextOf("Subscribed")
      s.streamer.dropConnections()
      expect((yield* nextOf("Disconnected")).error.reason).toBe("Closed")
      expect(yield* nextOf("Subscribed")).toEqual({ _tag: "Subscribed", reconnect: true })
      expect(yield* c.status).toMatchObject({ reconnects: 1, connected: true })
    })
  )

  it.scopedLive(
    "stops when the sandbox says another connection took over, and does not reconnect at once",
    () =>
      Effect.gen(function* () {
        const { s, nextOf, c } = yield* streaming()
        yield* nextOf("Subscribed")
        s.streamer.kickOff()
        expect((yield* nextOf("Disconnected")).error.reason).toBe("TakenOver")
        expect(yield* c.status).toMatchObject({ state: "takenOver", connected: false })
        expect(s.streamer.stats().logins).toBe(1)
      })
  )

  it.scopedLive(
    "a frame over the configured limit closes the connection with FrameTooLarge, counted, and the client reconnects",
    () =>
      Effect.gen(function* () {
        const limit = 64 * 1024
        const { s, nextOf, c } = yield* streaming({ maxFrameBytes: limit })
        yield* nextOf("Subscribed")
        // At the limit it is read (an unknown activity type, counted as such); one byte over, it is not.
        s.streamer.sendLargeFrame(limit)
        s.streamer.sendLargeFrame(limit + 1)
        const ended = (yield* nextOf("Disconnected")).error
        expect(ended.reason).toBe("FrameTooLarge")
        expect(ended.limit).toBe(limit)
        expect(ended.code).toBe(1009)
        expect(ended.message).toContain(`${limit}-byte limit`)
        expect(ended.message).toContain("SCHWAB_STREAMER_MAX_FRAME_BYTES")
        expect(yield* nextOf("Subscribed")).toEqual({ _tag: "Subscribed", reconnect: true })
        const status = yield* c.status
        expect(status).toMatchObject({ oversizedFrames: 1, connected: true, reconnects: 1 })
        expect(status.messages.OrderMonitorCreated).toBe(1)
        expect(status.lastOversizedFrameAt).toBeTypeOf("number")
      })
  )

  it.scopedLive(
    "a message that never ends stops at the default limit: the client stops reading, memory bounded",
    () =>
      Effect.gen(function* () {
        const limit = StreamerConfig.DEFAULT_MAX_FRAME_BYTES
        const { s, nextOf, c } = yield* streaming()
        yield* nextOf("Subscribed")
        const before = process.memoryUsage.rss()
        let peak = before
        const sampler = setInterval(() => {
          peak = Math.max(peak, process.memoryUsage.rss())
        }, 2)
        s.streamer.sendEndlessMessage()
        const ended = yield* Effect.ensuring(
          nextOf("Disconnected"),
          Effect.sync(() => clearInterval(sampler))
        )
        expect(ended.error.reason).toBe("FrameTooLarge")
        expect(ended.error.limit).toBe(limit)
        expect((yield* c.status).oversizedFrames).toBe(1)
        // The sandbox sends each fragment when the last has gone out, so what it handed over is
        // the limit plus what the loopback socket buffers held when the client closed (a few MiB);
        // without the cap it went on to ws's own 100 MiB default.
        expect(s.streamer.stats().endlessBytes).toBeLessThan(limit + 16 * 1024 * 1024)
        // Both ends live in this process: the client's buffered fragments and the sandbox's.
        expect(peak - before).toBeLessThan(12 * limit)
      })
  )
})
