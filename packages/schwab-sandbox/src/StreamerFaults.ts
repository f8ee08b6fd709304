/**
 * Faults for the sandbox streamer, injected like the HTTP faults (Faults.ts) and
 * fired by count or on a seeded coin. Each is drawn per account-activity item a
 * connection is about to receive, except `loginDenied`, drawn per LOGIN.
 *
 * @since 0.1.0
 */
import { FaultTable, type Firing } from "./Faults.js"

/**
 * - `drop`: the TCP connection is destroyed instead of sending the item (no close frame)
 * - `duplicate`: the item is sent twice, the copy with the next `seq`, as in a real capture
 * - `skipSeq`: `seq` jumps by `by` (default 1) before the item; nothing is lost
 * - `lose`: the item is never sent, but its `seq` is used (a real gap)
 * - `delay`: the frame with the item, and everything after it, waits `delayMs` of real time
 * - `unknownMessage`: an unknown message goes out before the item (`variant`, below)
 * - `kickOff`: code 12 ("another connection for this username") and the connection closes
 * - `stall`: the connection stays open but nothing more is sent, heartbeats included
 * - `loginDenied`: a LOGIN is denied with code 3 as if its token had expired
 *
 * @since 0.1.0
 * @category models
 */
export type StreamFaultKind =
  | "drop"
  | "duplicate"
  | "skipSeq"
  | "lose"
  | "delay"
  | "unknownMessage"
  | "kickOff"
  | "stall"
  | "loginDenied"

/**
 * - `notice`: an ACCT_ACTIVITY item with type `""` and plain text `"3"` ("Feature not
 *   supported", QuantConnect/Lean issue #9038)
 * - `activityType`: an item of a type no capture shows (`OrderMonitorCreated`)
 * - `topLevel`: a frame whose only key is none of `response`, `notify`, `data`
 *
 * @since 0.1.0
 * @category models
 */
export type UnknownVariant = "notice" | "activityType" | "topLevel"

/** @since 0.1.0 @category models */
export interface StreamFaultSpec extends Firing {
  readonly kind: StreamFaultKind
  /** `skipSeq`: how far `seq` jumps (default 1). */
  readonly by?: number
  /** `delay`: real milliseconds (default 1000). */
  readonly delayMs?: number
  /** `unknownMessage`: which unknown (default `activityType`). */
  readonly variant?: UnknownVariant
}

/** @since 0.1.0 @category constructors */
export class StreamFaults extends FaultTable<StreamFaultSpec> {
  /** The fault an outgoing item meets, if any. */
  takeForItem(): StreamFaultSpec | undefined {
    return this.takeWhere((spec) => spec.kind !== "loginDenied")
  }

  /** Whether this LOGIN is to be denied. */
  takeForLogin(): boolean {
    return this.takeWhere((spec) => spec.kind === "loginDenied") !== undefined
  }
}
