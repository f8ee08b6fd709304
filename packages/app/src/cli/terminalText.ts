/**
 * What the CLI prints goes through here: a store written by an older version (or by hand)
 * may hold a symbol, reason or id with control characters, and printed raw an ANSI/OSC
 * escape rewrites the operator's terminal (colours, titles, hyperlinks, a cleared screen),
 * a bidi override reorders a row, and a zero-width character makes two ids look equal.
 * C0 and C1 controls, DEL, bidi controls, zero-width and line/paragraph separators come
 * out as visible escapes; everything else is printed as it is.
 */

// C0 (tab and newline included: a table cell and a JSON line are one line), DEL, C1, the
// Arabic letter mark, zero-width and direction marks, line/paragraph separators, the bidi
// embeddings/overrides and isolates, word joiner and invisible operators, the BOM.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu

const hex = (c: string): string => (c.codePointAt(0) ?? 0).toString(16).padStart(4, "0")

/** Text for a terminal: each unsafe character as `\u{...}`. */
export const terminalText = (text: string): string => text.replace(UNSAFE, (c) => `\\u{${hex(c)}}`)

/**
 * One JSON line for a terminal: `JSON.stringify` (bigints as text) with every unsafe
 * character left in a string written as a `\uXXXX` escape, so it parses to the same value.
 */
export const terminalJson = (value: unknown): string =>
  JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v)).replace(
    UNSAFE,
    (c) => `\\u${hex(c)}`
  )
