/**
 * Field readers shared by the streamer codecs: records, integers and text as the lossless
 * parser leaves them. Not exported from the package.
 */
import { losslessNumberText } from "../schwab/LosslessJson.js"

export type Fields = Readonly<Record<string, unknown>>

/** A JSON object (not an array, not a lossless number, which is an object too). */
export const isRecord = (u: unknown): u is Fields =>
  typeof u === "object" && u !== null && !Array.isArray(u) && losslessNumberText(u) === undefined

/** A JSON integer (lossless, plain, or digits text) as a safe JS number, else undefined. */
export const integerOf = (u: unknown): number | undefined => {
  const text = losslessNumberText(u) ?? (typeof u === "string" ? u : undefined)
  if (text !== undefined) {
    if (!/^-?[0-9]{1,16}$/.test(text)) return undefined
    const n = Number(text)
    return Number.isSafeInteger(n) ? n : undefined
  }
  return typeof u === "number" && Number.isSafeInteger(u) ? u : undefined
}

/** A string, or a JSON number's exact text (enums sometimes arrive as numbers: `7`, `8`). */
export const textOf = (u: unknown): string | undefined => (typeof u === "string" ? u : losslessNumberText(u))

/** The value at a key path of nested records, or undefined. */
export const at = (u: unknown, ...path: ReadonlyArray<string>): unknown => {
  let current = u
  for (const key of path) {
    if (!isRecord(current) || !Object.hasOwn(current, key)) return undefined
    current = current[key]
  }
  return current
}

/**
 * A 64-bit hash of text (cyrb53's two lanes, both kept) as 16 hex digits: a content key for
 * duplicates that does not keep the message (which holds an account number) in memory.
 */
export const contentHash = (text: string): string => {
  let h1 = 0xdeadbeef
  let h2 = 0x41c6ce57
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i)
    h1 = Math.imul(h1 ^ ch, 2654435761)
    h2 = Math.imul(h2 ^ ch, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return (h2 >>> 0).toString(16).padStart(8, "0") + (h1 >>> 0).toString(16).padStart(8, "0")
}
