/**
 * The query of the order-list routes, with Schwab's rules: both bounds required,
 * strictly `yyyy-MM-dd'T'HH:mm:ss.SSSZ`, from not after to, at most 60 days apart.
 *
 * @since 0.1.0
 */
import { KNOWN_ORDER_STATUSES } from "@fill-tracker/domain"

/** @since 0.1.0 @category models */
export interface ListQuery {
  readonly from: number
  readonly to: number
  readonly status?: string
  readonly maxResults: number
}

// The spec's status enum is the domain's; the sandbox validates against the same list.
const STATUSES: ReadonlyArray<string> = KNOWN_ORDER_STATUSES

/** @since 0.1.0 @category constants */
export const MAX_WINDOW_MS = 60 * 24 * 60 * 60 * 1000

// `Z` is Java's zone pattern: a literal Z or a +HHmm offset; no other precision passes.
const TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})(Z|[+-]\d{4})$/

/** Epoch ms of a time in Schwab's query format, or undefined. @since 0.1.0 @category parsing */
export const parseQueryTime = (text: string): number | undefined => {
  const match = TIME.exec(text)
  if (match === null) return undefined
  const [, y, mo, d, h, mi, s, ms, zone = "Z"] = match
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`
  const utc = Date.parse(iso)
  // Date.parse rolls 2025-02-30 over into March; a real calendar date prints back the same.
  if (!Number.isFinite(utc) || new Date(utc).toISOString() !== iso) return undefined
  if (zone === "Z") return utc
  const sign = zone.startsWith("-") ? -1 : 1
  const offset = (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) * 60_000
  return utc - sign * offset
}

/** @since 0.1.0 @category parsing */
export const parseListQuery = (
  params: URLSearchParams
): { ok: true; query: ListQuery } | { ok: false; errors: ReadonlyArray<string> } => {
  const errors: Array<string> = []
  const bound = (name: string): number | undefined => {
    const text = params.get(name)
    if (text === null || text === "") {
      errors.push(`${name} is required`)
      return undefined
    }
    const at = parseQueryTime(text)
    if (at === undefined) errors.push(`${name} must be in the format yyyy-MM-dd'T'HH:mm:ss.SSSZ`)
    return at
  }
  const from = bound("fromEnteredTime")
  const to = bound("toEnteredTime")
  if (from !== undefined && to !== undefined) {
    if (from > to) errors.push("fromEnteredTime must not be after toEnteredTime")
    else if (to - from > MAX_WINDOW_MS)
      errors.push("fromEnteredTime and toEnteredTime must be within 60 days")
  }
  const status = params.get("status") ?? undefined
  if (status !== undefined && !STATUSES.includes(status))
    errors.push(`status must be one of ${STATUSES.join(", ")}`)
  const maxText = params.get("maxResults")
  const maxResults = maxText === null ? 3000 : /^[1-9]\d{0,8}$/.test(maxText) ? Number(maxText) : undefined
  if (maxResults === undefined) errors.push("maxResults must be a positive integer")
  if (errors.length > 0 || from === undefined || to === undefined || maxResults === undefined) {
    return { ok: false, errors }
  }
  return { ok: true, query: { from, to, maxResults, ...(status === undefined ? {} : { status }) } }
}
