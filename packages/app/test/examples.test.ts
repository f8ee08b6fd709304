/**
 * The examples a reader copies run, whole, as the README says to run them (node with tsx,
 * from the package directory), against the sandbox: each tracks its order to the fill and
 * exits 0. An API change that breaks an example fails here, not for the reader.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { repoRoot, startNode } from "./child.js"
import { tempDir } from "./support.js"

const appDir = path.join(repoRoot, "packages/app")

/** Runs an example with its database in a temporary directory of its own, removed after. */
const example = async (file: string) => {
  const tmp = tempDir("example")
  try {
    return await startNode(
      ["--conditions=@fill-tracker/source", "--import", "tsx", path.join("examples", file)],
      { TMPDIR: tmp },
      appDir
    ).done
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}

/** "150.2" → 15020n: a printed price in cents, exactly (the prices here have at most 2 places). */
const centsOf = (price: string): bigint => {
  const [whole = "0", frac = ""] = price.split(".")
  return BigInt(whole + frac.padEnd(2, "0"))
}

/** The order the example placed, from `placed: order N`. */
const placedOrder = (stdout: string) => {
  const m = /^placed: order (\d+)$/m.exec(stdout)
  if (m === null) throw new Error("the example printed no placed order")
  return m[1]!
}

/**
 * The example's fill lines, as [quantity, price] pairs, from `fill: Q @ P on order N`; each
 * must be of the order the example placed.
 */
const fillsOf = (stdout: string) => {
  const orderId = placedOrder(stdout)
  return stdout
    .split("\n")
    .filter((l) => l.startsWith("fill: "))
    .map((l) => {
      const m = /^fill: (\d+) @ (\d+(?:\.\d+)?) on order (\d+)$/.exec(l)
      if (m === null) throw new Error(`not a fill line: ${l}`)
      expect(m[3]).toBe(orderId)
      return [BigInt(m[1]!), centsOf(m[2]!)] as const
    })
}

/** The exact sum of the fills the example printed, in cents. */
const sumOf = (fills: ReadonlyArray<readonly [bigint, bigint]>) =>
  fills.reduce((sum, [q, c]) => sum + q * c, 0n)

/** The notional of the execution the example printed last, in cents. */
const notionalOf = (stdout: string) => {
  const m = /notional: '(\d+(?:\.\d+)?)'/.exec(stdout)
  if (m === null) throw new Error("the example printed no execution")
  return centsOf(m[1]!)
}

describe.concurrent("the examples", () => {
  it("examples/bot.ts (Promise facade) places its order through the tracker and follows it to the fill, the notional the exact sum of the fills", async () => {
    const r = await example("bot.ts")
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    const fills = fillsOf(r.stdout)
    expect(fills.map(([q]) => q)).toEqual([1n, 1n, 1n])
    expect(r.stdout).toMatch(/^filled: 3 shares at \d+ cents$/m)
    expect(r.stdout).toContain("state: 'FILLED'")
    expect(notionalOf(r.stdout)).toBe(sumOf(fills))
  })

  it("examples/effectBot.ts (Effect FillTracker) places its order through the tracker and follows it to the fill, the notional the exact sum of the fills", async () => {
    const r = await example("effectBot.ts")
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    const fills = fillsOf(r.stdout)
    expect(fills.map(([q]) => q)).toEqual([2n, 2n])
    expect(r.stdout).toContain("state: 'FILLED'")
    expect(notionalOf(r.stdout)).toBe(sumOf(fills))
  })
})
