import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { leastRecent } from "../src/internal/leastRecent.js"
import { numRuns } from "./support/histories.js"

describe("leastRecent (Replay's cache eviction)", () => {
  it("takes the entries of the oldest pages first, in Map order within a page", () => {
    const cache = new Map([
      ["a", { page: 3 }],
      ["b", { page: 1 }],
      ["c", { page: 2 }],
      ["d", { page: 1 }],
      ["e", { page: 0 }],
      ["f", { page: 2 }]
    ])
    assert.deepStrictEqual(leastRecent(cache, 0, 3), [])
    assert.deepStrictEqual(leastRecent(cache, 1, 3), ["e"])
    assert.deepStrictEqual(leastRecent(cache, 2, 3), ["b", "e"])
    assert.deepStrictEqual(leastRecent(cache, 4, 3), ["b", "c", "d", "e"])
    assert.deepStrictEqual(leastRecent(cache, 6, 3), ["a", "b", "c", "d", "e", "f"])
    assert.deepStrictEqual(leastRecent(cache, 9, 3), ["a", "b", "c", "d", "e", "f"])
  })

  it("property: exactly `count` entries (or all), none touched later than one kept", () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 20 }), { maxLength: 60 }), fc.nat({ max: 70 }), (pages, count) => {
        const cache = new Map(pages.map((page, i) => [i, { page }]))
        const out = leastRecent(cache, count, 20)
        assert.strictEqual(out.length, Math.min(count, pages.length))
        assert.strictEqual(new Set(out).size, out.length)
        const taken = new Set(out)
        const newestTaken = Math.max(-1, ...out.map((k) => pages[k] as number))
        const oldestKept = Math.min(Infinity, ...pages.filter((_, i) => !taken.has(i)))
        assert.isTrue(newestTaken <= oldestKept)
      }),
      { numRuns: numRuns(200) }
    )
  })
})
