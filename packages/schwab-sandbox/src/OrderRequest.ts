/**
 * Validation of the order body of a place or replace, as strict as the spec's
 * `OrderRequest` for the single-leg orders the sandbox models. Every problem is
 * reported, each naming its field.
 *
 * @since 0.1.0
 */
import { numberToDecimalText } from "./DecimalText.js"
import type { OrderSpec } from "./OrderBook.js"

const ORDER_TYPES = [
  "MARKET",
  "LIMIT",
  "STOP",
  "STOP_LIMIT",
  "TRAILING_STOP",
  "CABINET",
  "NON_MARKETABLE",
  "MARKET_ON_CLOSE",
  "EXERCISE",
  "TRAILING_STOP_LIMIT",
  "NET_DEBIT",
  "NET_CREDIT",
  "NET_ZERO",
  "LIMIT_ON_CLOSE"
]
const SESSIONS = ["NORMAL", "AM", "PM", "SEAMLESS"]
const DURATIONS = [
  "DAY",
  "GOOD_TILL_CANCEL",
  "FILL_OR_KILL",
  "IMMEDIATE_OR_CANCEL",
  "END_OF_WEEK",
  "END_OF_MONTH",
  "NEXT_END_OF_MONTH"
]
const STRATEGIES = [
  "SINGLE",
  "CANCEL",
  "RECALL",
  "PAIR",
  "FLATTEN",
  "TWO_DAY_SWAP",
  "BLAST_ALL",
  "OCO",
  "TRIGGER"
]
const INSTRUCTIONS = [
  "BUY",
  "SELL",
  "BUY_TO_COVER",
  "SELL_SHORT",
  "BUY_TO_OPEN",
  "BUY_TO_CLOSE",
  "SELL_TO_OPEN",
  "SELL_TO_CLOSE",
  "EXCHANGE",
  "SELL_SHORT_EXEMPT"
]
const ASSET_TYPES = [
  "EQUITY",
  "MUTUAL_FUND",
  "OPTION",
  "FUTURE",
  "FOREX",
  "INDEX",
  "CASH_EQUIVALENT",
  "FIXED_INCOME",
  "PRODUCT",
  "CURRENCY",
  "COLLECTIVE_INVESTMENT"
]

/** @since 0.1.0 @category models */
export type Validated =
  | { readonly ok: true; readonly spec: OrderSpec }
  | { readonly ok: false; readonly errors: ReadonlyArray<string> }

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const positiveDecimal = (value: unknown): string | undefined => {
  const text =
    typeof value === "number" ? numberToDecimalText(value) : typeof value === "string" ? value : undefined
  return text !== undefined && /^\d+(\.\d{1,9})?$/.test(text) && /[1-9]/.test(text) ? text : undefined
}

/** @since 0.1.0 @category validation */
export const validateOrderRequest = (bodyText: string): Validated => {
  let body: unknown
  try {
    body = JSON.parse(bodyText)
  } catch {
    return { ok: false, errors: ["The request body is not valid JSON"] }
  }
  if (!isRecord(body)) return { ok: false, errors: ["The request body must be an Order object"] }
  const errors: Array<string> = []
  const oneOf = (field: string, allowed: ReadonlyArray<string>, fallback?: string): string => {
    const value = body[field] ?? fallback
    if (typeof value === "string" && allowed.includes(value)) return value
    errors.push(
      value === undefined ? `${field} is required` : `${field} must be one of ${allowed.join(", ")}`
    )
    return ""
  }
  const orderType = oneOf("orderType", ORDER_TYPES)
  const session = oneOf("session", SESSIONS)
  const duration = oneOf("duration", DURATIONS)
  const orderStrategyType = oneOf("orderStrategyType", STRATEGIES)
  if (orderStrategyType !== "" && orderStrategyType !== "SINGLE") {
    errors.push(`orderStrategyType ${orderStrategyType} is not supported by the sandbox (SINGLE only)`)
  }
  const price = body.price === undefined ? undefined : positiveDecimal(body.price)
  if (body.price !== undefined && price === undefined) errors.push("price must be a positive number")
  if ((orderType === "LIMIT" || orderType === "STOP_LIMIT") && price === undefined)
    errors.push(`price is required for a ${orderType} order`)
  const stopPrice = body.stopPrice === undefined ? undefined : positiveDecimal(body.stopPrice)
  if (body.stopPrice !== undefined && stopPrice === undefined)
    errors.push("stopPrice must be a positive number")
  if ((orderType === "STOP" || orderType === "STOP_LIMIT") && stopPrice === undefined)
    errors.push(`stopPrice is required for a ${orderType} order`)
  const legs = body.orderLegCollection
  let leg: { symbol: string; assetType: string; instruction: string; quantity: string } | undefined
  if (!Array.isArray(legs) || legs.length === 0) {
    errors.push("orderLegCollection must be a non-empty array")
  } else if (legs.length > 1) {
    errors.push("orderLegCollection: the sandbox accepts single-leg orders only")
  } else {
    const first: unknown = legs[0]
    if (!isRecord(first)) {
      errors.push("orderLegCollection[0] must be an object")
    } else {
      const instruction = typeof first.instruction === "string" ? first.instruction : ""
      if (!INSTRUCTIONS.includes(instruction)) {
        errors.push(`orderLegCollection[0].instruction must be one of ${INSTRUCTIONS.join(", ")}`)
      }
      const quantity = positiveDecimal(first.quantity)
      if (quantity === undefined) errors.push("orderLegCollection[0].quantity must be a positive number")
      const instrument = first.instrument
      let symbol = ""
      let assetType = ""
      if (!isRecord(instrument)) {
        errors.push("orderLegCollection[0].instrument is required")
      } else {
        symbol = typeof instrument.symbol === "string" ? instrument.symbol.trim() : ""
        if (symbol === "") errors.push("orderLegCollection[0].instrument.symbol is required")
        assetType = typeof instrument.assetType === "string" ? instrument.assetType : ""
        if (!ASSET_TYPES.includes(assetType)) {
          errors.push(`orderLegCollection[0].instrument.assetType must be one of ${ASSET_TYPES.join(", ")}`)
        }
      }
      if (quantity !== undefined) leg = { symbol, assetType, instruction, quantity }
    }
  }
  if (errors.length > 0 || leg === undefined) return { ok: false, errors }
  const complex = body.complexOrderStrategyType
  return {
    ok: true,
    spec: {
      symbol: leg.symbol,
      assetType: leg.assetType,
      instruction: leg.instruction,
      quantity: leg.quantity,
      orderType,
      session,
      duration,
      orderStrategyType,
      complexOrderStrategyType: typeof complex === "string" ? complex : "NONE",
      ...(price === undefined ? {} : { price }),
      ...(stopPrice === undefined ? {} : { stopPrice })
    }
  }
}
