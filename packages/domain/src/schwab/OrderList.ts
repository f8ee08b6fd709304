/**
 * An account's order list, decoded element by element.
 *
 * The list holds every order in the account, not only the bot's: spreads, OCO and
 * TRIGGER trees, shells, orders years old. One element that does not decode is reported
 * and skipped; it never hides the others.
 *
 * @since 0.1.0
 */
import * as E from "fp-ts/lib/Either.js"
import type { SchwabOrder } from "../SchwabOrder.js"
import { parseLosslessJson } from "./LosslessJson.js"
import { decodeOrderValue } from "./OrderCodec.js"
import { AccountNumberFromWire } from "./wire.js"

/**
 * A list element that did not decode: its position, its order id when readable, the
 * first bad field's path and every problem as `path: problem`.
 *
 * @since 0.1.0
 * @category models
 */
export interface SkippedOrder {
  readonly index: number
  readonly orderId?: string
  readonly path: string
  readonly message: string
}

/**
 * The orders that decoded, in list order, and the elements that were skipped.
 *
 * @since 0.1.0
 * @category models
 */
export interface DecodedOrderList {
  readonly orders: ReadonlyArray<SchwabOrder>
  readonly skipped: ReadonlyArray<SkippedOrder>
  /**
   * Each decoded order's plain `accountNumber` (same index as `orders`), undefined where
   * the element has none: what attributes an order of the all-accounts list to its
   * account. A secret: map it to its hash, never log it.
   */
  readonly accountNumbers: ReadonlyArray<string | undefined>
}

/**
 * The body as a whole is unreadable: not JSON, or not a JSON array.
 *
 * @since 0.1.0
 * @category errors
 */
export interface OrderListDecodeError {
  readonly _tag: "OrderListDecodeError"
  readonly message: string
}

const describe = (u: unknown): string => (u === null ? "null" : Array.isArray(u) ? "an array" : typeof u)

/** The element's `accountNumber` as digits (the order decoded, so it is well formed when present). */
const accountNumberOf = (element: unknown): string | undefined => {
  if (typeof element !== "object" || element === null || !("accountNumber" in element)) return undefined
  const decoded = AccountNumberFromWire.decode((element as { accountNumber: unknown }).accountNumber)
  return E.isRight(decoded) ? decoded.right : undefined
}

/**
 * Decodes an already-parsed order list. Left only when the value is not an array.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeOrderListValue = (u: unknown): E.Either<OrderListDecodeError, DecodedOrderList> => {
  if (!Array.isArray(u))
    return E.left({
      _tag: "OrderListDecodeError",
      message: `expected a JSON array of orders, got ${describe(u)}`
    })
  const orders: Array<SchwabOrder> = []
  const skipped: Array<SkippedOrder> = []
  const accountNumbers: Array<string | undefined> = []
  u.forEach((element: unknown, index) => {
    const decoded = decodeOrderValue(element)
    if (E.isRight(decoded)) {
      orders.push(decoded.right)
      accountNumbers.push(accountNumberOf(element))
    } else {
      const { orderId, path, message } = decoded.left
      skipped.push({ index, ...(orderId === undefined ? {} : { orderId }), path, message })
    }
  })
  return E.right({ orders, skipped, accountNumbers })
}

/**
 * Decodes the text of `GET /accounts/{hash}/orders` without losing digits. Left only
 * when the body is not a JSON array; bad elements are in `skipped`. Never throws.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeOrderList = (text: string): E.Either<OrderListDecodeError, DecodedOrderList> => {
  const json = parseLosslessJson(text)
  return E.isLeft(json)
    ? E.left({ _tag: "OrderListDecodeError", message: json.left.message })
    : decodeOrderListValue(json.right)
}
