import { describe, expect, it } from "vitest"
import { fillsInLegs, partialThenCancel, raw, renderJson, type Sandbox, startSandbox } from "../src/index.js"
import { bearer, getOrderText, hashOf, idFromLocation, listUrl, place } from "./helpers.js"

/** One scripted session; everything it saw, as text. */
const session = async (seed: number): Promise<ReadonlyArray<string>> => {
  const sandbox: Sandbox = await startSandbox({ seed })
  try {
    const seen: Array<string> = []
    const tokens = sandbox.authorize()
    seen.push(tokens.accessToken, tokens.refreshToken, sandbox.issueAuthorizationCode(), hashOf(sandbox))
    const auth = { Authorization: `Bearer ${tokens.accessToken}` }
    sandbox.scriptNext(fillsInLegs(4, 500))
    const placed = await place(sandbox, auth)
    // The port is the one thing a seed cannot fix.
    const location = (placed.headers.get("location") ?? "").replace(sandbox.origin, "")
    seen.push(location, placed.headers.get("schwab-client-correlid") ?? "")
    const id = idFromLocation(placed)
    sandbox.seedOrder(hashOf(sandbox), { symbol: "MSFT", quantity: 7 }, partialThenCancel())
    await place(sandbox, auth)
    for (const step of [0, 700, 700, 60_000]) {
      sandbox.advance(step)
      seen.push((await getOrderText(sandbox, auth, id)).text)
      const list = await fetch(
        listUrl(sandbox, {
          fromEnteredTime: "2025-08-29T00:00:00.000Z",
          toEnteredTime: "2025-08-30T00:00:00.000Z"
        }),
        { headers: auth }
      )
      seen.push(await list.text())
    }
    return seen
  } finally {
    await sandbox.close()
  }
}

describe("seeded determinism", () => {
  it("the same seed gives the same tokens, ids, headers and bodies", async () => {
    const first = await session(42)
    expect(await session(42)).toEqual(first)
    expect(await session(43)).not.toEqual(first)
  })

  it("rendering the same order at the same instant gives the same text", async () => {
    const sandbox = await startSandbox({ seed: 3 })
    try {
      const id = sandbox.seedOrder(hashOf(sandbox), { symbol: "AAPL", quantity: 10 }, fillsInLegs(5, 10))
      sandbox.advance(25)
      const auth = bearer(sandbox)
      const a = await getOrderText(sandbox, auth, id)
      const b = await getOrderText(sandbox, auth, id)
      expect(a.text).toBe(b.text)
    } finally {
      await sandbox.close()
    }
  })
})

describe("JSON text", () => {
  it("writes bigints with every digit and raw number text verbatim", () => {
    expect(
      renderJson({ id: 9007199254740993n, price: raw("22.7299"), q: raw("3.0"), s: "x", u: undefined })
    ).toBe('{"id":9007199254740993,"price":22.7299,"q":3.0,"s":"x"}')
    expect(() => raw("1e")).toThrow()
  })
})
