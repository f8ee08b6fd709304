/**
 * Human durations for configuration: `15s`, `1500ms`, `2m`, `1h`, or a bare number of
 * seconds (`15`). Whole milliseconds only; the result is an integer, never a float.
 */
const UNIT_MS: Record<string, bigint> = {
  ms: 1n,
  s: 1000n,
  sec: 1000n,
  m: 60_000n,
  min: 60_000n,
  h: 3_600_000n
}

const DURATION = /^(\d{1,9})(?:\.(\d{1,3}))?\s*(ms|s|sec|m|min|h)?$/

/** Milliseconds, or `undefined` when the text is not a duration. */
export const parseDurationMs = (text: string): number | undefined => {
  const m = DURATION.exec(text.trim().toLowerCase())
  if (m === null) return undefined
  const [, whole = "0", frac = "", unit = "s"] = m
  const perUnit = UNIT_MS[unit]
  if (perUnit === undefined) return undefined
  // Scale the fraction by the unit exactly, then require a whole number of milliseconds.
  const scaled = BigInt(whole + frac.padEnd(3, "0")) * perUnit
  if (scaled % 1000n !== 0n) return undefined
  return Number(scaled / 1000n)
}

/** `15000` → `"15s"`, `1500` → `"1500ms"`: the shortest exact spelling, for help and logs. */
export const formatDurationMs = (ms: number): string =>
  ms % 3_600_000 === 0 && ms > 0
    ? `${ms / 3_600_000}h`
    : ms % 60_000 === 0 && ms > 0
      ? `${ms / 60_000}m`
      : ms % 1000 === 0
        ? `${ms / 1000}s`
        : `${ms}ms`
