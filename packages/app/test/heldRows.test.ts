import type { AccountHash } from "@fill-tracker/domain"
import type { Lease } from "@fill-tracker/store"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { heldRows } from "../src/poller/heldRows.js"

const rows = (n: number, accounts: ReadonlyArray<string>) =>
  Array.from({ length: n }, (_, i) => ({ id: i, accountHash: accounts[i % accounts.length] as AccountHash }))

describe("heldRows", () => {
  it("asks for each account's lease once, not once per row, and keeps the held accounts' rows in order", async () => {
    const asked: Array<string> = []
    const leaseOf = (account: AccountHash) =>
      Effect.sync(() => {
        asked.push(account)
        return account === "B" ? ({ shard: 1, token: 1n } satisfies Lease) : undefined
      })
    const all = rows(10_000, ["A", "B", "C"])
    const kept = await Effect.runPromise(heldRows(all, leaseOf))
    expect(asked.sort()).toEqual(["A", "B", "C"])
    expect(kept).toEqual(all.filter((r) => r.accountHash === "B"))
  })

  it("no account held: nothing", async () => {
    const kept = await Effect.runPromise(heldRows(rows(5, ["A"]), () => Effect.succeed(undefined)))
    expect(kept).toEqual([])
  })
})
