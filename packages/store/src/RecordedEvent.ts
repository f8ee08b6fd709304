/**
 * An event as the store hands it back: the decoded domain event with its place in the
 * global order and in its stream.
 *
 * @since 0.1.0
 */
import type { ExecutionId, TradeEvent } from "@fill-tracker/domain"

/** @since 0.1.0 @category models */
export interface RecordedEvent {
  /** Global position: total order over all streams, increasing with commit order on SQLite. */
  readonly position: bigint
  readonly streamId: ExecutionId
  /** 1-based version within the stream. */
  readonly version: number
  readonly event: TradeEvent
  readonly metadata: Record<string, unknown>
  readonly recordedAt: Date
}

/** What a successful append returns. @since 0.1.0 @category models */
export interface AppendResult {
  /** Pass this as `expectedVersion` to the next append on the same stream. */
  readonly nextExpectedVersion: number
  /** Global position of the last event written (of the stream's last event for an empty append). */
  readonly lastPosition: bigint
}
