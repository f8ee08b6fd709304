/**
 * Decoding a big order list in slices, so a caller's event loop is never held for the
 * whole body: a 2,000-order list (about 1.3 MB) takes over 100 ms to parse and decode in
 * one go. The body is cut at its top-level commas by a scan that respects strings, and
 * each slice of elements is parsed and decoded on its own with a fiber yield in between
 * (under a time-slicing scheduler, as the poller runs, that yield is an event-loop turn).
 * Anything the scan does not recognise as a plain array goes to the one-shot decoder,
 * which names the problem.
 */
import {
  type DecodedOrderList,
  decodeOrderList,
  type OrderListDecodeError,
  type SkippedOrder
} from "@fill-tracker/domain"
import * as Effect from "effect/Effect"
import type * as FpEither from "fp-ts/lib/Either.js"

/** Bodies below this size decode in one go: the slicing would cost more than it saves. */
export const chunkedAboveChars = 64 * 1024
/** Elements per slice: about 5 ms of parsing and decoding. */
export const elementsPerChunk = 100

const QUOTE = 34
const BACKSLASH = 92
const OPEN_BRACKET = 91
const CLOSE_BRACKET = 93
const OPEN_BRACE = 123
const CLOSE_BRACE = 125
const COMMA = 44

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13

/**
 * The [start, end) spans of a JSON array's top-level elements, or undefined when the text
 * is not one well-bracketed array (the one-shot decoder then reports why).
 */
export const topLevelElements = (text: string): Array<readonly [number, number]> | undefined => {
  let i = 0
  while (i < text.length && isSpace(text.charCodeAt(i))) i++
  if (text.charCodeAt(i) !== OPEN_BRACKET) return undefined
  const spans: Array<readonly [number, number]> = []
  let depth = 0
  let inString = false
  let start = i + 1
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === BACKSLASH) i++
      else if (c === QUOTE) inString = false
    } else if (c === QUOTE) inString = true
    else if (c === OPEN_BRACKET || c === OPEN_BRACE) depth++
    else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      depth--
      if (depth === 0) {
        if (text.slice(start, i).trim() !== "") spans.push([start, i])
        for (i++; i < text.length; i++) if (!isSpace(text.charCodeAt(i))) return undefined
        return spans
      }
      if (depth < 0) return undefined
    } else if (c === COMMA && depth === 1) {
      spans.push([start, i])
      start = i + 1
    }
  }
  return undefined
}

/** `decodeOrderList`, in slices of `elementsPerChunk` with a yield between them. */
export const decodeOrderListInChunks = (
  text: string
): Effect.Effect<FpEither.Either<OrderListDecodeError, DecodedOrderList>> =>
  Effect.gen(function* () {
    const spans = text.length < chunkedAboveChars ? undefined : topLevelElements(text)
    if (spans === undefined) return decodeOrderList(text)
    const orders: Array<DecodedOrderList["orders"][number]> = []
    const skipped: Array<SkippedOrder> = []
    const accountNumbers: Array<string | undefined> = []
    for (let from = 0; from < spans.length; from += elementsPerChunk) {
      const slice = spans.slice(from, from + elementsPerChunk)
      const first = slice[0] as readonly [number, number]
      const last = slice[slice.length - 1] as readonly [number, number]
      const decoded = decodeOrderList(`[${text.slice(first[0], last[1])}]`)
      // A slice that does not parse means the scan misread the body: decode it whole.
      if (decoded._tag === "Left") return decodeOrderList(text)
      orders.push(...decoded.right.orders)
      accountNumbers.push(...decoded.right.accountNumbers)
      for (const s of decoded.right.skipped) skipped.push({ ...s, index: s.index + from })
      yield* Effect.yieldNow()
    }
    return { _tag: "Right", right: { orders, skipped, accountNumbers } } as const
  })
