/**
 * Why one streamer connection ended. The client reconnects after each of them (slowly after
 * `TakenOver`); they reach callers only through the status and the events.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"

/**
 * `reason`: `Unavailable` (no streamer info), `Open` (the socket did not open), `Closed`
 * (the socket closed; `code` is the close code), `LoginDenied` (code 3: the token was
 * refused), `LoginFailed` / `SubscribeFailed` (another code), `HeartbeatMissed` (nothing
 * heard within the timeout), `TakenOver` (code 12: another connection logged in as this
 * user), `Stopped` (code 30), `FrameTooLarge` (a message over `maxFrameBytes`, `limit`; the
 * connection was closed before it was read). `detail` holds Schwab's text, never a token or an id.
 *
 * @since 0.1.0
 * @category errors
 */
export class StreamerError extends Data.TaggedError("StreamerError")<{
  readonly reason:
    | "Unavailable"
    | "Open"
    | "Closed"
    | "LoginDenied"
    | "LoginFailed"
    | "SubscribeFailed"
    | "HeartbeatMissed"
    | "TakenOver"
    | "Stopped"
    | "FrameTooLarge"
  readonly detail: string
  readonly code?: number | undefined
  /** `FrameTooLarge`: the byte limit the message went over. */
  readonly limit?: number | undefined
  readonly cause?: unknown
}> {
  override get message(): string {
    return `Schwab streamer ${this.reason}${this.code === undefined ? "" : ` (code ${this.code})`}: ${this.detail}`
  }
}
