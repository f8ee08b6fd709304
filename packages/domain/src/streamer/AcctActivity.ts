/**
 * `ACCT_ACTIVITY` content items: one per order event Schwab streams (streamer.md §4).
 *
 * Each item has `seq`, the subscription `key`, `"1"` the plain account number (a secret),
 * `"2"` the message type and `"3"` the message data, usually a JSON document encoded as a
 * string. This module reads what a fill tracker needs from it: the order id
 * (`SchwabOrderID`, kept as its digits), the account, the type, and for executions and
 * cancels their exact amounts. The stream only says *when* to look (REST snapshots make the
 * events), so an item whose details do not decode still yields its order id where it can,
 * and nothing here ever throws. Reasons never contain the account number.
 *
 * @since 0.1.0
 */
import * as E from "fp-ts/lib/Either.js"
import type * as D from "../Decimal.js"
import { OrderId } from "../ids.js"
import { decodeProblems, formatProblem } from "../internal/formatErrors.js"
import { at, contentHash, type Fields, integerOf, isRecord, textOf } from "../internal/streamerFields.js"
import { parseLosslessJson } from "../schwab/LosslessJson.js"
import { StreamerAmount } from "./StreamerAmount.js"

/** One execution as `OrderFillCompleted` reports it. @since 0.1.0 @category models */
export interface StreamedExecution {
  readonly executionId: string
  readonly quantity: D.Decimal
  readonly price: D.Decimal
  /** `ExecutionTimeStamp.DateTimeString` as sent: US Eastern wall time, no zone. */
  readonly time: string | undefined
  readonly transType: string | undefined
}

/**
 * What an item's message data says, by message type. `Other` is every type without fields
 * the tracker reads (`OrderCreated`, `OrderAccepted`, the routing messages, ...) and any
 * type not seen before (`known` false). `Unreadable` keeps the reason the details did not
 * decode; the order id beside it is still good.
 *
 * @since 0.1.0
 * @category models
 */
export type ActivityEvent =
  | {
      readonly type: "OrderFillCompleted"
      readonly legId: string | undefined
      readonly execution: StreamedExecution
      readonly cumulativeQuantity: D.Decimal | undefined
      readonly leavesQuantity: D.Decimal | undefined
      readonly averagePrice: D.Decimal | undefined
      readonly legStatus: string | undefined
      readonly legSubStatus: string | undefined
    }
  | {
      readonly type: "ExecutionCreated"
      readonly legId: string | undefined
      readonly executionId: string
      readonly quantity: D.Decimal | undefined
      /** `UROut` for a cancel-out: not a fill. */
      readonly transType: string | undefined
      readonly cancelType: string | undefined
    }
  | {
      readonly type: "OrderUROutCompleted"
      readonly legId: string | undefined
      readonly executionId: string | undefined
      readonly cancelQuantity: D.Decimal | undefined
      readonly leavesQuantity: D.Decimal | undefined
      readonly legSubStatus: string | undefined
      readonly outCancelType: string | undefined
    }
  | {
      readonly type: "ChangeCreated"
      /** The order this one replaces. */
      readonly parentOrderId: OrderId | undefined
      readonly lifecycleOrderId: OrderId | undefined
    }
  | { readonly type: "Other"; readonly known: boolean }
  | { readonly type: "Unreadable"; readonly reason: string }

/** The `SUBSCRIBED` acknowledgement that opens every subscription (seq 0). @since 0.1.0 @category models */
export interface ActivitySubscribed {
  readonly _tag: "Subscribed"
  readonly seq: number
}

/**
 * An order event. `accountNumber` is the plain number (never log it; map it to its hash).
 * `contentKey` is equal for two copies of the same message whatever their `seq`: the
 * execution id for executions and cancels, else a hash of the type, account and data.
 *
 * @since 0.1.0
 * @category models
 */
export interface ActivityMessage {
  readonly _tag: "Activity"
  readonly seq: number
  readonly messageType: string
  readonly orderId: OrderId
  readonly accountNumber: string
  readonly event: ActivityEvent
  readonly contentKey: string
}

/** A plain-text notice (`"3"` not JSON, e.g. `Feature not supported`), cut to 200 characters. @since 0.1.0 @category models */
export interface ActivityNotice {
  readonly _tag: "Notice"
  readonly seq: number | undefined
  readonly messageType: string
  readonly text: string
}

/** An item that names no order this code can read; `reason` says why (no account number in it). @since 0.1.0 @category models */
export interface ActivityUnreadable {
  readonly _tag: "Unreadable"
  readonly seq: number | undefined
  readonly messageType: string
  readonly reason: string
}

/** @since 0.1.0 @category models */
export type ActivityItem = ActivitySubscribed | ActivityMessage | ActivityNotice | ActivityUnreadable

/** Message types seen in real captures (streamer.md §4). @since 0.1.0 @category models */
export const KNOWN_ACTIVITY_TYPES: ReadonlySet<string> = new Set([
  "OrderCreated",
  "OrderAccepted",
  "ExecutionRequested",
  "ExecutionRequestCreated",
  "ExecutionRequestCompleted",
  "OrderFillCompleted",
  "ExecutionCreated",
  "OrderUROutCompleted",
  "CancelAccepted",
  "ChangeCreated",
  "ChangeAccepted"
])

const ACCOUNT_DIGITS = /^[0-9]{1,32}$/

/** Decodes an optional amount at `path` of `event`; a bad one is a Left naming the path. */
const amountAt = (
  event: unknown,
  ...path: ReadonlyArray<string>
): E.Either<string, D.Decimal | undefined> => {
  const u = at(event, ...path)
  if (u === undefined) return E.right(undefined)
  const d = StreamerAmount.decode(u)
  return E.isRight(d)
    ? E.right(d.right)
    : E.left(`${path.join(".")}: ${decodeProblems(d.left).map(formatProblem).join("; ")}`)
}

const orderIdAt = (event: unknown, key: string): OrderId | undefined => {
  const text = textOf(at(event, key))
  return text !== undefined && OrderId.is(text) ? text : undefined
}

const textAt = (event: unknown, ...path: ReadonlyArray<string>): string | undefined =>
  textOf(at(event, ...path))

/** Collects the named amounts, or the first failure. */
const amounts = <K extends string>(
  event: unknown,
  paths: Readonly<Record<K, ReadonlyArray<string>>>
): E.Either<string, Readonly<Record<K, D.Decimal | undefined>>> => {
  const out = {} as Record<K, D.Decimal | undefined>
  for (const key of Object.keys(paths) as Array<K>) {
    const d = amountAt(event, ...paths[key])
    if (E.isLeft(d)) return d
    out[key] = d.right
  }
  return E.right(out)
}

const unreadable = (reason: string): ActivityEvent => ({ type: "Unreadable", reason })

const fillCompleted = (e: unknown): ActivityEvent => {
  const executionId = textAt(e, "ExecutionInfo", "ExecutionId") ?? textAt(e, "QuantityInfo", "ExecutionID")
  if (executionId === undefined) return unreadable("ExecutionInfo.ExecutionId is missing")
  const read = amounts(e, {
    quantity: ["ExecutionInfo", "ExecutionQuantity"],
    price: ["ExecutionInfo", "ExecutionPrice"],
    cumulativeQuantity: ["QuantityInfo", "CumulativeQuantity"],
    leavesQuantity: ["QuantityInfo", "LeavesQuantity"],
    averagePrice: ["QuantityInfo", "AveragePrice"]
  })
  if (E.isLeft(read)) return unreadable(read.left)
  const { quantity, price, ...totals } = read.right
  if (quantity === undefined) return unreadable("ExecutionInfo.ExecutionQuantity is missing")
  if (price === undefined) return unreadable("ExecutionInfo.ExecutionPrice is missing")
  return {
    type: "OrderFillCompleted",
    legId: textAt(e, "LegId"),
    execution: {
      executionId,
      quantity,
      price,
      time: textAt(e, "ExecutionInfo", "ExecutionTimeStamp", "DateTimeString"),
      transType: textAt(e, "ExecutionInfo", "ExecutionTransType")
    },
    ...totals,
    legStatus: textAt(e, "LegStatus"),
    legSubStatus: textAt(e, "LegSubStatus")
  }
}

const executionCreated = (e: unknown): ActivityEvent => {
  const executionId = textAt(e, "ExecutionInfo", "ExecutionId")
  if (executionId === undefined) return unreadable("ExecutionInfo.ExecutionId is missing")
  const quantity = amountAt(e, "ExecutionInfo", "ExecutionQuantity")
  if (E.isLeft(quantity)) return unreadable(quantity.left)
  return {
    type: "ExecutionCreated",
    legId: textAt(e, "LegId"),
    executionId,
    quantity: quantity.right,
    transType: textAt(e, "ExecutionInfo", "ExecutionTransType"),
    cancelType: textAt(e, "ExecutionInfo", "CancelType")
  }
}

const urOutCompleted = (e: unknown): ActivityEvent => {
  const read = amounts(e, { cancelQuantity: ["CancelQuantity"], leavesQuantity: ["LeavesQuantity"] })
  if (E.isLeft(read)) return unreadable(read.left)
  return {
    type: "OrderUROutCompleted",
    legId: textAt(e, "LegId"),
    executionId: textAt(e, "ExecutionId"),
    ...read.right,
    legSubStatus: textAt(e, "LegSubStatus"),
    outCancelType: textAt(e, "OutCancelType")
  }
}

const changeCreated = (e: unknown): ActivityEvent => ({
  type: "ChangeCreated",
  parentOrderId: orderIdAt(e, "ParentSchwabOrderID"),
  lifecycleOrderId: orderIdAt(e, "LifecycleSchwabOrderID")
})

const READERS: Readonly<Record<string, (event: unknown) => ActivityEvent>> = {
  OrderFillCompleted: fillCompleted,
  ExecutionCreated: executionCreated,
  OrderUROutCompleted: urOutCompleted,
  ChangeCreated: changeCreated
}

/** The one `BaseEvent` member that is not `EventType` (its name varies by type). */
const baseEventBody = (data: Fields): unknown => {
  const base = data.BaseEvent
  if (!isRecord(base)) return undefined
  const keys = Object.keys(base).filter((k) => k !== "EventType")
  return keys.length === 1 && keys[0] !== undefined ? base[keys[0]] : undefined
}

const eventOf = (messageType: string, data: Fields): ActivityEvent => {
  const read = Object.hasOwn(READERS, messageType) ? READERS[messageType] : undefined
  if (read === undefined) return { type: "Other", known: KNOWN_ACTIVITY_TYPES.has(messageType) }
  const body = baseEventBody(data)
  return body === undefined ? unreadable("BaseEvent has no event body") : read(body)
}

const contentKeyOf = (
  orderId: OrderId,
  messageType: string,
  event: ActivityEvent,
  account: string,
  payload: string
): string => {
  const executionId =
    event.type === "OrderFillCompleted"
      ? event.execution.executionId
      : event.type === "ExecutionCreated" || event.type === "OrderUROutCompleted"
        ? event.executionId
        : undefined
  return executionId === undefined
    ? `hash:${contentHash(`${messageType}\u0000${account}\u0000${payload}`)}`
    : `execution:${orderId}:${messageType}:${executionId}`
}

/**
 * Reads one `ACCT_ACTIVITY` content item. Never throws; what it cannot read is a `Notice`
 * (plain text) or `Unreadable` (with a reason that holds no account number).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeActivityItem = (item: unknown): ActivityItem => {
  if (!isRecord(item))
    return { _tag: "Unreadable", seq: undefined, messageType: "", reason: "item is not an object" }
  const seq = integerOf(item.seq)
  const messageType = textOf(item["2"]) ?? ""
  const bad = (reason: string): ActivityUnreadable => ({ _tag: "Unreadable", seq, messageType, reason })
  if (seq === undefined || seq < 0) return bad("seq is not a non-negative integer")
  if (messageType === "SUBSCRIBED") return { _tag: "Subscribed", seq }
  const payload = item["3"]
  if (typeof payload !== "string") return bad('field "3" is not text')
  const parsed = parseLosslessJson(payload)
  if (E.isLeft(parsed) || !isRecord(parsed.right))
    return { _tag: "Notice", seq, messageType, text: payload.slice(0, 200) }
  const data = parsed.right
  const orderIdText = textOf(data.SchwabOrderID)
  if (orderIdText === undefined || !OrderId.is(orderIdText)) return bad("SchwabOrderID is not an order id")
  const field1 = textOf(item["1"])
  const account = field1 !== undefined && field1 !== "" ? field1 : textOf(data.AccountNumber)
  if (account === undefined || !ACCOUNT_DIGITS.test(account)) return bad("the account number is not digits")
  const event = eventOf(messageType, data)
  return {
    _tag: "Activity",
    seq,
    messageType,
    orderId: orderIdText,
    accountNumber: account,
    event,
    contentKey: contentKeyOf(orderIdText, messageType, event, account, payload)
  }
}
