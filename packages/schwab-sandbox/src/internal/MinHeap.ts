/**
 * A binary min-heap on a numeric key. The activity feed keeps one entry per order
 * with something still to send, so finding what falls due is O(log n) even at
 * 10,000 open orders.
 *
 * @since 0.1.0
 */
export class MinHeap<A> {
  private readonly items: Array<{ key: number; value: A }> = []

  get size(): number {
    return this.items.length
  }

  peekKey(): number | undefined {
    return this.items[0]?.key
  }

  push(key: number, value: A): void {
    const items = this.items
    items.push({ key, value })
    let i = items.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if ((items[parent] as { key: number }).key <= key) break
      ;[items[i], items[parent]] = [
        items[parent] as { key: number; value: A },
        items[i] as { key: number; value: A }
      ]
      i = parent
    }
  }

  pop(): { readonly key: number; readonly value: A } | undefined {
    const items = this.items
    const top = items[0]
    const last = items.pop()
    if (top === undefined || last === undefined || items.length === 0) return top
    items[0] = last
    let i = 0
    for (;;) {
      const left = 2 * i + 1
      const right = left + 1
      let smallest = i
      if (left < items.length && (items[left]?.key ?? 0) < (items[smallest]?.key ?? 0)) smallest = left
      if (right < items.length && (items[right]?.key ?? 0) < (items[smallest]?.key ?? 0)) smallest = right
      if (smallest === i) return top
      ;[items[i], items[smallest]] = [
        items[smallest] as { key: number; value: A },
        items[i] as { key: number; value: A }
      ]
      i = smallest
    }
  }

  clear(): void {
    this.items.length = 0
  }
}
