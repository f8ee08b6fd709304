/**
 * The built binary's `place` and `replace` with order terms: a STOP_LIMIT is sent as
 * asked, a replace gives a working LIMIT a new price, each bad combination exits 2
 * naming the field with nothing recorded or sent (counted in the sandbox's placements), and
 * `submit` takes a BUY_TO_COVER.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { working } from "@fill-tracker/schwab-sandbox"
import { describe, expect, it } from "vitest"
import { builtBinary, serviceEnv, startNode } from "./child.js"
import { manualSandbox, tempDir } from "./support.js"

const cli = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  startNode([builtBinary, ...args], env).done

describe("place and replace with order terms", () => {
  it("sends the terms asked for; bad combinations exit 2 naming the field, nothing recorded or sent", async () => {
    const dir = tempDir("cli-place-terms")
    const sandbox = await manualSandbox({ accounts: [{ accountNumber: "12345678" }] })
    sandbox.scriptNext(working(), working())
    try {
      const database = path.join(dir, "fills.db")
      const env = { ...serviceEnv(sandbox, database), LOG_LEVEL: "error" }
      expect((await cli(["auth", "login", "--code", sandbox.issueAuthorizationCode()], env)).code).toBe(0)
      const order = ["--account", "12345678", "--symbol", "AAPL", "--shares", "3", "--direction", "SELL"]
      const placed = await cli(
        [
          "place",
          "--execution-id",
          "sl-1",
          ...order,
          "--order-type",
          "stop_limit",
          "--price",
          "149.5",
          "--stop-price",
          "150",
          "--duration",
          "GOOD_TILL_CANCEL"
        ],
        env
      )
      expect(placed.code, placed.stderr).toBe(0)
      const orderId = sandbox.placements()[0]?.orderId ?? ""
      expect(JSON.parse(placed.stdout)).toMatchObject({ executionId: "sl-1", status: "SUBMITTED", orderId })
      expect(JSON.parse(sandbox.orderJson(orderId))).toMatchObject({
        orderType: "STOP_LIMIT",
        price: 149.5,
        stopPrice: 150.0,
        duration: "GOOD_TILL_CANCEL",
        session: "NORMAL"
      })
      const bad: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
        [["--order-type", "LIMIT"], "price: is required for a LIMIT order"],
        [["--price", "10"], "price: is not allowed on a MARKET order"],
        [["--order-type", "STOP"], "stopPrice: is required for a STOP order"],
        [["--order-type", "LIMIT", "--price", "10.005"], 'price: "10.005" must be in whole cents'],
        [["--session", "PM"], "session: PM (extended hours) takes LIMIT orders only"],
        [
          ["--order-type", "TRAILING_STOP"],
          '--order-type: "TRAILING_STOP" is not one of MARKET, LIMIT, STOP, STOP_LIMIT'
        ],
        [["--duration", "FOREVER"], '--duration: "FOREVER" is not one of DAY']
      ]
      for (const [i, [terms, message]] of bad.entries()) {
        const r = await cli(["place", "--execution-id", `bad-${i}`, ...order, ...terms], env)
        expect(r.code, terms.join(" ")).toBe(2)
        expect(r.stderr, terms.join(" ")).toContain(message)
      }
      // Nothing recorded for any of them, nothing sent.
      const status = await cli(["status", "--json", "--database", database], env)
      expect(status.code, status.stderr).toBe(0)
      expect(status.stdout).toContain('"sl-1"')
      expect(status.stdout).not.toContain('"bad-')
      expect(sandbox.placements()).toHaveLength(1)
      const replaced = await cli(
        [
          "replace",
          "--execution-id",
          "sl-1",
          "--shares",
          "3",
          "--order-type",
          "LIMIT",
          "--price",
          "151.25",
          "--duration",
          "GOOD_TILL_CANCEL"
        ],
        env
      )
      expect(replaced.code, replaced.stderr).toBe(0)
      const replacement = sandbox.placements().find((p) => p.via === "replace")
      expect(JSON.parse(replaced.stdout)).toMatchObject({
        executionId: "sl-1",
        orderId: replacement?.orderId
      })
      expect(JSON.parse(sandbox.orderJson(replacement?.orderId ?? ""))).toMatchObject({
        orderType: "LIMIT",
        price: 151.25,
        duration: "GOOD_TILL_CANCEL"
      })
      const refused = await cli(
        ["replace", "--execution-id", "sl-1", "--shares", "3", "--order-type", "LIMIT"],
        env
      )
      expect(refused.code).toBe(2)
      expect(refused.stderr).toContain("price: is required for a LIMIT order")
      expect(sandbox.placements()).toHaveLength(2)
      // submit (an order the bot placed itself) takes the four equity instructions too.
      const submitted = await cli(
        [
          "submit",
          "--execution-id",
          "hand-1",
          "--order-id",
          "424242",
          ...order.slice(0, 6),
          "--direction",
          "buy_to_cover"
        ],
        env
      )
      expect(submitted.code, submitted.stderr).toBe(0)
      expect(JSON.parse(submitted.stdout)).toMatchObject({ executionId: "hand-1", direction: "BUY_TO_COVER" })
    } finally {
      await sandbox.close()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
