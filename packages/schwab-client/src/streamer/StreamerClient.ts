/**
 * The account-activity streamer client: one WebSocket to Schwab's streamer, logged in with
 * the access token and subscribed to ACCT_ACTIVITY, kept open for as long as it runs.
 *
 * Each connection: fetch the streamer info again, open the socket, `ADMIN LOGIN` (bare
 * token), wait for its answer, `SUBS ACCT_ACTIVITY`, wait for its answer, then read. Every
 * message restarts the heartbeat timer; silence for `heartbeatTimeout` ends the connection.
 * When the access token changes (a refresh), the client logs in again on the same
 * connection. When a connection ends it reconnects after a capped, jittered backoff, and a
 * refused login refreshes the token first. When Schwab closes it because another connection
 * logged in as this user (code 12, one streamer per user) it reports it and waits
 * `takeoverRetry` instead of fighting over the connection.
 *
 * Activity is handed on after two filters: `seq` gaps are reported (seq restarts on every
 * SUBS), and duplicates are dropped by content, never by `seq`. The stream only says when
 * to look; callers fetch the order over REST. Tokens, customer ids and account numbers stay
 * Redacted and never reach a log.
 *
 * @since 0.1.0
 */
import * as Socket from "@effect/platform/Socket"
import {
  type ActivityEvent,
  decodeActivityItem,
  decodeStreamerMessage,
  type OrderId,
  type StreamerItem
} from "@fill-tracker/domain"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Queue from "effect/Queue"
import * as Random from "effect/Random"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import { ActivityFilter } from "../internal/streamer/ActivityFilter.js"
import * as Requests from "../internal/streamer/requests.js"
import { SchwabAuth } from "../SchwabAuth.js"
import { SchwabClient, type StreamerInfo } from "../SchwabClient.js"
import type { SchwabError } from "../SchwabError.js"
import { isFrameTooLarge, layerWebSocketConstructor, MESSAGE_TOO_BIG } from "./cappedWebSocket.js"
import { defaults, type StreamerConfig } from "./StreamerConfig.js"
import { StreamerError } from "./StreamerError.js"
import { initial, type StreamerStatus } from "./StreamerStatus.js"

/**
 * What the client reports. `Subscribed` after each successful SUBS (`reconnect` for all
 * but the first: messages may have been missed, so poll); `Activity` for each message not
 * seen before; `Gap` when `seq` jumped (messages were lost); `Disconnected` when a
 * connection ended, with why.
 *
 * @since 0.1.0
 * @category models
 */
export type StreamerEvent =
  | { readonly _tag: "Subscribed"; readonly reconnect: boolean }
  | {
      readonly _tag: "Activity"
      readonly orderId: OrderId
      readonly accountNumber: Redacted.Redacted<string>
      readonly messageType: string
      readonly event: ActivityEvent
    }
  | { readonly _tag: "Gap"; readonly expected: number; readonly received: number }
  | { readonly _tag: "Disconnected"; readonly error: StreamerError }

/**
 * Where the client gets its streamer info and tokens (a SchwabClient and SchwabAuth in
 * `layer`).
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamerSource {
  readonly streamerInfo: () => Effect.Effect<StreamerInfo, SchwabError>
  readonly accessToken: () => Effect.Effect<Redacted.Redacted<string>, SchwabError>
  readonly refreshAfterRejection: (
    rejected: Redacted.Redacted<string>
  ) => Effect.Effect<Redacted.Redacted<string>, SchwabError>
}

/** @since 0.1.0 @category models */
export interface StreamerClient {
  /** Streams until interrupted, reconnecting as the module doc says; `onEvent` is called in order. */
  readonly run: <R>(
    onEvent: (event: StreamerEvent) => Effect.Effect<void, never, R>
  ) => Effect.Effect<never, never, R>
  readonly status: Effect.Effect<StreamerStatus>
}

/** @since 0.1.0 @category tags */
export const StreamerClient = Context.GenericTag<StreamerClient>("@fill-tracker/schwab-client/StreamerClient")

const SUBSCRIBE_OK = new Set([0, 26])
const TAKEN_OVER = 12
const STOPPED = 30
const LOGIN_DENIED = 3

const bump = (counts: Readonly<Record<string, number>>, key: string): Readonly<Record<string, number>> => ({
  ...counts,
  [key]: (counts[key] ?? 0) + 1
})

/** The host of a socket URL, for logs (a URL could carry a query). */
const hostOf = (url: string): string => {
  try {
    return new URL(url).host
  } catch {
    return "<unparsable url>"
  }
}

/** A message over the cap, as the error that ends the connection. */
const frameTooLarge = (limit: number, cause: unknown): StreamerError =>
  new StreamerError({
    reason: "FrameTooLarge",
    detail: `a message over the ${limit}-byte limit (SCHWAB_STREAMER_MAX_FRAME_BYTES); the connection was closed before reading it`,
    code: MESSAGE_TOO_BIG,
    limit,
    cause
  })

/** Why the socket stopped, as the error that ends the connection. */
const socketEnded =
  (maxFrameBytes: number) =>
  (e: Socket.SocketError | undefined): StreamerError =>
    e === undefined
      ? new StreamerError({ reason: "Closed", detail: "the streamer closed the connection" })
      : e.reason === "Close"
        ? e.code === MESSAGE_TOO_BIG
          ? frameTooLarge(maxFrameBytes, e)
          : new StreamerError({
              reason: "Closed",
              detail: `socket closed${e.closeReason ? `: ${e.closeReason.slice(0, 200)}` : ""}`,
              code: e.code
            })
        : isFrameTooLarge(e.cause)
          ? frameTooLarge(maxFrameBytes, e)
          : new StreamerError({ reason: "Open", detail: `socket ${e.reason}`, cause: e })

/**
 * Builds the client from its source and timings.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  source: StreamerSource,
  config: StreamerConfig = defaults
): Effect.Effect<StreamerClient, never, Socket.WebSocketConstructor> =>
  Effect.gen(function* () {
    const webSocketConstructor = yield* Socket.WebSocketConstructor
    const status = yield* Ref.make<StreamerStatus>(initial)
    const filter = new ActivityFilter(config.duplicateWindow)
    let requestId = 0
    const nextRequestId = () => ++requestId
    let subscriptions = 0

    const patch = (f: (s: StreamerStatus) => Partial<StreamerStatus>) =>
      Ref.update(status, (s) => ({ ...s, ...f(s) }))

    /** One connection, from streamer info to its end; always fails with why it ended. */
    const connection = <R>(onEvent: (event: StreamerEvent) => Effect.Effect<void, never, R>) =>
      Effect.scoped(
        Effect.gen(function* () {
          yield* patch(() => ({ state: "connecting", connected: false, connectedSince: undefined }))
          const info = yield* Effect.mapError(
            source.streamerInfo(),
            (e) => new StreamerError({ reason: "Unavailable", detail: e.message, cause: e })
          )
          let token = yield* Effect.mapError(
            source.accessToken(),
            (e) => new StreamerError({ reason: "Unavailable", detail: e.message, cause: e })
          )
          const socket = yield* Effect.provideService(
            Socket.makeWebSocket(info.socketUrl, {
              openTimeout: config.openTimeout,
              closeCodeIsError: () => true
            }),
            Socket.WebSocketConstructor,
            webSocketConstructor
          )
          // Messages and then the socket's end go through one queue, so what the streamer said
          // before it closed (a denied login, a takeover) is read before the close itself.
          const inbox = yield* Queue.unbounded<string | StreamerError>()
          const decoder = new TextDecoder()
          yield* Effect.forkScoped(
            socket
              .runRaw((data) => Queue.offer(inbox, typeof data === "string" ? data : decoder.decode(data)))
              .pipe(
                Effect.match({
                  onFailure: socketEnded(config.maxFrameBytes),
                  onSuccess: () => socketEnded(config.maxFrameBytes)(undefined)
                }),
                Effect.flatMap((ended) => Queue.offer(inbox, ended))
              )
          )
          const write = yield* socket.writer
          const send = (text: string) =>
            Effect.mapError(
              write(text),
              (e) => new StreamerError({ reason: "Closed", detail: e.message, cause: e })
            )

          yield* send(Requests.login(info, token, nextRequestId()))
          // Mutable and read each time round the loop: the phase picks the timeout.
          const at: { phase: "login" | "subscribe" | "streaming" } = { phase: "login" }

          // A refreshed access token means LOGIN again on this connection.
          yield* Effect.forkScoped(
            Effect.forever(
              Effect.gen(function* () {
                yield* Effect.sleep(config.tokenCheckInterval)
                const current = yield* Effect.either(source.accessToken())
                if (Either.isRight(current) && Redacted.value(current.right) !== Redacted.value(token)) {
                  token = current.right
                  yield* Effect.logInfo("Schwab streamer logging in again with the refreshed access token")
                  yield* Effect.ignore(send(Requests.login(info, token, nextRequestId())))
                }
              })
            )
          )

          const fail = (reason: StreamerError["reason"], detail: string, code?: number) =>
            Effect.fail(new StreamerError({ reason, detail, code }))

          const onItem = (item: StreamerItem): Effect.Effect<void, StreamerError, R> =>
            Effect.gen(function* () {
              switch (item._tag) {
                case "Heartbeat":
                  yield* patch((s) => ({ messages: bump(s.messages, "heartbeat") }))
                  return
                case "Unknown":
                  yield* patch((s) => ({ messages: bump(s.messages, "unknown") }))
                  yield* Effect.logWarning("Schwab streamer sent a message this client does not know").pipe(
                    Effect.annotateLogs({ kind: item.kind, reason: item.reason })
                  )
                  return
                case "Notice":
                  yield* patch((s) => ({ messages: bump(s.messages, "notice") }))
                  if (item.code === TAKEN_OVER) return yield* fail("TakenOver", item.msg, item.code)
                  if (item.code === STOPPED) return yield* fail("Stopped", item.msg, item.code)
                  yield* Effect.logWarning("Schwab streamer notice").pipe(
                    Effect.annotateLogs({ code: item.code ?? "none", msg: item.msg.slice(0, 200) })
                  )
                  return
                case "Response":
                  yield* patch((s) => ({ messages: bump(s.messages, "response") }))
                  return yield* onResponse(item)
                case "Data":
                  if (item.service !== "ACCT_ACTIVITY") {
                    yield* patch((s) => ({ messages: bump(s.messages, "unknown") }))
                    return
                  }
                  for (const content of item.content) yield* onActivity(content)
                  return
              }
            })

          const onResponse = (item: Extract<StreamerItem, { _tag: "Response" }>) =>
            Effect.gen(function* () {
              if (item.code === TAKEN_OVER) return yield* fail("TakenOver", item.msg, item.code)
              if (item.code === STOPPED) return yield* fail("Stopped", item.msg, item.code)
              if (item.service === "ADMIN" && item.command === "LOGIN") {
                if (item.code === LOGIN_DENIED) return yield* fail("LoginDenied", item.msg, item.code)
                if (item.code !== 0) return yield* fail("LoginFailed", item.msg, item.code)
                if (at.phase === "login") {
                  at.phase = "subscribe"
                  yield* send(Requests.subscribe(info, nextRequestId()))
                }
                return
              }
              if (item.service === "ACCT_ACTIVITY" && item.command === "SUBS") {
                if (!SUBSCRIBE_OK.has(item.code)) return yield* fail("SubscribeFailed", item.msg, item.code)
                at.phase = "streaming"
                filter.subscribed()
                const reconnect = subscriptions > 0
                subscriptions += 1
                const now = yield* Clock.currentTimeMillis
                yield* patch((s) => ({
                  state: "streaming",
                  connected: true,
                  connectedSince: now,
                  reconnects: s.reconnects + (reconnect ? 1 : 0)
                }))
                yield* Effect.logInfo("Schwab streamer subscribed to account activity").pipe(
                  Effect.annotateLogs({ host: hostOf(info.socketUrl), reconnect })
                )
                yield* onEvent({ _tag: "Subscribed", reconnect })
                return
              }
              if (item.code !== 0)
                yield* Effect.logWarning("Schwab streamer refused a request").pipe(
                  Effect.annotateLogs({ service: item.service, command: item.command, code: item.code })
                )
            })

          const onActivity = (content: unknown) =>
            Effect.gen(function* () {
              const item = decodeActivityItem(content)
              const type = item._tag === "Subscribed" ? "SUBSCRIBED" : item.messageType || item._tag
              yield* patch((s) => ({ messages: bump(s.messages, type) }))
              if (item.seq !== undefined) {
                const gap = filter.observe(item.seq)
                if (gap !== undefined) {
                  yield* patch((s) => ({ gaps: s.gaps + 1 }))
                  yield* Effect.logWarning(
                    "Schwab streamer skipped sequence numbers: messages were lost"
                  ).pipe(Effect.annotateLogs({ expected: gap.expected, received: gap.received }))
                  yield* onEvent({ _tag: "Gap", ...gap })
                }
              }
              switch (item._tag) {
                case "Subscribed":
                  return
                case "Notice":
                  yield* Effect.logInfo("Schwab streamer account-activity notice").pipe(
                    Effect.annotateLogs({ text: item.text })
                  )
                  return
                case "Unreadable":
                  yield* Effect.logWarning("Schwab streamer account-activity message not readable").pipe(
                    Effect.annotateLogs({ messageType: item.messageType, reason: item.reason })
                  )
                  return
                case "Activity":
                  if (filter.duplicate(item.contentKey)) {
                    yield* patch((s) => ({ duplicates: s.duplicates + 1 }))
                    return
                  }
                  if (item.event.type === "Unreadable")
                    yield* Effect.logWarning("Schwab streamer message details not readable").pipe(
                      Effect.annotateLogs({
                        orderId: item.orderId,
                        messageType: item.messageType,
                        reason: item.event.reason
                      })
                    )
                  yield* onEvent({
                    _tag: "Activity",
                    orderId: item.orderId,
                    accountNumber: Redacted.make(item.accountNumber),
                    messageType: item.messageType,
                    event: item.event
                  })
              }
            })

          const onMessage = (text: string) =>
            Effect.gen(function* () {
              const now = yield* Clock.currentTimeMillis
              yield* patch(() => ({ lastMessageAt: now }))
              const items = decodeStreamerMessage(text)
              if (items._tag === "Left") {
                yield* patch((s) => ({ messages: bump(s.messages, "unknown") }))
                yield* Effect.logWarning("Schwab streamer sent a message that is not JSON").pipe(
                  Effect.annotateLogs({ reason: items.left.message.slice(0, 200) })
                )
                return
              }
              for (const item of items.right) yield* onItem(item)
            })

          const timeout = (): StreamerError =>
            at.phase === "streaming"
              ? new StreamerError({
                  reason: "HeartbeatMissed",
                  detail: `nothing heard for ${Duration.format(config.heartbeatTimeout)}`
                })
              : new StreamerError({
                  reason: at.phase === "login" ? "LoginFailed" : "SubscribeFailed",
                  detail: `no answer to ${at.phase === "login" ? "LOGIN" : "SUBS"} within ${Duration.format(config.answerTimeout)}`
                })
          const session = Effect.forever(
            Effect.suspend(() =>
              Queue.take(inbox).pipe(
                Effect.timeoutFail({
                  duration: at.phase === "streaming" ? config.heartbeatTimeout : config.answerTimeout,
                  onTimeout: timeout
                }),
                Effect.flatMap((message) =>
                  typeof message === "string" ? onMessage(message) : Effect.fail(message)
                )
              )
            )
          )
          return yield* session
        })
      )

    /** Delay before the next attempt: doubled per failure, capped, then half to all of it at random. */
    const backoff = (attempt: number) =>
      Effect.map(Random.next, (r) => {
        const cap = Duration.toMillis(config.backoffMax)
        const base = Math.min(cap, Duration.toMillis(config.backoffInitial) * 2 ** Math.min(attempt, 30))
        return Duration.millis(base / 2 + (r * base) / 2)
      })

    const run = <R>(
      onEvent: (event: StreamerEvent) => Effect.Effect<void, never, R>
    ): Effect.Effect<never, never, R> =>
      Effect.gen(function* () {
        let attempt = 0
        while (true) {
          const ended = yield* Effect.flip(connection(onEvent))
          const now = yield* Clock.currentTimeMillis
          const before = yield* Ref.get(status)
          const stable =
            before.connectedSince !== undefined &&
            now - before.connectedSince >= Duration.toMillis(config.stableAfter)
          attempt = stable ? 0 : attempt + 1
          const takenOver = ended.reason === "TakenOver"
          const oversized = ended.reason === "FrameTooLarge"
          yield* patch((s) => ({
            state: takenOver ? "takenOver" : "waiting",
            connected: false,
            connectedSince: undefined,
            lastError: ended.message,
            ...(oversized ? { oversizedFrames: s.oversizedFrames + 1, lastOversizedFrameAt: now } : {})
          }))
          if (ended.reason === "LoginDenied") {
            // The token was refused: refresh it once before the next attempt.
            const rejected = yield* Effect.either(source.accessToken())
            if (Either.isRight(rejected)) yield* Effect.ignore(source.refreshAfterRejection(rejected.right))
          }
          yield* onEvent({ _tag: "Disconnected", error: ended })
          const delay = takenOver ? config.takeoverRetry : yield* backoff(attempt - 1)
          yield* (takenOver ? Effect.logError : Effect.logWarning)(
            takenOver
              ? "Schwab streamer closed: another connection logged in as this user (one streamer per user); waiting before trying again"
              : "Schwab streamer connection ended; reconnecting"
          ).pipe(Effect.annotateLogs({ reason: ended.message, retryIn: Duration.format(delay) }))
          yield* Effect.sleep(delay)
        }
      }).pipe(Effect.ensuring(patch(() => ({ state: "stopped", connected: false }))))

    return { run, status: Ref.get(status) } satisfies StreamerClient
  })

/**
 * The client on this SchwabClient and SchwabAuth, with `ws` capped at `config.maxFrameBytes`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  config: StreamerConfig = defaults
): Layer.Layer<StreamerClient, never, SchwabClient | SchwabAuth> =>
  Layer.effect(
    StreamerClient,
    Effect.gen(function* () {
      const client = yield* SchwabClient
      const auth = yield* SchwabAuth
      return yield* make(
        {
          streamerInfo: client.streamerInfo,
          accessToken: auth.accessToken,
          refreshAfterRejection: auth.refreshAfterRejection
        },
        config
      )
    })
  ).pipe(Layer.provide(layerWebSocketConstructor(config.maxFrameBytes)))
