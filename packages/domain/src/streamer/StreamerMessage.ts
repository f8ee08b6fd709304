/**
 * One WebSocket text message from Schwab's streamer, split into its items.
 *
 * A message is an object with up to three arrays (streamer.md §3): `response` (answers to
 * requests, with a `content.code`), `notify` (heartbeats, and status notices such as the
 * code-12 "another connection" close) and `data` (stream content). Anything else, and
 * any item that does not have the shape its kind needs, becomes an `Unknown` item that
 * says why: a new kind of message is reported, never a crash. Numbers are read from the
 * lossless parser's text, so an int64 in a frame keeps every digit.
 *
 * @since 0.1.0
 */
import * as E from "fp-ts/lib/Either.js"
import { integerOf, isRecord, textOf } from "../internal/streamerFields.js"
import { parseLosslessJson } from "../schwab/LosslessJson.js"

/**
 * Answer to one request (`ADMIN LOGIN`, `ACCT_ACTIVITY SUBS`, ...). `code` 0 is success
 * (also for SUBS, observed), 3 login denied, 12 another connection took over, 20 no
 * connection for these ids, 30 streaming stopped.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamerResponse {
  readonly _tag: "Response"
  readonly service: string
  readonly command: string
  readonly requestId: string
  readonly code: number
  readonly msg: string
}

/** A heartbeat; `timestamp` is the streamer's epoch milliseconds. @since 0.1.0 @category models */
export interface StreamerHeartbeat {
  readonly _tag: "Heartbeat"
  readonly timestamp: number
}

/**
 * A `notify` item that is not a heartbeat: a status message, e.g. code 12 when another
 * connection logged in with this user. `code` is absent when the item carried none.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamerNotice {
  readonly _tag: "Notice"
  readonly service: string
  readonly code: number | undefined
  readonly msg: string
}

/** Stream content of one service; `content` items are read by the service's codec. @since 0.1.0 @category models */
export interface StreamerData {
  readonly _tag: "Data"
  readonly service: string
  readonly command: string
  readonly timestamp: number | undefined
  readonly content: ReadonlyArray<unknown>
}

/**
 * Something this code does not know (`kind` is the top-level key) or an item whose shape
 * is wrong (`reason` says how). Reported and skipped.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamerUnknown {
  readonly _tag: "Unknown"
  readonly kind: string
  readonly reason: string
}

/** @since 0.1.0 @category models */
export type StreamerItem =
  | StreamerResponse
  | StreamerHeartbeat
  | StreamerNotice
  | StreamerData
  | StreamerUnknown

/**
 * Why a message could not be read at all (not JSON, or not an object).
 *
 * @since 0.1.0
 * @category errors
 */
export interface StreamerMessageError {
  readonly _tag: "StreamerMessageError"
  readonly message: string
}

const unknown = (kind: string, reason: string): StreamerUnknown => ({ _tag: "Unknown", kind, reason })

const response = (u: unknown): StreamerItem => {
  if (!isRecord(u)) return unknown("response", "item is not an object")
  const content = isRecord(u.content) ? u.content : undefined
  const code = integerOf(content?.code)
  const service = textOf(u.service)
  const command = textOf(u.command)
  if (service === undefined || command === undefined) return unknown("response", "no service or command")
  if (code === undefined) return unknown("response", "no content.code")
  return {
    _tag: "Response",
    service,
    command,
    requestId: textOf(u.requestid) ?? "",
    code,
    msg: textOf(content?.msg) ?? ""
  }
}

const notify = (u: unknown): StreamerItem => {
  if (!isRecord(u)) return unknown("notify", "item is not an object")
  if ("heartbeat" in u) {
    const timestamp = integerOf(u.heartbeat)
    return timestamp === undefined
      ? unknown("notify", "heartbeat is not epoch milliseconds")
      : { _tag: "Heartbeat", timestamp }
  }
  const content = isRecord(u.content) ? u.content : undefined
  return {
    _tag: "Notice",
    service: textOf(u.service) ?? "",
    code: integerOf(content?.code),
    msg: textOf(content?.msg) ?? ""
  }
}

const data = (u: unknown): StreamerItem => {
  if (!isRecord(u)) return unknown("data", "item is not an object")
  const service = textOf(u.service)
  if (service === undefined) return unknown("data", "no service")
  if (!Array.isArray(u.content)) return unknown("data", "content is not an array")
  return {
    _tag: "Data",
    service,
    command: textOf(u.command) ?? "",
    timestamp: integerOf(u.timestamp),
    content: u.content
  }
}

const READERS: Readonly<Record<string, (u: unknown) => StreamerItem>> = { response, notify, data }

/**
 * Reads an already parsed message into its items, in the order the message holds them.
 * Never throws.
 *
 * @since 0.1.0
 * @category decoding
 */
export const streamerItems = (json: unknown): E.Either<StreamerMessageError, ReadonlyArray<StreamerItem>> => {
  if (!isRecord(json))
    return E.left({ _tag: "StreamerMessageError", message: "message is not a JSON object" })
  const items: Array<StreamerItem> = []
  for (const [kind, value] of Object.entries(json)) {
    const read = Object.hasOwn(READERS, kind) ? READERS[kind] : undefined
    if (read === undefined) items.push(unknown(kind, "unknown message kind"))
    else if (!Array.isArray(value)) items.push(unknown(kind, `${kind} is not an array`))
    else for (const item of value) items.push(read(item))
  }
  return E.right(items)
}

/**
 * Parses one streamer text message (numbers kept exact) and reads its items. Never throws:
 * text that is not JSON, or not an object, is a `StreamerMessageError`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeStreamerMessage = (
  text: string
): E.Either<StreamerMessageError, ReadonlyArray<StreamerItem>> => {
  const json = parseLosslessJson(text)
  return E.isLeft(json)
    ? E.left({ _tag: "StreamerMessageError", message: json.left.message })
    : streamerItems(json.right)
}
