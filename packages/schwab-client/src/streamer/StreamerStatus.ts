/**
 * What the streamer client is doing, for health and metrics.
 *
 * @since 0.1.0
 */

/**
 * `connecting` (opening, logging in, subscribing), `streaming` (subscribed), `waiting`
 * (between attempts), `takenOver` (another connection logged in as this user; waiting the
 * long delay), `stopped`.
 *
 * @since 0.1.0
 * @category models
 */
export type StreamerState = "connecting" | "streaming" | "waiting" | "takenOver" | "stopped"

/** @since 0.1.0 @category models */
export interface StreamerStatus {
  readonly state: StreamerState
  /** Subscribed and hearing from the streamer. */
  readonly connected: boolean
  /** Epoch ms of the last message of any kind (heartbeats included). */
  readonly lastMessageAt: number | undefined
  /** Epoch ms the current subscription started. */
  readonly connectedSince: number | undefined
  /** Subscriptions after the first. */
  readonly reconnects: number
  /** Sequence gaps seen (each one means lost messages). */
  readonly gaps: number
  /** Messages recognised as duplicates by content. */
  readonly duplicates: number
  /** Messages received, by ACCT_ACTIVITY type or by kind (`heartbeat`, `response`, `notice`, `unknown`). */
  readonly messages: Readonly<Record<string, number>>
  /** Why the last connection ended, when it did. */
  readonly lastError: string | undefined
  /** Connections closed because a message went over `maxFrameBytes`. */
  readonly oversizedFrames: number
  /** Epoch ms of the last of them. */
  readonly lastOversizedFrameAt: number | undefined
}

/** @since 0.1.0 @category constructors */
export const initial: StreamerStatus = {
  state: "connecting",
  connected: false,
  lastMessageAt: undefined,
  connectedSince: undefined,
  reconnects: 0,
  gaps: 0,
  duplicates: 0,
  messages: {},
  lastError: undefined,
  oversizedFrames: 0,
  lastOversizedFrameAt: undefined
}
