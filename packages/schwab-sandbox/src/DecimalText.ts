/**
 * Quantities and prices stay decimal text. Where the sandbox must add or compare
 * quantities it uses integers scaled by 10^9, so no float ever touches them.
 *
 * @since 0.1.0
 */

const SCALE = 9
const FACTOR = 10n ** BigInt(SCALE)
const DECIMAL = /^(\d+)(?:\.(\d+))?$/

/** @since 0.1.0 @category guards */
export const isDecimalText = (text: string): boolean => {
  const match = DECIMAL.exec(text)
  return match !== null && (match[2] ?? "").length <= SCALE
}

/** Parses non-negative decimal text into scaled units; throws on anything else. */
export const toUnits = (text: string): bigint => {
  const match = DECIMAL.exec(text)
  const fraction = match?.[2] ?? ""
  if (match === null || fraction.length > SCALE) throw new Error(`not a decimal: ${JSON.stringify(text)}`)
  return BigInt(match[1] ?? "0") * FACTOR + BigInt(fraction.padEnd(SCALE, "0"))
}

/** The shortest decimal text of scaled units: 3000000000n gives "3", 500000000n gives "0.5". */
export const fromUnits = (units: bigint): string => {
  const sign = units < 0n ? "-" : ""
  const abs = units < 0n ? -units : units
  const whole = abs / FACTOR
  const fraction = (abs % FACTOR).toString().padStart(SCALE, "0").replace(/0+$/, "")
  return fraction === "" ? `${sign}${whole}` : `${sign}${whole}.${fraction}`
}

/** @since 0.1.0 @category utils */
export const isWhole = (text: string): boolean => toUnits(text) % FACTOR === 0n

/**
 * Decimal text of a number that arrived in a request body. JavaScript prints the
 * shortest text that round-trips, which is the text the client sent for any
 * ordinary quantity or price; exponent forms are refused rather than guessed.
 */
export const numberToDecimalText = (value: number): string | undefined => {
  if (!Number.isFinite(value) || value < 0) return undefined
  const text = String(value)
  return isDecimalText(text) ? text : undefined
}

/** Always shows a fraction, as Schwab prints prices: "150" gives "150.0". */
export const withFraction = (text: string): string => (text.includes(".") ? text : `${text}.0`)
