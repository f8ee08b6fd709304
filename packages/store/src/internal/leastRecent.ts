/**
 * Choosing the least recently used entries of Replay's fold cache.
 *
 * Recency is the number of the page that last touched an entry. The oldest are found by
 * counting entries per page when evicting (rare), instead of keeping the Map in use order
 * with a delete and re-insert on every entry's first touch in a page: that bookkeeping
 * measured ~4% of a rebuild whose streams are interleaved, and most stores never evict.
 */

/** An entry that remembers the page that last touched it (0 to `lastPage`). */
export interface Touched {
  readonly page: number
}

/**
 * The keys of the `count` entries touched longest ago (all of them if fewer); entries of
 * the same page are taken in the Map's order.
 */
export const leastRecent = <K, V extends Touched>(
  entries: ReadonlyMap<K, V>,
  count: number,
  lastPage: number
): Array<K> => {
  if (count <= 0) return []
  const perPage = new Array<number>(lastPage + 1).fill(0)
  for (const entry of entries.values()) perPage[entry.page] = (perPage[entry.page] ?? 0) + 1
  // Every entry of a page before `cutoff` goes, and the first `atCutoff` of page `cutoff`.
  let cutoff = 0
  let atCutoff = count
  while (cutoff <= lastPage && (perPage[cutoff] ?? 0) < atCutoff) atCutoff -= perPage[cutoff++] ?? 0
  const out: Array<K> = []
  for (const [key, entry] of entries) {
    if (entry.page < cutoff) out.push(key)
    else if (entry.page === cutoff && atCutoff > 0) {
      out.push(key)
      atCutoff--
    }
  }
  return out
}
