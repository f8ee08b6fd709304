/**
 * Timings of the streamer client. Defaults follow what was observed (heartbeats every
 * ~10 s, streamer.md §3) and what keeps two processes from fighting over the one
 * connection a user may hold (a takeover waits ten minutes before trying again).
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"

/** @since 0.1.0 @category models */
export interface StreamerConfig {
  /** Reconnect when nothing (not even a heartbeat) arrived for this long. */
  readonly heartbeatTimeout: Duration.Duration
  /** How long LOGIN and SUBS may take to be answered. */
  readonly answerTimeout: Duration.Duration
  /** How long the socket may take to open. */
  readonly openTimeout: Duration.Duration
  /** First reconnect delay; doubled per failed attempt up to `backoffMax`, then jittered (half to all of it). */
  readonly backoffInitial: Duration.Duration
  readonly backoffMax: Duration.Duration
  /** A connection that streamed this long resets the backoff. */
  readonly stableAfter: Duration.Duration
  /** Wait after another connection took over (code 12) before trying again. */
  readonly takeoverRetry: Duration.Duration
  /** How often the access token is compared with the one logged in with (a refresh means LOGIN again). */
  readonly tokenCheckInterval: Duration.Duration
  /** How many recent content keys are remembered to recognise duplicates. */
  readonly duplicateWindow: number
  /**
   * Longest message read, in bytes (SCHWAB_STREAMER_MAX_FRAME_BYTES in the app): a longer one,
   * or a fragmented one that never ends, closes the connection (`FrameTooLarge`) before it is
   * buffered, and the client reconnects.
   */
  readonly maxFrameBytes: number
}

/**
 * The default `maxFrameBytes`, 4 MiB: an account-activity frame holds at most a few dozen items
 * of a few kilobytes each (streamer.md §4), so this is hundreds of times the largest seen.
 *
 * @since 0.1.0
 * @category constructors
 */
export const DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024

/** @since 0.1.0 @category constructors */
export const defaults: StreamerConfig = {
  heartbeatTimeout: Duration.seconds(35),
  answerTimeout: Duration.seconds(10),
  openTimeout: Duration.seconds(10),
  backoffInitial: Duration.seconds(1),
  backoffMax: Duration.minutes(2),
  stableAfter: Duration.minutes(1),
  takeoverRetry: Duration.minutes(10),
  tokenCheckInterval: Duration.minutes(1),
  duplicateWindow: 4096,
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES
}
