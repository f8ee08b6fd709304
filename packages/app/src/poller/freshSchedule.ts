/**
 * When the poller should wake next. Market orders fill within seconds of submission, so a
 * freshly submitted order is worth polling a moment after it was sent (the offsets, e.g.
 * 1.5 s and 4 s) instead of waiting out the whole interval; older working orders keep the
 * regular interval. Each extra wake costs one list request per account, a small part of
 * Schwab's 120 per minute (see README-proof.md for the latency before and after).
 */

export interface FreshScheduleInput {
  readonly now: number
  /** When the last cycle started: a wake at or before it was served by that cycle. */
  readonly lastCycleStartedAt: number
  /** When the regular interval (plus jitter) ends. */
  readonly regularWakeAt: number
  /** Submission times of executions still open. */
  readonly submittedAt: ReadonlyArray<number>
  readonly offsetsMs: ReadonlyArray<number>
}

/** Milliseconds to sleep before the next cycle (0: run it now). */
export const nextDelayMs = (input: FreshScheduleInput): number => {
  let wakeAt = input.regularWakeAt
  for (const t of input.submittedAt) {
    for (const offset of input.offsetsMs) {
      const due = t + offset
      if (due > input.lastCycleStartedAt && due < wakeAt) wakeAt = due
    }
  }
  return Math.max(0, wakeAt - input.now)
}
