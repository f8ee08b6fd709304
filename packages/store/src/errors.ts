/**
 * The store's failure families: a tagged class each, with a literal `reason`, a message
 * and the original `cause` (STYLE.md "Shell errors"). No payload text or account data is
 * copied into a message: positions, stream ids and versions are enough to find a row.
 *
 * @since 0.1.0
 */
import type { ExecutionId } from "@fill-tracker/domain"
import * as Data from "effect/Data"

/**
 * The store could not do what was asked. `Sql`: a statement failed; `Busy`: another
 * connection held the write lock past the busy timeout (after retries); `Constraint`: a
 * CHECK, foreign key or unique constraint refused a write (the whole append rolled back);
 * `Projection`: a stream does not start with `Submitted`; `CorruptRow`: a read-model row
 * did not decode; `Open`: the file could not be opened; `InvalidArgument`: e.g. a
 * negative expected version.
 *
 * @since 0.1.0
 * @category errors
 */
export class StoreError extends Data.TaggedError("StoreError")<{
  readonly reason: "Sql" | "Busy" | "Constraint" | "Projection" | "CorruptRow" | "Open" | "InvalidArgument"
  readonly detail: string
  readonly cause?: unknown
}> {
  override get message(): string {
    return `${this.reason}: ${this.detail}`
  }
}

/**
 * The stream was not at the version the caller expected: another writer moved it on.
 * Nothing of the failed append was written.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConcurrencyError extends Data.TaggedError("ConcurrencyError")<{
  readonly reason: "WrongExpectedVersion"
  readonly streamId: ExecutionId
  readonly expectedVersion: number
  /** The version found, when it could be read (0 when the stream does not exist). */
  readonly actualVersion: number | undefined
  readonly cause?: unknown
}> {
  override get message(): string {
    return `stream ${this.streamId} is at version ${this.actualVersion ?? "unknown"}, expected ${this.expectedVersion}`
  }
}

/**
 * A stored event no longer decodes with the domain's codec (or its row is malformed).
 * Names the global position, stream and version so the row can be found and repaired.
 *
 * @since 0.1.0
 * @category errors
 */
export class CorruptEventError extends Data.TaggedError("CorruptEventError")<{
  readonly reason: "UndecodablePayload" | "MalformedRow"
  readonly position: bigint
  readonly streamId: string
  readonly version: number
  readonly detail: string
  readonly cause?: unknown
}> {
  override get message(): string {
    return `event at position ${this.position} (stream ${this.streamId} version ${this.version}) is corrupt: ${this.detail}`
  }
}

/**
 * One Schwab order belongs to at most one execution: the append would make `streamId`
 * follow `orderId` (as its submitted order or a replacement), which `followedBy` already
 * follows. Checked inside the append's transaction, so two processes cannot both record it;
 * nothing of the append was written.
 *
 * @since 0.3.0
 * @category errors
 */
export class OrderAlreadyFollowed extends Data.TaggedError("OrderAlreadyFollowed")<{
  readonly orderId: string
  readonly streamId: ExecutionId
  /** The execution that follows the order already. */
  readonly followedBy: ExecutionId
}> {
  override get message(): string {
    return `order ${this.orderId} is already followed by execution ${this.followedBy}; execution ${this.streamId} cannot follow it too`
  }
}

/**
 * The store was refused before anything was written. `MissingFile`: a command that only
 * reads was pointed at a SQLite file that does not exist (it is not created); `NewerSchema`:
 * the store was migrated by a newer binary (`storeVersion` past `binaryVersion`), which this
 * one must not write to; `Corrupt`: SQLite's integrity check (or opening the file) found it
 * damaged.
 *
 * @since 0.3.0
 * @category errors
 */
export class StoreRefused extends Data.TaggedError("StoreRefused")<{
  readonly reason: "MissingFile" | "NewerSchema" | "Corrupt"
  readonly detail: string
  /** The newest migration the store has (`NewerSchema`). */
  readonly storeVersion?: number
  /** The newest migration this binary knows (`NewerSchema`). */
  readonly binaryVersion?: number
  readonly cause?: unknown
}> {
  override get message(): string {
    return this.detail
  }
}
