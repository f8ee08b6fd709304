/**
 * Sequence numbers and duplicates of one client's ACCT_ACTIVITY stream.
 *
 * `seq` restarts on every SUBS (0 is `SUBSCRIBED`) and rose by exactly one per item within
 * every captured connection, so a jump within a subscription means a lost item: a gap.
 * Duplicates are recognised by content, never by `seq`: a real capture shows every event
 * twice with consecutive numbers, and after a reconnect a replay would carry new numbers.
 * The content keys of the last `window` messages are kept (across reconnects).
 */

export interface Gap {
  readonly expected: number
  readonly received: number
}

export class ActivityFilter {
  private next: number | undefined = undefined
  private readonly seen = new Map<string, true>()

  constructor(private readonly window: number) {}

  /** A SUBS succeeded: numbering starts again at 0. */
  subscribed(): void {
    this.next = 0
  }

  /**
   * Records an item's `seq`; returns the gap it reveals, if any. The first item of a
   * subscription may be 0 (`SUBSCRIBED`) or 1 (when the acknowledgement was not seen). A
   * number below the expected one is not a loss; numbering goes on from the higher one.
   */
  observe(seq: number): Gap | undefined {
    const expected = this.next
    this.next = Math.max(expected ?? 0, seq + 1)
    if (expected === undefined) return undefined
    if (expected === 0 && seq <= 1) return undefined
    return seq > expected ? { expected, received: seq } : undefined
  }

  /** Whether a message with this content key was seen recently; remembers it if not. */
  duplicate(contentKey: string): boolean {
    if (this.seen.has(contentKey)) return true
    this.seen.set(contentKey, true)
    if (this.seen.size > this.window) {
      const oldest = this.seen.keys().next()
      if (oldest.done !== true) this.seen.delete(oldest.value)
    }
    return false
  }
}
