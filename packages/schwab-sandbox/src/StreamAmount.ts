/**
 * Amounts as the streamer writes them: protobuf-net `bcl.Decimal` objects printed
 * the proto3-JSON way, `{"lo":"<digits>","signScale":<2 × scale + sign bit>}`, with
 * zero members left out (shared/schwab/streamer.md §5). Built from decimal text and
 * scaled integers only, so no amount ever passes through a float.
 *
 * @since 0.1.0
 */
import { fromUnits, toUnits } from "./DecimalText.js"
import type { JsonValue } from "./JsonText.js"

/** Schwab writes prices, quantities and money at six decimals (`signScale` 12 or 13). */
const STREAM_SCALE = 6

/**
 * `{lo, signScale}` of non-negative decimal text, negated when `negative`: 213.4091
 * gives `{"lo":"213409100","signScale":12}`, 0 gives `{"signScale":12}`. Text with
 * more than six decimals keeps them all (a larger scale), never rounds.
 */
export const streamAmount = (text: string, negative = false): JsonValue => {
  const normal = fromUnits(toUnits(text))
  const [whole = "0", fraction = ""] = normal.split(".")
  const scale = Math.max(STREAM_SCALE, fraction.length)
  const lo = BigInt(`${whole}${fraction.padEnd(scale, "0")}`)
  const signScale = 2 * scale + (negative && lo !== 0n ? 1 : 0)
  return lo === 0n ? { signScale } : { lo: lo.toString(), signScale }
}

/** A count at scale 0, as quote sizes are written: `{"lo":"200"}`. */
export const streamCount = (count: number): JsonValue => (count === 0 ? {} : { lo: String(count) })

const FACTOR = 10n ** 9n

/** `n / d` rounded half up, both positive. */
const divideRounded = (n: bigint, d: bigint): bigint => (2n * n + d) / (2n * d)

/** quantity × price as decimal text, rounded half up to `decimals` places. */
export const product = (quantity: string, price: string, decimals: number): string => {
  const exact = toUnits(quantity) * toUnits(price) // scale 18
  return fromUnits(divideRounded(exact, FACTOR * 10n ** BigInt(9 - decimals)) * 10n ** BigInt(9 - decimals))
}

/** Σ(quantity × price) / Σ quantity, rounded half up to six decimals; "0" without executions. */
export const averagePrice = (
  executions: ReadonlyArray<{ readonly quantity: string; readonly price: string }>
): string => {
  let notional = 0n
  let quantity = 0n
  for (const execution of executions) {
    notional += toUnits(execution.quantity) * toUnits(execution.price)
    quantity += toUnits(execution.quantity)
  }
  if (quantity === 0n) return "0"
  const step = 10n ** BigInt(9 - STREAM_SCALE)
  return fromUnits(divideRounded(notional, quantity * step) * step)
}
