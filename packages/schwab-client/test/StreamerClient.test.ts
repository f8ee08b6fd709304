/**
 * The streamer client against a real WebSocket server on 127.0.0.1 that replays the
 * captured ACCT_ACTIVITY frames (test/streamerServer.ts). Timers (heartbeat timeout,
 * backoff, the takeover wait, token checks) run on the TestClock; the tests wait on events
 * and states, never on time.
 */

import * as NodeSocket from "@effect/platform-node/NodeSocket"
import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Queue from "effect/Queue"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/TestClock"
import type { StreamerInfo } from "../src/SchwabClient.js"
import * as StreamerClient from "../src/streamer/StreamerClient.js"
import * as StreamerConfig from "../src/streamer/StreamerConfig.js"
import type { StreamerState, StreamerStatus } from "../src/streamer/StreamerStatus.js"
import { captureLogs } from "./captureLogs.js"
import { CORREL_ID, CUSTOMER_ID, type StreamerServer, startStreamerServer } from "./streamerServer.js"

const server = Effect.acquireRelease(
  Effect.promise(() => startStreamerServer()),
  (s) => Effect.promise(() => s.close())
)

/** Sleeps a little in real time (the socket's I/O), never asserting on how long anything took. */
const realPause = Effect.promise(() => new Promise((r) => setTimeout(r, 5)))

const TOKEN = "access-token-first-5b1d"
const TOKEN2 = "access-token-second-77c0"

/** A client on the server, its events in a queue, and the token source a test can change. */
const start = (s: StreamerServer, config: Partial<StreamerConfig.StreamerConfig> = {}) =>
  Effect.gen(function* () {
    s.accept.add(TOKEN)
    const token = yield* Ref.make(TOKEN)
    const refreshes = yield* Ref.make(0)
    const info: StreamerInfo = {
      socketUrl: s.url,
      customerId: Redacted.make(CUSTOMER_ID),
      correlId: Redacted.make(CORREL_ID),
      channel: "N9",
      functionId: "APIAPP"
    }
    const client = yield* StreamerClient.make(
      {
        streamerInfo: () => Effect.succeed(info),
        accessToken: () => Effect.map(Ref.get(token), Redacted.make),
        refreshAfterRejection: () =>
          Effect.zipRight(
            Ref.update(refreshes, (n) => n + 1),
            Effect.map(Ref.set(token, TOKEN2), () => Redacted.make(TOKEN2))
          )
      },
      { ...StreamerConfig.defaults, ...config }
    ).pipe(Effect.provide(NodeSocket.layerWebSocketConstructor))
    const events = yield* Queue.unbounded<StreamerClient.StreamerEvent>()
    const fiber = yield* Effect.forkScoped(client.run((e) => Queue.offer(events, e)))
    /** The next event, skipping none. */
    const next = Queue.take(events)
    const nextOf = <T extends StreamerClient.StreamerEvent["_tag"]>(tag: T) =>
      Effect.flatMap(next, (e) =>
        e._tag === tag
          ? Effect.succeed(e as Extract<StreamerClient.StreamerEvent, { _tag: T }>)
          : Effect.die(
              `expected ${tag}, got ${JSON.stringify(e, (_, v) => (typeof v === "bigint" ? String(v) : v))}`
            )
      )
    /** Moves the TestClock a second at a time while the client waits to reconnect (`state`). */
    const advanceWhile = (state: StreamerState, step: Duration.DurationInput = "1 second") =>
      Effect.gen(function* () {
        while ((yield* client.status).state === state) {
          yield* TestClock.adjust(step)
          yield* realPause
        }
      })
    const untilState = (state: StreamerState) => until((status) => status.state === state)
    const until = (ok: (status: StreamerStatus) => boolean) =>
      Effect.gen(function* () {
        while (!ok(yield* client.status)) yield* realPause
      })
    return { client, events, next, nextOf, token, refreshes, fiber, advanceWhile, untilState, until }
  })

describe("StreamerClient", () => {
  it.scoped(
    "logs in with the bare token, subscribes after the LOGIN answer, and hands on each activity once",
    () =>
      Effect.gen(function* () {
        const s = yield* server
        const c = yield* start(s)
        expect(yield* c.nextOf("Subscribed")).toEqual({ _tag: "Subscribed", reconnect: false })
        const [login, subs] = s.received
        expect(login).toMatchObject({
          service: "ADMIN",
          command: "LOGIN",
          SchwabClientCustomerId: CUSTOMER_ID,
          SchwabClientCorrelId: CORREL_ID,
          parameters: { Authorization: TOKEN, SchwabClientChannel: "N9", SchwabClientFunctionId: "APIAPP" }
        })
        expect(subs).toMatchObject({
          service: "ACCT_ACTIVITY",
          command: "SUBS",
          parameters: { keys: "Account Activity", fields: "0,1,2,3" }
        })
        // The 2024-07-11 log: every event twice with consecutive seq.
        for (const i of [11, 12, 13, 14, 21, 22]) s.sample(i)
        s.heartbeat()
        const types: Array<string> = []
        for (let i = 0; i < 3; i++) {
          const a = yield* c.nextOf("Activity")
          types.push(a.messageType)
          expect(a.orderId).toMatch(/^\d+$/)
          expect(Redacted.value(a.accountNumber)).toBe("77777777")
        }
        expect(types).toEqual(["OrderCreated", "OrderAccepted", "OrderFillCompleted"])
        // The heartbeat went last: once it is counted, every sample before it has been read.
        yield* c.until((status) => status.messages.heartbeat === 1)
        const status = yield* c.client.status
        expect(status).toMatchObject({
          state: "streaming",
          connected: true,
          gaps: 0,
          duplicates: 3,
          reconnects: 0
        })
        expect(status.messages).toMatchObject({
          OrderCreated: 2,
          OrderAccepted: 2,
          OrderFillCompleted: 2,
          SUBSCRIBED: 1
        })
        expect(yield* Queue.size(c.events)).toBe(0)
      })
  )

  it.scoped(
    "reports a seq gap, and reads an unknown type, a plain-text notice and garbage without stopping",
    () =>
      Effect.gen(function* () {
        const s = yield* server
        const c = yield* start(s)
        yield* c.nextOf("Subscribed")
        s.sample(0, 1)
        expect((yield* c.nextOf("Activity")).messageType).toBe("OrderCreated")
        s.sample(1, 5)
        expect(yield* c.nextOf("Gap")).toEqual({ _tag: "Gap", expected: 2, received: 5 })
        expect((yield* c.nextOf("Activity")).messageType).toBe("OrderAccepted")
        s.send('{"snapshot":[{"x":1}]}')
        s.send("not json at all")
        s.send(
          JSON.stringify({
            data: [
              {
                service: "ACCT_ACTIVITY",
                command: "SUBS",
                content: [{ seq: 6, key: "k", "1": "", "2": "", "3": "Feature not supported" }]
              }
            ]
          })
        )
        s.send(
          JSON.stringify({
            data: [
              {
                service: "ACCT_ACTIVITY",
                command: "SUBS",
                content: [
                  {
                    seq: 7,
                    key: "k",
                    "1": "12345678",
                    "2": "OrderMonitorCreated",
                    "3": JSON.stringify({
                      SchwabOrderID: "1000979954999",
                      AccountNumber: "12345678",
                      BaseEvent: {}
                    })
                  }
                ]
              }
            ]
          })
        )
        const unknown = yield* c.nextOf("Activity")
        expect(unknown).toMatchObject({
          messageType: "OrderMonitorCreated",
          orderId: "1000979954999",
          event: { type: "Other", known: false }
        })
        const status = yield* c.client.status
        expect(status).toMatchObject({ state: "streaming", gaps: 1 })
        expect(status.messages).toMatchObject({ unknown: 2, OrderMonitorCreated: 1, Notice: 1 })
      })
  )

  it.scoped("reconnects and subscribes again when heartbeats stop; seq starts over without a gap", () =>
    Effect.gen(function* () {
      const s = yield* server
      const c = yield* start(s)
      yield* c.nextOf("Subscribed")
      s.sample(11, 1)
      yield* c.nextOf("Activity")
      yield* TestClock.adjust("36 seconds")
      expect((yield* c.nextOf("Disconnected")).error.reason).toBe("HeartbeatMissed")
      yield* c.advanceWhile("waiting")
      expect(yield* c.nextOf("Subscribed")).toEqual({ _tag: "Subscribed", reconnect: true })
      expect(s.connections()).toBe(2)
      // The same event again on the new connection (a replay) is a duplicate by content, at any seq.
      s.sample(12, 1)
      s.sample(13, 2)
      expect((yield* c.nextOf("Activity")).messageType).toBe("OrderAccepted")
      expect(yield* c.client.status).toMatchObject({ reconnects: 1, gaps: 0, duplicates: 1, connected: true })
      expect(s.received.filter((r) => r.command === "SUBS")).toHaveLength(2)
    })
  )

  it.scoped("reconnects after drops with a capped, jittered backoff", () =>
    Effect.gen(function* () {
      const s = yield* server
      const c = yield* start(s, {
        backoffInitial: StreamerConfig.defaults.backoffInitial,
        backoffMax: StreamerConfig.defaults.backoffInitial
      })
      yield* c.nextOf("Subscribed")
      for (let round = 0; round < 3; round++) {
        s.drop()
        expect((yield* c.nextOf("Disconnected")).error.reason).toBe("Closed")
        yield* c.untilState("waiting")
        // Capped at one second: jitter picks half to all of it, so half a second is too soon...
        yield* TestClock.adjust("499 millis")
        yield* realPause
        expect((yield* c.client.status).state).toBe("waiting")
        // ...and a second is always enough.
        yield* TestClock.adjust("501 millis")
        expect(yield* c.nextOf("Subscribed")).toEqual({ _tag: "Subscribed", reconnect: true })
      }
      expect(yield* c.client.status).toMatchObject({ reconnects: 3 })
    })
  )

  it.scoped(
    "stops when another connection takes over (code 12), says so, and tries again only after the long wait",
    () =>
      Effect.gen(function* () {
        const s = yield* server
        const c = yield* start(s)
        yield* c.nextOf("Subscribed")
        s.takeOver()
        const ended = yield* c.nextOf("Disconnected")
        expect(ended.error.reason).toBe("TakenOver")
        expect(ended.error.code).toBe(12)
        yield* c.untilState("takenOver")
        // Far longer than any backoff, shorter than the takeover wait: still waiting.
        yield* TestClock.adjust("9 minutes")
        yield* realPause
        expect(yield* c.client.status).toMatchObject({ state: "takenOver", connected: false })
        expect(s.connections()).toBe(1)
        expect((yield* c.client.status).lastError).toContain("another connection")
        yield* TestClock.adjust("1 minute")
        expect(yield* c.nextOf("Subscribed")).toEqual({ _tag: "Subscribed", reconnect: true })
        expect(s.connections()).toBe(2)
      })
  )

  it.scoped("refreshes the token after a denied login and logs in with the new one", () =>
    Effect.gen(function* () {
      const s = yield* server
      s.accept.add(TOKEN2)
      const c = yield* start(s, { heartbeatTimeout: Duration.hours(1) })
      s.accept.delete(TOKEN)
      const ended = yield* c.nextOf("Disconnected")
      expect(ended.error.reason).toBe("LoginDenied")
      expect(yield* Ref.get(c.refreshes)).toBe(1)
      yield* c.advanceWhile("waiting")
      expect(yield* c.nextOf("Subscribed")).toEqual({ _tag: "Subscribed", reconnect: false })
      const logins = s.received.filter((r) => r.command === "LOGIN").map((r) => r.parameters.Authorization)
      expect(logins).toEqual([TOKEN, TOKEN2])
    })
  )

  it.scoped("logs in again on the same connection when the access token was refreshed", () =>
    Effect.gen(function* () {
      const s = yield* server
      s.accept.add(TOKEN2)
      const c = yield* start(s, { heartbeatTimeout: Duration.hours(1) })
      yield* c.nextOf("Subscribed")
      yield* Ref.set(c.token, TOKEN2)
      s.heartbeat()
      yield* TestClock.adjust("1 minute")
      while (s.received.filter((r) => r.command === "LOGIN").length < 2) yield* realPause
      expect(s.received.filter((r) => r.command === "LOGIN").map((r) => r.parameters.Authorization)).toEqual([
        TOKEN,
        TOKEN2
      ])
      expect(s.connections()).toBe(1)
      s.sample(0, 1)
      expect((yield* c.nextOf("Activity")).messageType).toBe("OrderCreated")
      expect(yield* c.client.status).toMatchObject({ state: "streaming", connected: true })
    })
  )

  it.scoped("gives up on an unanswered SUBS after the answer timeout and reconnects", () =>
    Effect.gen(function* () {
      const s = yield* server
      s.silentSubs = true
      const c = yield* start(s)
      while (s.received.filter((r) => r.command === "SUBS").length < 1) yield* realPause
      yield* TestClock.adjust("10 seconds")
      const ended = yield* c.nextOf("Disconnected")
      expect(ended.error).toMatchObject({ reason: "SubscribeFailed" })
      expect(ended.error.message).toContain("no answer to SUBS")
    })
  )

  it.scoped("keeps tokens, customer and correlation ids and account numbers out of every log line", () =>
    Effect.gen(function* () {
      const s = yield* server
      s.accept.add(TOKEN2)
      const { lines } = yield* captureLogs(
        Effect.scoped(
          Effect.gen(function* () {
            const c = yield* start(s)
            yield* c.nextOf("Subscribed")
            for (const i of [0, 5, 11, 21, 33, 47]) s.sample(i)
            s.sample(53, 40)
            for (let i = 0; i < 8; i++) yield* c.next
            s.send("not json")
            s.takeOver()
            yield* c.nextOf("Disconnected")
            s.accept.delete(TOKEN)
            yield* TestClock.adjust("10 minutes")
            yield* c.nextOf("Disconnected")
            yield* c.advanceWhile("waiting")
            yield* c.nextOf("Subscribed")
            yield* Ref.set(c.token, "access-token-third-9e21")
            yield* TestClock.adjust("1 minute")
            yield* c.nextOf("Disconnected")
          })
        )
      )
      expect(lines.length).toBeGreaterThan(5)
      const text = lines.join("\n")
      for (const secret of [TOKEN, TOKEN2, "access-token-third-9e21", CUSTOMER_ID, CORREL_ID, "77777777"])
        expect(text).not.toContain(secret)
      expect(text).toContain("another connection")
      expect(text).toContain("skipped sequence numbers")
    })
  )

  it.scoped("stops streaming when interrupted, and says so", () =>
    Effect.gen(function* () {
      const s = yield* server
      const c = yield* start(s)
      yield* c.nextOf("Subscribed")
      yield* Fiber.interrupt(c.fiber)
      expect(yield* c.client.status).toMatchObject({ state: "stopped", connected: false })
    })
  )
})
