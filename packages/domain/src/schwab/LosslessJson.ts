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
 * Parses JSON text keeping every number as its exact text (`LosslessNumber`). Never
 * throws: malformed, truncated or empty text is a `JsonParseError` naming the position.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseLosslessJson = (text: string): E.Either<JsonParseError, unknown> => {
  if (typeof text !== "string")
    return E.left({ _tag: "JsonParseError", message: `expected JSON text, got ${typeof text}` })
  try {
    return E.right(parse(text))
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
