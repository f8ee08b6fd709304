/**
 * A small JSON writer that, unlike `JSON.stringify`, prints a bigint with every
 * digit and passes number text through verbatim. Schwab's int64 ids exceed 2^53
 * and its prices are decimal text such as `22.7299`; neither may pass through a
 * float on the way out.
 *
 * @since 0.1.0
 */

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/

/** Number text written as-is. @since 0.1.0 @category models */
export class RawNumber {
  constructor(readonly text: string) {
    if (!JSON_NUMBER.test(text)) throw new Error(`not JSON number text: ${JSON.stringify(text)}`)
  }
}

/** @since 0.1.0 @category constructors */
export const raw = (text: string): RawNumber => new RawNumber(text)

/** @since 0.1.0 @category models */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | bigint
  | RawNumber
  | ReadonlyArray<JsonValue>
  | { readonly [key: string]: JsonValue | undefined }

/** Object members whose value is `undefined` are left out, as `JSON.stringify` does. */
export const renderJson = (value: JsonValue): string => {
  if (value === null) return "null"
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false"
    case "number":
      if (!Number.isFinite(value)) throw new Error(`not a JSON number: ${value}`)
      return JSON.stringify(value)
    case "string":
      return JSON.stringify(value)
    case "bigint":
      return value.toString()
  }
  if (value instanceof RawNumber) return value.text
  if (Array.isArray(value)) return `[${value.map((item: JsonValue) => renderJson(item)).join(",")}]`
  const members: Array<string> = []
  for (const [key, member] of Object.entries(value)) {
    if (member !== undefined) members.push(`${JSON.stringify(key)}:${renderJson(member)}`)
  }
  return `{${members.join(",")}}`
}
