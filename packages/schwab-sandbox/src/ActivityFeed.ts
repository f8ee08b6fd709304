/**
 * Turns the order book into a live feed: each order's derived messages are sent
 * when the sandbox clock reaches their time, in time order across orders. A manual
 * clock sends on every advance; a real clock on a timer set for the next message due.
 * A new order's messages due before the last send (a seeded order entered in the
 * past) are never sent, and nothing is replayed: like Schwab, a listener that was not
 * connected misses what happened meanwhile.
 *
 * @since 0.1.0
 */

import { type ActivityMessage, activityMessages } from "./ActivityMessages.js"
import type { BodyContext } from "./activityBodies.js"
import type { SandboxClock } from "./Clock.js"
import { MinHeap } from "./internal/MinHeap.js"
import type { BookOrder, OrderBook } from "./OrderBook.js"

interface Cursor {
  /** Emptied once all are sent (re-derived if the order changes), to hold no more than needed. */
  messages: ReadonlyArray<ActivityMessage>
  /** Index of the next message to send. */
  next: number
  /** The due time of this order's live heap entry; other entries for it are stale. */
  scheduled: number | undefined
}

/** @since 0.1.0 @category constructors */
export class ActivityFeed {
  private readonly cursors = new Map<bigint, Cursor>()
  private readonly due = new MinHeap<bigint>()
  private readonly dirty = new Set<BookOrder>()
  /** Everything due by this time has gone to the listeners. */
  private sentUpTo: number
  private readonly listeners = new Set<(batch: ReadonlyArray<ActivityMessage>) => void>()
  private readonly unwatch: ReadonlyArray<() => void>
  private timer: ReturnType<typeof setTimeout> | undefined
  private timerAt = Number.POSITIVE_INFINITY
  private flushQueued = false
  private closed = false
  /** Every message sent so far, by type (the sandbox's own count, for benchmarks). */
  readonly sentByType = new Map<string, number>()

  constructor(
    private readonly book: OrderBook,
    private readonly clock: SandboxClock,
    private readonly ctx: BodyContext
  ) {
    this.sentUpTo = clock.now()
    const unwatchBook = book.watch((order) => this.changed(order))
    this.unwatch = clock.kind === "manual" ? [unwatchBook, clock.onChange(() => this.pump())] : [unwatchBook]
  }

  /** Calls `listener` with each batch of messages that fell due together. */
  listen(listener: (batch: ReadonlyArray<ActivityMessage>) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * An order was created or its future changed. Re-derived once the mutation that
   * caused it is over (a replace touches two orders): the sandbox pumps after each
   * request and seeded order, and a microtask catches any other change.
   */
  private changed(order: BookOrder): void {
    this.dirty.add(order)
    if (this.flushQueued) return
    this.flushQueued = true
    queueMicrotask(() => {
      this.flushQueued = false
      this.pump()
    })
  }

  private rederive(): void {
    for (const order of this.dirty) {
      const messages = activityMessages(this.book, order, this.ctx)
      const known = this.cursors.get(order.orderId)
      let next = known?.next ?? 0
      if (known === undefined)
        while (next < messages.length && (messages[next]?.at ?? 0) < this.sentUpTo) next++
      const cursor: Cursor = { messages, next: Math.min(next, messages.length), scheduled: undefined }
      this.cursors.set(order.orderId, cursor)
      this.schedule(order.orderId, cursor)
    }
    this.dirty.clear()
  }

  private schedule(orderId: bigint, cursor: Cursor): void {
    const at = cursor.messages[cursor.next]?.at
    cursor.scheduled = at
    if (at !== undefined) this.due.push(at, orderId)
  }

  /** Sends everything due by now, then sets the timer for the next. */
  pump(): void {
    if (this.closed) return
    this.rederive()
    const now = this.clock.now()
    this.sentUpTo = Math.max(this.sentUpTo, now)
    const batch: Array<{ message: ActivityMessage; source: bigint; index: number }> = []
    for (;;) {
      const key = this.due.peekKey()
      if (key === undefined || key > now) break
      const entry = this.due.pop()
      if (entry === undefined) break
      const cursor = this.cursors.get(entry.value)
      if (cursor === undefined || cursor.scheduled !== entry.key) continue
      if (this.book.get(entry.value) === undefined) {
        this.cursors.delete(entry.value)
        continue
      }
      while (cursor.next < cursor.messages.length && (cursor.messages[cursor.next]?.at ?? 0) <= now) {
        batch.push({
          message: cursor.messages[cursor.next] as ActivityMessage,
          source: entry.value,
          index: cursor.next
        })
        cursor.next++
      }
      if (cursor.next === cursor.messages.length) cursor.messages = []
      this.schedule(entry.value, cursor)
    }
    if (batch.length > 0) {
      // Time order across orders; at one instant the older order first (a replace's
      // old order before its new one), then each order's own order.
      batch.sort(
        (a, b) =>
          a.message.at - b.message.at ||
          (a.source < b.source ? -1 : a.source > b.source ? 1 : 0) ||
          a.index - b.index
      )
      const messages = batch.map((item) => item.message)
      for (const message of messages)
        this.sentByType.set(message.type, (this.sentByType.get(message.type) ?? 0) + 1)
      for (const listener of this.listeners) listener(messages)
    }
    this.arm()
  }

  private arm(): void {
    if (this.clock.kind !== "real") return
    const next = this.due.peekKey()
    if (next === undefined || next >= this.timerAt) return
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timerAt = next
    this.timer = setTimeout(
      () => {
        this.timer = undefined
        this.timerAt = Number.POSITIVE_INFINITY
        this.pump()
      },
      Math.min(Math.max(0, next - this.clock.now()), 2 ** 31 - 1)
    )
  }

  close(): void {
    this.closed = true
    for (const unwatch of this.unwatch) unwatch()
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.due.clear()
    this.listeners.clear()
  }
}
