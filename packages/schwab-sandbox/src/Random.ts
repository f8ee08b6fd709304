/**
 * A seeded pseudo-random source (mulberry32). Every random choice the sandbox makes
 * goes through one of these, so a seed reproduces the same tokens, ids and bodies.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 @category models */
export interface Random {
  readonly seed: number
  /** Uniform in [0, 1). */
  readonly next: () => number
  /** Uniform integer in [min, max], both inclusive. */
  readonly int: (min: number, max: number) => number
  readonly pick: <A>(items: ReadonlyArray<A>) => A
  readonly chance: (probability: number) => boolean
  readonly hex: (length: number) => string
  readonly alphanumeric: (length: number) => string
  readonly uuid: () => string
  /**
   * An independent stream named by `label`. Forking never consumes this stream, so
   * adding a draw in one concern (say correlation ids) cannot shift another (order bodies).
   */
  readonly fork: (label: string) => Random
}

/** FNV-1a, enough to turn a seed and a label into a 32-bit stream seed. */
export const hash32 = (text: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/** @since 0.1.0 @category constructors */
export const makeRandom = (seed: number | string): Random => {
  const start = typeof seed === "number" ? seed >>> 0 : hash32(seed)
  let state = start
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1))
  const pick = <A>(items: ReadonlyArray<A>): A => {
    if (items.length === 0) throw new Error("Random.pick: empty list")
    return items[int(0, items.length - 1)] as A
  }
  const fromAlphabet = (alphabet: string, length: number): string => {
    let out = ""
    for (let i = 0; i < length; i++) out += alphabet[int(0, alphabet.length - 1)]
    return out
  }
  const hex = (length: number): string => fromAlphabet("0123456789abcdef", length)
  return {
    seed: start,
    next,
    int,
    pick,
    chance: (probability) => next() < probability,
    hex,
    alphanumeric: (length) => fromAlphabet(ALPHANUMERIC, length),
    uuid: () => `${hex(8)}-${hex(4)}-4${hex(3)}-${pick(["8", "9", "a", "b"])}${hex(3)}-${hex(12)}`,
    fork: (label) => makeRandom(hash32(`${start}/${label}`))
  }
}
