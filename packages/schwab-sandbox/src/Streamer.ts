/**
 * The sandbox streamer: a WebSocket server on the sandbox's own port (`/ws`) that
 * speaks Schwab's streamer protocol for account activity (shared/schwab/streamer.md):
 * ADMIN LOGIN with a sandbox access token, ACCT_ACTIVITY SUBS/ADD/UNSUBS, heartbeats,
 * LOGOUT, one logged-in connection per user (a second LOGIN closes the first with
 * code 12), and the account activity of the order book as it happens, with faults.
 *
 * @since 0.1.0
 */
import type { IncomingMessage, Server } from "node:http"
import type { Duplex } from "node:stream"
import { type WebSocket, WebSocketServer } from "ws"
import type { ActivityFeed } from "./ActivityFeed.js"
import type { ActivityMessage } from "./ActivityMessages.js"
import type { SandboxClock } from "./Clock.js"
import { renderJson } from "./JsonText.js"
import type { OAuth } from "./OAuth.js"
import type { Random } from "./Random.js"
import { StreamFaults, type UnknownVariant } from "./StreamerFaults.js"
import {
  Code,
  type ContentItem,
  dataFrame,
  heartbeatFrame,
  responseFrame,
  statusFrame
} from "./streamerFrames.js"

/** `streamerInfo[0]` of `GET /userPreference`. @since 0.1.0 @category models */
export interface StreamerInfo {
  readonly streamerSocketUrl: string
  readonly schwabClientCustomerId: string
  readonly schwabClientCorrelId: string
  readonly schwabClientChannel: string
  readonly schwabClientFunctionId: string
}

/** @since 0.1.0 @category models */
export interface StreamerOptions {
  /** Real milliseconds between heartbeats to logged-in connections (Schwab: ~10 s). Default 10,000. */
  readonly heartbeatMs?: number
  /** Real milliseconds a logged-in connection may go without a subscription before code 30. Default 30,000. */
  readonly idleCloseMs?: number
}

/** A connection as the sandbox sees it. @since 0.1.0 @category models */
export interface StreamerConnection {
  readonly id: number
  readonly loggedIn: boolean
  /** The subscription key, while subscribed. */
  readonly key: string | undefined
  /** The `seq` the next item gets. */
  readonly seq: number
  readonly stalled: boolean
}

/** Counts since the sandbox started. @since 0.1.0 @category models */
export interface StreamerStats {
  readonly connections: number
  readonly logins: number
  readonly loginsDenied: number
  readonly subscriptions: number
  readonly kickOffs: number
  readonly drops: number
  readonly frames: number
  readonly items: number
  /** Bytes of never-ending messages (`sendEndlessMessage`) handed to their sockets before these closed. */
  readonly endlessBytes: number
}

/** The streamer half of a running sandbox. @since 0.1.0 @category models */
export interface SandboxStreamer {
  /** `ws://127.0.0.1:PORT/ws` */
  readonly url: string
  readonly info: StreamerInfo
  readonly faults: StreamFaults
  readonly connections: () => ReadonlyArray<StreamerConnection>
  readonly stats: () => StreamerStats
  /** Destroys every connection's socket at once, without a close frame. */
  readonly dropConnections: () => void
  /** Closes every logged-in connection with code 12, as when another connection logs in. */
  readonly kickOff: () => void
  /** Sends an unknown message to every subscribed connection now. */
  readonly sendUnknown: (variant?: UnknownVariant) => void
  /** Every connection goes silent (no data, no heartbeats) but stays open. */
  readonly stall: () => void
  /** Sends a heartbeat to every logged-in connection now. */
  readonly heartbeat: () => void
  /** Sends every subscribed connection one ACCT_ACTIVITY frame of `bytes` bytes (its item's data is padding). */
  readonly sendLargeFrame: (bytes: number) => void
  /**
   * Starts a fragmented message that never ends on every subscribed connection: 64 KiB
   * fragments, each sent when the one before has gone out, until the connection closes or
   * `maxBytes` (default 1 GiB) went out. The connection sends nothing else meanwhile.
   */
  readonly sendEndlessMessage: (maxBytes?: number) => void
}

interface Session {
  readonly id: number
  readonly ws: WebSocket
  loggedIn: boolean
  correlId: string | undefined
  subscription: { key: string; seq: number } | undefined
  stalled: boolean
  closing: boolean
  readonly outbox: Array<{ text: string; notBefore: number }>
  flushTimer: ReturnType<typeof setTimeout> | undefined
  idleTimer: ReturnType<typeof setTimeout> | undefined
}

interface Request {
  readonly service: string
  readonly command: string
  readonly requestid: string
  readonly customerId: unknown
  readonly correlId: unknown
  readonly parameters: Record<string, unknown>
}

const MAX_ITEMS_PER_FRAME = 14
const KICK_OFF =
  "This Streamer was disconnected because of another connection for this username and password. Each user may only have one connection open at a time."
const DENIED = "Login Denied.: token is invalid or has expired."

const asRequest = (value: unknown): Request | undefined => {
  if (typeof value !== "object" || value === null) return undefined
  const record = value as Record<string, unknown>
  if (typeof record.service !== "string" || typeof record.command !== "string") return undefined
  const parameters = record.parameters
  return {
    service: record.service,
    command: record.command,
    requestid: String(record.requestid ?? ""),
    customerId: record.SchwabClientCustomerId,
    correlId: record.SchwabClientCorrelId,
    parameters:
      typeof parameters === "object" && parameters !== null ? (parameters as Record<string, unknown>) : {}
  }
}

/** @since 0.1.0 @category constructors */
export class Streamer implements SandboxStreamer {
  readonly faults: StreamFaults
  readonly url: string
  readonly info: StreamerInfo
  private readonly wss = new WebSocketServer({ noServer: true })
  private readonly sessions = new Set<Session>()
  private readonly heartbeatTimer: ReturnType<typeof setInterval>
  private readonly unlisten: () => void
  private readonly idleCloseMs: number
  private nextId = 1
  private counts = {
    connections: 0,
    logins: 0,
    loginsDenied: 0,
    subscriptions: 0,
    kickOffs: 0,
    drops: 0,
    frames: 0,
    items: 0,
    endlessBytes: 0
  }

  constructor(
    server: Server,
    origin: string,
    private readonly clock: SandboxClock,
    private readonly oauth: OAuth,
    feed: ActivityFeed,
    rng: Random,
    options: StreamerOptions = {}
  ) {
    this.faults = new StreamFaults(rng.fork("faults"))
    this.url = `${origin.replace(/^http/, "ws")}/ws`
    const ids = rng.fork("ids")
    this.info = {
      streamerSocketUrl: this.url,
      schwabClientCustomerId: ids.hex(64),
      schwabClientCorrelId: ids.uuid(),
      schwabClientChannel: "N9",
      schwabClientFunctionId: "APIAPP"
    }
    this.idleCloseMs = options.idleCloseMs ?? 30_000
    server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (new URL(request.url ?? "/", origin).pathname !== "/ws") {
        socket.destroy()
        return
      }
      this.wss.handleUpgrade(request, socket, head, (ws) => this.open(ws))
    })
    this.unlisten = feed.listen((batch) => {
      for (const session of this.sessions) this.deliver(session, batch)
    })
    this.heartbeatTimer = setInterval(() => this.heartbeat(), options.heartbeatMs ?? 10_000)
    this.heartbeatTimer.unref()
  }

  connections = (): ReadonlyArray<StreamerConnection> =>
    [...this.sessions]
      .filter((session) => !session.closing)
      .map((session) => ({
        id: session.id,
        loggedIn: session.loggedIn,
        key: session.subscription?.key,
        seq: session.subscription?.seq ?? 0,
        stalled: session.stalled
      }))

  stats = (): StreamerStats => ({ ...this.counts })

  dropConnections = (): void => {
    for (const session of this.sessions) this.drop(session)
  }

  kickOff = (): void => {
    for (const session of this.sessions) if (session.loggedIn) this.kick(session)
  }

  sendUnknown = (variant: UnknownVariant = "activityType"): void => {
    for (const session of this.sessions)
      if (session.subscription !== undefined) this.unknown(session, variant)
  }

  stall = (): void => {
    for (const session of this.sessions) session.stalled = true
  }

  heartbeat = (): void => {
    for (const session of this.sessions)
      if (session.loggedIn && !session.stalled) this.send(session, heartbeatFrame(this.clock.now()))
  }

  sendLargeFrame = (bytes: number): void => {
    for (const session of this.sessions) {
      const subscription = session.subscription
      if (subscription === undefined || session.stalled || session.closing) continue
      const item = (data: string): ContentItem => ({
        seq: subscription.seq,
        key: subscription.key,
        account: "",
        type: "OrderMonitorCreated",
        data
      })
      // The frame's length without padding, so the padding brings it to `bytes` exactly.
      const bare = Buffer.byteLength(dataFrame(this.clock.now(), [item("")]))
      subscription.seq++
      this.counts.items++
      this.send(session, dataFrame(this.clock.now(), [item("x".repeat(Math.max(0, bytes - bare)))]))
    }
  }

  sendEndlessMessage = (maxBytes = 1024 ** 3): void => {
    const fragment = Buffer.alloc(64 * 1024, 0x20)
    for (const session of this.sessions) {
      if (session.subscription === undefined || session.stalled || session.closing) continue
      // Anything else sent now would land inside the message as one of its fragments.
      session.stalled = true
      let sent = 0
      // ws calls back with null, or the error that ended the connection.
      const next = (error?: Error | null): void => {
        if (error || session.ws.readyState !== session.ws.OPEN || sent >= maxBytes) return
        sent += fragment.length
        this.counts.endlessBytes += fragment.length
        session.ws.send(fragment, { binary: false, fin: false }, next)
      }
      next()
    }
  }

  close(): void {
    clearInterval(this.heartbeatTimer)
    this.unlisten()
    for (const session of this.sessions) {
      this.clearTimers(session)
      session.ws.terminate()
    }
    this.sessions.clear()
    this.wss.close()
  }

  private open(ws: WebSocket): void {
    const session: Session = {
      id: this.nextId++,
      ws,
      loggedIn: false,
      correlId: undefined,
      subscription: undefined,
      stalled: false,
      closing: false,
      outbox: [],
      flushTimer: undefined,
      idleTimer: undefined
    }
    this.counts.connections++
    this.sessions.add(session)
    ws.on("message", (data) => this.receive(session, data.toString()))
    ws.on("close", () => this.forget(session))
    ws.on("error", () => this.forget(session))
  }

  private forget(session: Session): void {
    this.clearTimers(session)
    this.sessions.delete(session)
  }

  private clearTimers(session: Session): void {
    if (session.flushTimer !== undefined) clearTimeout(session.flushTimer)
    if (session.idleTimer !== undefined) clearTimeout(session.idleTimer)
    session.flushTimer = undefined
    session.idleTimer = undefined
  }

  private receive(session: Session, text: string): void {
    if (session.closing || session.stalled) return
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      this.unreadable(session, "not JSON")
      return
    }
    const list =
      typeof parsed === "object" &&
      parsed !== null &&
      Array.isArray((parsed as { requests?: unknown }).requests)
        ? (parsed as { requests: ReadonlyArray<unknown> }).requests
        : [parsed]
    for (const item of list) {
      if (session.closing) return
      const request = asRequest(item)
      if (request === undefined) {
        this.unreadable(session, "a request needs service and command")
        continue
      }
      this.handle(session, request)
    }
  }

  /** A frame with no request to echo: answered as ADMIN with code 21. */
  private unreadable(session: Session, why: string): void {
    this.answer(
      session,
      { service: "ADMIN", command: "", requestid: "" },
      Code.badCommandFormat,
      `Bad command format: ${why}`
    )
  }

  private answer(
    session: Session,
    request: { readonly service: string; readonly command: string; readonly requestid: string },
    code: number,
    msg: string
  ): void {
    this.send(
      session,
      responseFrame(request, session.correlId ?? this.info.schwabClientCorrelId, this.clock.now(), code, msg)
    )
  }

  private handle(session: Session, request: Request): void {
    const { service, command } = request
    if (service === "ADMIN" && command === "LOGIN") {
      this.login(session, request)
      return
    }
    if (
      !session.loggedIn ||
      request.correlId !== session.correlId ||
      request.customerId !== this.info.schwabClientCustomerId
    ) {
      this.answer(
        session,
        request,
        Code.streamConnNotFound,
        "Stream connection not found: log in first, with the same ids"
      )
      return
    }
    if (service === "ADMIN" && command === "LOGOUT") {
      this.answer(session, request, Code.success, "SUCCESS")
      this.closeSession(session)
      return
    }
    if (service !== "ACCT_ACTIVITY") {
      this.answer(
        session,
        request,
        Code.serviceNotAvailable,
        `Service ${service} is not available in the sandbox`
      )
      return
    }
    switch (command) {
      case "SUBS": {
        const key = String(request.parameters.keys ?? "").split(",")[0] ?? ""
        session.subscription = { key, seq: 0 }
        this.counts.subscriptions++
        this.disarmIdle(session)
        this.answer(session, request, Code.success, "SUBS command succeeded")
        this.sendItems(
          session,
          [{ seq: session.subscription.seq++, key, account: "", type: "SUBSCRIBED", data: "" }],
          0
        )
        return
      }
      case "ADD":
        // Schwabdev issue #14: ADD is answered with success but starts no ACCT_ACTIVITY
        // subscription; on an existing one it changes nothing.
        this.answer(session, request, Code.success, "ADD command succeeded")
        return
      case "UNSUBS":
        session.subscription = undefined
        this.answer(session, request, Code.success, "UNSUBS command succeeded")
        this.armIdle(session)
        return
      default:
        this.answer(
          session,
          request,
          Code.badCommandFormat,
          `Bad command format: ${command} for ACCT_ACTIVITY`
        )
        return
    }
  }

  private login(session: Session, request: Request): void {
    const token = request.parameters.Authorization
    const denied =
      this.faults.takeForLogin() ||
      request.customerId !== this.info.schwabClientCustomerId ||
      typeof request.correlId !== "string" ||
      typeof token !== "string" ||
      this.oauth.checkAccess(`Bearer ${token}`) !== "ok"
    if (denied) {
      this.counts.loginsDenied++
      this.answer(session, request, Code.loginDenied, DENIED)
      this.closeSession(session)
      return
    }
    // One streamer per user: the newest login wins, the others are told and closed.
    for (const other of this.sessions) if (other !== session && other.loggedIn) this.kick(other)
    session.loggedIn = true
    session.correlId = request.correlId as string
    this.counts.logins++
    this.answer(session, request, Code.success, "server=sandbox-s1;status=PN")
    this.armIdle(session)
  }

  private armIdle(session: Session): void {
    this.disarmIdle(session)
    session.idleTimer = setTimeout(() => {
      this.send(
        session,
        statusFrame("ADMIN", this.clock.now(), Code.stopStreaming, "Stop streaming due to empty subscription")
      )
      this.closeSession(session)
    }, this.idleCloseMs)
    session.idleTimer.unref()
  }

  private disarmIdle(session: Session): void {
    if (session.idleTimer !== undefined) clearTimeout(session.idleTimer)
    session.idleTimer = undefined
  }

  private kick(session: Session): void {
    this.counts.kickOffs++
    this.send(session, statusFrame("Invalid Service", this.clock.now(), Code.closeConnection, KICK_OFF))
    this.closeSession(session)
  }

  private drop(session: Session): void {
    this.counts.drops++
    session.closing = true
    this.forget(session)
    session.ws.terminate()
  }

  /** Closes once everything queued has gone out. */
  private closeSession(session: Session): void {
    session.closing = true
    session.loggedIn = false
    session.subscription = undefined
    this.disarmIdle(session)
    this.flush(session)
  }

  private unknown(session: Session, variant: UnknownVariant): void {
    const subscription = session.subscription
    if (subscription === undefined) return
    if (variant === "topLevel") {
      this.send(
        session,
        renderJson({ snapshot: [{ service: "ACCT_ACTIVITY", timestamp: this.clock.now(), content: [] }] })
      )
      return
    }
    const item: ContentItem =
      variant === "notice"
        ? {
            seq: subscription.seq++,
            key: subscription.key,
            account: "",
            type: "",
            data: "Feature not supported"
          }
        : {
            seq: subscription.seq++,
            key: subscription.key,
            account: "",
            type: "OrderMonitorCreated",
            data: renderJson({ SchwabOrderID: "0", BaseEvent: { EventType: "OrderMonitorCreated" } })
          }
    this.sendItems(session, [item], 0)
  }

  /** Sends a batch to one connection, meeting any faults drawn per item. */
  private deliver(session: Session, batch: ReadonlyArray<ActivityMessage>): void {
    const subscription = session.subscription
    if (subscription === undefined || session.stalled || session.closing) return
    let items: Array<ContentItem> = []
    let delayMs = 0
    const flushItems = () => {
      this.sendItems(session, items, delayMs)
      items = []
    }
    for (const message of batch) {
      const item = (): ContentItem => ({
        seq: subscription.seq++,
        key: subscription.key,
        account: message.accountNumber,
        type: message.type,
        data: renderJson(message.body())
      })
      const fault = this.faults.takeForItem()
      switch (fault?.kind) {
        case undefined:
          items.push(item())
          break
        case "duplicate":
          items.push(item(), item())
          break
        case "skipSeq":
          subscription.seq += fault.by ?? 1
          items.push(item())
          break
        case "lose":
          subscription.seq++
          break
        case "delay":
          delayMs = Math.max(delayMs, fault.delayMs ?? 1000)
          items.push(item())
          break
        case "unknownMessage":
          flushItems()
          this.unknown(session, fault.variant ?? "activityType")
          items.push(item())
          break
        case "drop":
          flushItems()
          this.drop(session)
          return
        case "kickOff":
          flushItems()
          this.kick(session)
          return
        case "stall":
          flushItems()
          session.stalled = true
          return
        case "loginDenied":
          break
      }
    }
    flushItems()
  }

  private sendItems(session: Session, items: ReadonlyArray<ContentItem>, delayMs: number): void {
    for (let i = 0; i < items.length; i += MAX_ITEMS_PER_FRAME) {
      const chunk = items.slice(i, i + MAX_ITEMS_PER_FRAME)
      this.counts.items += chunk.length
      this.send(session, dataFrame(this.clock.now(), chunk), delayMs)
    }
  }

  /** Queues a frame; a delayed frame holds back every frame after it, as one TCP stream would. */
  private send(session: Session, text: string, delayMs = 0): void {
    if (session.closing && session.outbox.length === 0 && session.ws.readyState !== session.ws.OPEN) return
    session.outbox.push({ text, notBefore: Date.now() + delayMs })
    this.flush(session)
  }

  private flush(session: Session): void {
    if (session.flushTimer !== undefined) return
    const { outbox, ws } = session
    while (outbox.length > 0) {
      const head = outbox[0] as { text: string; notBefore: number }
      const wait = head.notBefore - Date.now()
      if (wait > 0) {
        session.flushTimer = setTimeout(() => {
          session.flushTimer = undefined
          this.flush(session)
        }, wait)
        return
      }
      outbox.shift()
      if (ws.readyState === ws.OPEN) {
        this.counts.frames++
        ws.send(head.text)
      }
    }
    if (session.closing && ws.readyState === ws.OPEN) ws.close(1000)
  }
}
