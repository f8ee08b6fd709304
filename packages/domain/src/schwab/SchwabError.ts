/**
 * Schwab's error bodies, read into one shape whatever form they came in.
 *
 * @since 0.1.0
 */
import * as E from "fp-ts/lib/Either.js"
import { losslessNumberText, parseLosslessJson } from "./LosslessJson.js"

/**
 * What an error body said: a headline `message` when there was one, the individual
 * `errors` as text, and the OAuth `error` code (`invalid_client`, ...) when it was a
 * token-endpoint answer.
 *
 * @since 0.1.0
 * @category models
 */
export interface SchwabErrorBody {
  readonly message?: string
  readonly errors: ReadonlyArray<string>
  readonly code?: string
}

// An error body is quoted in errors and logs: a headline of at most MAX_TEXT characters and
// errors of at most MAX_TEXT together keep any body, 100 KB or endless, to about 1 KB there.
const MAX_TEXT = 500

const text = (u: unknown): string | undefined => {
  if (typeof u !== "string") return undefined
  const trimmed = u.trim()
  if (trimmed === "") return undefined
  return trimmed.length > MAX_TEXT ? `${trimmed.slice(0, MAX_TEXT - 3)}...` : trimmed
}

const field = (u: unknown, key: string): unknown =>
  typeof u === "object" && u !== null && !Array.isArray(u) && Object.hasOwn(u, key)
    ? (u as Record<string, unknown>)[key]
    : undefined

/** `{"id","status","title","detail"}` as `title: detail` (falling back to status and id). */
const errorEntry = (u: unknown): string | undefined => {
  const plain = text(u)
  if (plain !== undefined) return plain
  // `status` is the one field seen both as text ("400") and as a number (400).
  const title = text(field(u, "title")) ?? text(field(u, "status")) ?? losslessNumberText(field(u, "status"))
  const detail = text(field(u, "detail")) ?? text(field(u, "message"))
  if (title !== undefined && detail !== undefined) return `${title}: ${detail}`
  return title ?? detail ?? text(field(u, "id"))
}

/** The errors as text, as many as fit in MAX_TEXT characters, then how many more there were. */
const entries = (u: unknown): ReadonlyArray<string> => {
  const list: ReadonlyArray<unknown> = Array.isArray(u) ? u : u === undefined ? [] : [u]
  const kept: Array<string> = []
  let length = 0
  for (const [i, e] of list.entries()) {
    const s = errorEntry(e)
    if (s === undefined) continue
    if (length + s.length > MAX_TEXT && kept.length > 0) {
      kept.push(`... and ${list.length - i} more`)
      break
    }
    kept.push(s)
    length += s.length
  }
  return kept
}

const read = (body: unknown): SchwabErrorBody => {
  if (Array.isArray(body)) return { errors: entries(body) }
  const message = text(body) ?? text(field(body, "message"))
  const errors = entries(field(body, "errors"))
  // OAuth token endpoint: {"error": "invalid_client", "error_description": "..."}
  const code = text(field(body, "error"))
  const description = text(field(body, "error_description"))
  // API gateway faults: {"fault": {"faultstring": "...", "detail": {"errorcode": "..."}}}
  const fault = text(field(field(body, "fault"), "faultstring"))
  const headline = message ?? description ?? fault ?? code
  return {
    ...(headline === undefined ? {} : { message: headline }),
    errors: errors.length > 0 ? errors : code === undefined ? [] : [code],
    ...(code === undefined ? {} : { code })
  }
}

/**
 * Reads any error body: `{"message", "errors": ["..."]}`,
 * `{"errors": [{"id","status","title","detail"}]}`, an OAuth
 * `{"error","error_description"}` or a gateway fault. Never throws; an empty or
 * unreadable body gives `{ errors: [] }`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeSchwabError = (body: string): SchwabErrorBody => {
  const json = parseLosslessJson(body)
  return E.isLeft(json) ? { errors: [] } : read(json.right)
}
