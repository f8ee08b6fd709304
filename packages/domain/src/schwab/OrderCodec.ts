/**
 * The io-ts codec from Schwab's wire `Order` (spec schema `Order`, plus the fields real
 * responses carry: `activityId`, `executionType`, `legId`, `mismarkedQuantity`,
 * `instrumentId`, `tag`, `accountNumber`) to the {@link SchwabOrder} model.
 *
 * Unknown fields are ignored, `null` reads as absent, missing arrays read as empty,
 * and `childOrderStrategies` / `replacingOrderCollection` decode recursively. The
 * `accountNumber` is checked but never kept: it is a secret.
 *
 * @since 0.1.0
 */
import * as E from "fp-ts/lib/Either.js"
import * as t from "io-ts"
import { stringify } from "lossless-json"
import type { Decimal } from "../Decimal.js"
import { type Instant, type OrderId, TickerSymbol } from "../ids.js"
import { type DecodeProblem, decodeProblems, formatProblem } from "../internal/formatErrors.js"
import type { ExecutionLeg, OrderActivity, OrderLeg, OrderStatus, SchwabOrder } from "../SchwabOrder.js"
import { arrayOrEmpty, isObject, mapped, opt, optional, struct } from "./codecHelpers.js"
import { parseLosslessJson } from "./LosslessJson.js"
import { OrderStatusFromWire } from "./OrderStatus.js"
import {
  AccountNumberFromWire,
  DecimalFromWire,
  InstantFromWire,
  Int64IdFromWire,
  NonNegativeDecimalFromWire,
  OrderIdFromWire
} from "./wire.js"

export type { DecodeProblem } from "../internal/formatErrors.js"

const WireExecutionLeg = struct(
  {
    legId: optional(Int64IdFromWire),
    price: DecimalFromWire,
    quantity: NonNegativeDecimalFromWire,
    mismarkedQuantity: optional(DecimalFromWire),
    instrumentId: optional(Int64IdFromWire),
    time: optional(InstantFromWire)
  },
  "ExecutionLeg"
)
type WireExecutionLeg = t.TypeOf<typeof WireExecutionLeg>

const executionLegOf = (w: WireExecutionLeg, index: number): ExecutionLeg => ({
  index,
  ...opt("legId", w.legId),
  quantity: w.quantity,
  ...opt("mismarkedQuantity", w.mismarkedQuantity),
  price: w.price,
  ...opt("time", w.time),
  ...opt("instrumentId", w.instrumentId)
})

const WireActivity = struct(
  {
    activityType: optional(t.string),
    activityId: optional(Int64IdFromWire),
    executionType: optional(t.string),
    quantity: optional(NonNegativeDecimalFromWire),
    orderRemainingQuantity: optional(NonNegativeDecimalFromWire),
    executionLegs: arrayOrEmpty(WireExecutionLeg)
  },
  "OrderActivity"
)

const OrderActivityFromWire = mapped(
  "OrderActivity",
  WireActivity,
  (u): u is OrderActivity => isObject(u) && Array.isArray((u as OrderActivity).executionLegs),
  (w): OrderActivity => ({
    ...opt("activityType", w.activityType),
    ...opt("activityId", w.activityId),
    ...opt("executionType", w.executionType),
    ...opt("quantity", w.quantity),
    ...opt("orderRemainingQuantity", w.orderRemainingQuantity),
    executionLegs: w.executionLegs.map(executionLegOf)
  }),
  (a) => ({
    activityType: a.activityType,
    activityId: a.activityId,
    executionType: a.executionType,
    quantity: a.quantity,
    orderRemainingQuantity: a.orderRemainingQuantity,
    executionLegs: a.executionLegs.map((l) => ({
      legId: l.legId,
      price: l.price,
      quantity: l.quantity,
      mismarkedQuantity: l.mismarkedQuantity,
      instrumentId: l.instrumentId,
      time: l.time
    }))
  })
)

const WireInstrument = struct(
  {
    assetType: optional(t.string),
    symbol: optional(TickerSymbol),
    instrumentId: optional(Int64IdFromWire)
  },
  "Instrument"
)

const WireOrderLeg = struct(
  {
    orderLegType: optional(t.string),
    legId: optional(Int64IdFromWire),
    instrument: optional(WireInstrument),
    instruction: optional(t.string),
    quantity: optional(NonNegativeDecimalFromWire)
  },
  "OrderLeg"
)

const OrderLegFromWire = mapped(
  "OrderLeg",
  WireOrderLeg,
  (u): u is OrderLeg => isObject(u),
  (w): OrderLeg => ({
    ...opt("legId", w.legId),
    ...opt("instruction", w.instruction),
    ...opt("quantity", w.quantity),
    ...opt("symbol", w.instrument?.symbol),
    ...opt("assetType", w.instrument?.assetType ?? w.orderLegType),
    ...opt("instrumentId", w.instrument?.instrumentId)
  }),
  (l) => ({
    orderLegType: l.assetType,
    legId: l.legId,
    instrument:
      l.assetType === undefined && l.symbol === undefined && l.instrumentId === undefined
        ? undefined
        : { assetType: l.assetType, symbol: l.symbol, instrumentId: l.instrumentId },
    instruction: l.instruction,
    quantity: l.quantity
  })
)

/** A missing `status` reads as the spec's own `UNKNOWN`: an OCO shell must not hide its children. */
const statusOrUnknown = new t.Type<OrderStatus, string, unknown>(
  OrderStatusFromWire.name,
  OrderStatusFromWire.is,
  (u, c) =>
    u === undefined || u === null
      ? t.success({ _tag: "Known", value: "UNKNOWN" })
      : OrderStatusFromWire.validate(u, c),
  OrderStatusFromWire.encode
)

/**
 * The wire `Order` as JSON values (`LosslessNumber` for numbers), as {@link SchwabOrderFromWire}
 * encodes it; `lossless-json`'s `stringify` writes it as Schwab would.
 *
 * @since 0.1.0
 * @category models
 */
export interface WireOrderJson {
  readonly [field: string]: unknown
}

interface WireOrderFields {
  readonly orderId: OrderId | undefined
  readonly status: OrderStatus
  readonly quantity: Decimal | undefined
  readonly filledQuantity: Decimal | undefined
  readonly remainingQuantity: Decimal | undefined
  readonly price: Decimal | undefined
  readonly stopPrice: Decimal | undefined
  readonly orderType: string | undefined
  readonly duration: string | undefined
  readonly session: string | undefined
  readonly orderStrategyType: string | undefined
  readonly complexOrderStrategyType: string | undefined
  readonly enteredTime: Instant | undefined
  readonly closeTime: Instant | undefined
  readonly statusDescription: string | undefined
  readonly tag: string | undefined
  readonly accountNumber: string | undefined
  readonly orderLegCollection: ReadonlyArray<OrderLeg>
  readonly orderActivityCollection: ReadonlyArray<OrderActivity>
  readonly replacingOrderCollection: ReadonlyArray<SchwabOrder>
  readonly childOrderStrategies: ReadonlyArray<SchwabOrder>
}

const isSchwabOrder = (u: unknown): u is SchwabOrder =>
  isObject(u) &&
  isObject((u as SchwabOrder).status) &&
  Array.isArray((u as SchwabOrder).legs) &&
  Array.isArray((u as SchwabOrder).activities) &&
  Array.isArray((u as SchwabOrder).childOrders) &&
  Array.isArray((u as SchwabOrder).replacingOrders)

const orderOf = (w: WireOrderFields): SchwabOrder => ({
  ...opt("orderId", w.orderId),
  status: w.status,
  ...opt("quantity", w.quantity),
  ...opt("filledQuantity", w.filledQuantity),
  ...opt("remainingQuantity", w.remainingQuantity),
  ...opt("price", w.price),
  ...opt("stopPrice", w.stopPrice),
  ...opt("orderType", w.orderType),
  ...opt("duration", w.duration),
  ...opt("session", w.session),
  ...opt("orderStrategyType", w.orderStrategyType),
  ...opt("complexOrderStrategyType", w.complexOrderStrategyType),
  ...opt("enteredTime", w.enteredTime),
  ...opt("closeTime", w.closeTime),
  ...opt("statusDescription", w.statusDescription),
  ...opt("tag", w.tag),
  legs: w.orderLegCollection,
  activities: w.orderActivityCollection,
  replacingOrders: w.replacingOrderCollection,
  childOrders: w.childOrderStrategies
})

const fieldsOf = (o: SchwabOrder): WireOrderFields => ({
  orderId: o.orderId,
  status: o.status,
  quantity: o.quantity,
  filledQuantity: o.filledQuantity,
  remainingQuantity: o.remainingQuantity,
  price: o.price,
  stopPrice: o.stopPrice,
  orderType: o.orderType,
  duration: o.duration,
  session: o.session,
  orderStrategyType: o.orderStrategyType,
  complexOrderStrategyType: o.complexOrderStrategyType,
  enteredTime: o.enteredTime,
  closeTime: o.closeTime,
  statusDescription: o.statusDescription,
  tag: o.tag,
  accountNumber: undefined,
  orderLegCollection: o.legs,
  orderActivityCollection: o.activities,
  replacingOrderCollection: o.replacingOrders,
  childOrderStrategies: o.childOrders
})

/**
 * io-ts codec from a wire `Order` (as parsed by `parseLosslessJson`, or by `JSON.parse`
 * when ids are small) to {@link SchwabOrder}. Encoding gives the wire shape with numbers
 * as `LosslessNumber` and no `accountNumber`.
 *
 * @since 0.1.0
 * @category codecs
 */
export const SchwabOrderFromWire: t.Type<SchwabOrder, WireOrderJson, unknown> = t.recursion("Order", () =>
  mapped(
    "Order",
    struct(
      {
        orderId: optional(OrderIdFromWire),
        status: statusOrUnknown,
        quantity: optional(NonNegativeDecimalFromWire),
        filledQuantity: optional(NonNegativeDecimalFromWire),
        remainingQuantity: optional(NonNegativeDecimalFromWire),
        price: optional(DecimalFromWire),
        stopPrice: optional(DecimalFromWire),
        orderType: optional(t.string),
        duration: optional(t.string),
        session: optional(t.string),
        orderStrategyType: optional(t.string),
        complexOrderStrategyType: optional(t.string),
        enteredTime: optional(InstantFromWire),
        closeTime: optional(InstantFromWire),
        statusDescription: optional(t.string),
        tag: optional(t.string),
        accountNumber: optional(AccountNumberFromWire),
        orderLegCollection: arrayOrEmpty(OrderLegFromWire),
        orderActivityCollection: arrayOrEmpty(OrderActivityFromWire),
        replacingOrderCollection: arrayOrEmpty(SchwabOrderFromWire),
        childOrderStrategies: arrayOrEmpty(SchwabOrderFromWire)
      },
      "Order"
    ),
    isSchwabOrder,
    orderOf,
    fieldsOf
  )
)

/**
 * Why an order body could not be read: `path` is the first bad field
 * (`orderActivityCollection.0.executionLegs.1.price`, `<root>` for the body itself),
 * `message` lists up to five problems as `path: problem`. `orderId` is set when the body
 * had a readable one.
 *
 * @since 0.1.0
 * @category errors
 */
export interface OrderDecodeError {
  readonly _tag: "OrderDecodeError"
  readonly path: string
  readonly message: string
  readonly problems: ReadonlyArray<DecodeProblem>
  readonly orderId?: string
}

const orderDecodeError = (problems: ReadonlyArray<DecodeProblem>, orderId?: string): OrderDecodeError => ({
  _tag: "OrderDecodeError",
  path: problems[0]?.path ?? "<root>",
  message: problems.slice(0, 5).map(formatProblem).join("; "),
  problems,
  ...opt("orderId", orderId)
})

/**
 * The order id of a raw (parsed, undecoded) order value when it is readable, for reports
 * about an order that did not decode.
 *
 * @since 0.1.0
 * @category decoding
 */
export const readableOrderId = (u: unknown): string | undefined => {
  if (!isObject(u)) return undefined
  const id = OrderIdFromWire.decode((u as { orderId?: unknown }).orderId)
  return E.isRight(id) ? id.right : undefined
}

/**
 * Decodes an already-parsed wire order. Never throws: a value nested too deeply to walk
 * is an error like any other.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeOrderValue = (u: unknown): E.Either<OrderDecodeError, SchwabOrder> => {
  try {
    const result = SchwabOrderFromWire.decode(u)
    return E.isRight(result)
      ? result
      : E.left(orderDecodeError(decodeProblems(result.left), readableOrderId(u)))
  } catch (e) {
    // Only a stack overflow on absurd nesting can get here; it is reported, not thrown.
    const why = e instanceof RangeError ? "order nested too deeply to read" : "order could not be read"
    return E.left(orderDecodeError([{ path: "<root>", message: why }], readableOrderId(u)))
  }
}

/**
 * Decodes the text of one order (`GET /accounts/{hash}/orders/{orderId}`) without losing
 * digits. Never throws.
 *
 * @example
 * import { decodeOrder } from "@fill-tracker/domain"
 * // Right: orderId "1004055538123456789" (every digit), status { _tag: "Known", value: "FILLED" }
 * decodeOrder('{"orderId": 1004055538123456789, "status": "FILLED"}')
 * // Left: path "quantity", message 'quantity: not a decimal number: "abc"'
 * decodeOrder('{"orderId": 1, "status": "FILLED", "quantity": "abc"}')
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeOrder = (text: string): E.Either<OrderDecodeError, SchwabOrder> => {
  const json = parseLosslessJson(text)
  return E.isLeft(json)
    ? E.left(orderDecodeError([{ path: "<root>", message: json.left.message }]))
    : decodeOrderValue(json.right)
}

/**
 * The order as wire JSON text (ids and decimals as exact JSON numbers, times as
 * `2025-08-29T17:15:18+0000`, no account number): what `decodeOrder` reads back.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeOrder = (order: SchwabOrder): string =>
  stringify(SchwabOrderFromWire.encode(order)) ?? "null"
