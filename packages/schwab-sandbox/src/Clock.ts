/**
 * The sandbox's notion of "now". Token lifetimes, authorization codes and order
 * lifecycles all read it, so a manual clock makes every expiry and fill deterministic.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 @category models */
export interface RealClock {
  readonly kind: "real"
  /** Epoch milliseconds. */
  readonly now: () => number
}

/** @since 0.1.0 @category models */
export interface ManualClock {
  readonly kind: "manual"
  readonly now: () => number
  readonly advance: (ms: number) => void
  readonly set: (at: Date | number | string) => void
  /** Calls `listener` after every advance or set (the streamer sends what fell due); answers the unsubscribe. */
  readonly onChange: (listener: () => void) => () => void
}

/** @since 0.1.0 @category models */
export type SandboxClock = RealClock | ManualClock

/** A weekday morning, market hours in New York. @since 0.1.0 @category constructors */
export const DEFAULT_START = "2025-08-29T13:30:00.000Z"

const toMillis = (at: Date | number | string): number => {
  const ms = typeof at === "number" ? at : typeof at === "string" ? Date.parse(at) : at.getTime()
  if (!Number.isFinite(ms)) throw new Error(`Clock: not a time: ${String(at)}`)
  return ms
}

/** @since 0.1.0 @category constructors */
export const manualClock = (start: Date | number | string = DEFAULT_START): ManualClock => {
  let current = toMillis(start)
  const listeners = new Set<() => void>()
  const changed = () => {
    for (const listener of listeners) listener()
  }
  return {
    kind: "manual",
    now: () => current,
    advance: (ms) => {
      if (!Number.isFinite(ms) || ms < 0) throw new Error(`Clock.advance: ${ms} is not a duration`)
      current += ms
      changed()
    },
    set: (at) => {
      current = toMillis(at)
      changed()
    },
    onChange: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    }
  }
}

/** @since 0.1.0 @category constructors */
export const realClock = (): RealClock => ({ kind: "real", now: () => Date.now() })
