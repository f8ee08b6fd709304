/**
 * An event as the store hands it back: the decoded domain event with its place in the
 * global order and in its stream.
 *
 * @since 0.1.0
 */
import type { ExecutionId, TradeEvent } from "@fill-tracker/domain"

/**
 * What the read-model fold reads of a recorded event (`applyEvent`, `RowFold`): Replay's
 * pages decode only this, without the global position (a `BigInt` per event) or metadata.
 *
 * @since 0.2.0
 * @category models
 */
export interface FoldedEvent {
  readonly streamId: ExecutionId
  /** 1-based version within the stream. */
  readonly version: number
  readonly event: TradeEvent
  readonly recordedAt: Date
}

/** @since 0.1.0 @category models */
export interface RecordedEvent extends FoldedEvent {
  /** Global position: total order over all streams, increasing with commit order on SQLite. */
  readonly position: bigint
  readonly metadata: Record<string, unknown>
}

export interface AppendResult {
  /** Pass this as `expectedVersion` to the next append on the same stream. */
  readonly nextExpectedVersion: number
  /** Global position of the last event written (of the stream's last event for an empty append). */
  readonly lastPosition: bigint
}
