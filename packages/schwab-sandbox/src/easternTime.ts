/**
 * The streamer's `DateTimeString`s: US Eastern wall time without a zone,
 * `YYYY-MM-DD HH:MM:SS.mmm` (shared/schwab/streamer.md §4 "Timestamps"), daylight
 * saving included, so a client that reads them as UTC is caught.
 *
 * @since 0.1.0
 */

const format = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/New_York",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23"
})

const parts = (epochMs: number): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const part of format.formatToParts(new Date(epochMs))) out[part.type] = part.value
  return out
}

/** `2024-07-11 11:39:41.893` for 2024-07-11T15:39:41.893Z. */
export const easternDateTime = (epochMs: number): string => {
  const p = parts(epochMs)
  const millis = String(((epochMs % 1000) + 1000) % 1000).padStart(3, "0")
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}.${millis}`
}

/** `2024-07-11`, the date-only fields (`ExpiryTimeStamp`, `PlanSubmitDate`). */
export const easternDate = (epochMs: number): string => {
  const p = parts(epochMs)
  return `${p.year}-${p.month}-${p.day}`
}

/** A `{"DateTimeString": …}` object. */
export const stamp = (text: string): { readonly DateTimeString: string } => ({ DateTimeString: text })
