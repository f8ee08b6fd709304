/**
 * Schwab response text parsed without losing digits.
 *
 * `JSON.parse` turns an order id like `1004055538123456789` into a float and drops its
 * last digits, and a price like `22.7299` into the nearest binary double. `lossless-json`
 * keeps every JSON number as its original text (a `LosslessNumber`), which the wire codecs
 * then read exactly.
 *
 * @since 0.1.0
 */
import * as E from "fp-ts/lib/Either.js"
import { isLosslessNumber, parse } from "lossless-json"

/**
 * Why a body is not JSON: `position` is the character offset the parser stopped at,
 * when it said so (a truncated body stops at its end).
 *
 * @since 0.1.0
 * @category errors
 */
export interface JsonParseError {
  readonly _tag: "JsonParseError"
  readonly message: string
  readonly position?: number
}

const POSITION = /at position (\d+)/

const describe = (e: unknown): string => {
  // A stack overflow on absurdly nested input is the one non-SyntaxError the parser raises.
  if (e instanceof RangeError) return "JSON nested too deeply to read"
  if (e instanceof Error) return e.message
  return String(e)
}

/**
 * Keys that must never come from outside input. The parser stores `__proto__` as an own
 * property, but io-ts copies decoded objects with `Object.assign`, whose `__proto__` setter
 * then makes the attacker's object the copy's prototype: its fields read as order fields.
 * `constructor` and `prototype` are dropped with it, as every prototype-pollution guard does.
 *
 * @since 0.1.0
 * @category parsing
 */
export const FORBIDDEN_JSON_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"])

// Only text that could spell a forbidden key (or hide one behind a \u escape) is walked,
// so the ordinary order list pays one scan of its text and no second pass over its values.
const MAY_HOLD_FORBIDDEN_KEY = /__proto__|constructor|prototype|\\u/

/** Deletes forbidden keys from every object of a freshly parsed value (which nobody else holds yet). */
const dropForbiddenKeys = (value: unknown): void => {
  if (typeof value !== "object" || value === null || isLosslessNumber(value)) return
  if (Array.isArray(value)) {
    for (const item of value) dropForbiddenKeys(item)
    return
  }
  const record = value as Record<string, unknown>
  for (const key of Object.keys(record)) {
    if (FORBIDDEN_JSON_KEYS.has(key)) delete record[key]
    else dropForbiddenKeys(record[key])
  }
}

/**
 * Parses JSON text keeping every number as its exact text (`LosslessNumber`). Never
 * throws: malformed, truncated or empty text is a `JsonParseError` naming the position.
 * Keys in {@link FORBIDDEN_JSON_KEYS} are dropped wherever they appear.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseLosslessJson = (text: string): E.Either<JsonParseError, unknown> => {
  if (typeof text !== "string")
    return E.left({ _tag: "JsonParseError", message: `expected JSON text, got ${typeof text}` })
  try {
    const value = parse(text)
    if (MAY_HOLD_FORBIDDEN_KEY.test(text)) dropForbiddenKeys(value)
    return E.right(value)
  } catch (e) {
    const message = describe(e)
    const at = POSITION.exec(message)?.[1]
    return E.left({
      _tag: "JsonParseError",
      message: `not valid JSON: ${message}`,
      ...(at === undefined ? {} : { position: Number(at) })
    })
  }
}

/**
 * The exact text of a JSON number read by {@link parseLosslessJson}, or `undefined` for
 * any other value.
 *
 * @since 0.1.0
 * @category parsing
 */
export const losslessNumberText = (u: unknown): string | undefined => {
  if (!isLosslessNumber(u)) return undefined
  const text = u.value
  return typeof text === "string" ? text : undefined
}
