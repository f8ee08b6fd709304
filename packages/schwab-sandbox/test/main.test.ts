import { spawn } from "node:child_process"
import { once } from "node:events"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { WebSocket } from "ws"

const packageRoot = fileURLToPath(new URL("..", import.meta.url))
const tsx = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url))

describe("main: the sandbox as its own process", () => {
  it("prints its config line, serves, and exits cleanly on SIGTERM", async () => {
    const child = spawn(
      tsx,
      [
        "src/main.ts",
        "--seed",
        "7",
        "--clock",
        "manual",
        "--accounts",
        "111,222",
        "--unnamed-replacements",
        "true"
      ],
      {
        cwd: packageRoot,
        stdio: ["ignore", "pipe", "inherit"]
      }
    )
    try {
      const lines = createInterface({ input: child.stdout })
      const [line] = (await once(lines, "line")) as [string]
      const config = JSON.parse(line) as {
        baseUrl: string
        tokenUrl: string
        port: number
        appKey: string
        appSecret: string
        accounts: Array<{ accountNumber: string; hashValue: string }>
        streamerUrl: string
      }
      expect(config.baseUrl).toBe(`http://127.0.0.1:${config.port}/trader/v1`)
      expect(config.tokenUrl).toBe(`http://127.0.0.1:${config.port}/v1/oauth/token`)
      expect(config.accounts.map((account) => account.accountNumber)).toEqual(["111", "222"])
      const unauthenticated = await fetch(`${config.baseUrl}/accounts/accountNumbers`)
      expect(unauthenticated.status).toBe(401)

      // The control API drives the sandbox from this process.
      const origin = `http://127.0.0.1:${config.port}/__sandbox`
      const post = async (path: string, body: unknown) =>
        (await fetch(`${origin}${path}`, { method: "POST", body: JSON.stringify(body) })).json()
      const { orderId } = (await post("/seed-order", {
        accountHash: config.accounts[0]?.hashValue,
        order: { symbol: "AAPL", quantity: 4 },
        lifecycle: { lifecycle: "fillsInLegs", args: [2, 1000, { price: "10.5" }] }
      })) as { orderId: string }
      expect(BigInt(orderId) > 2n ** 53n).toBe(true)
      await post("/clock/advance", { ms: 1000 })
      const truth = (await (await fetch(`${origin}/truth/${orderId}`)).json()) as {
        status: string
        filledQuantity: string
      }
      expect(truth).toMatchObject({ status: "FILLED", filledQuantity: "4" })
      const { accessToken } = (await post("/authorize", {})) as { accessToken: string }
      await post("/faults", { route: "accountNumbers", kind: "unavailable" })
      const faulted = await fetch(`${config.baseUrl}/accounts/accountNumbers`, {
        headers: { Authorization: `Bearer ${accessToken}` }
      })
      expect(faulted.status).toBe(503)
      const log = (await (await fetch(`${origin}/requests`)).json()) as Array<{ status: number }>
      expect(log.map((record) => record.status)).toEqual([401, 503])

      // A replace done outside the bot names no replacement (--unnamed-replacements) and is no placement.
      const { orderId: working } = (await post("/seed-order", {
        accountHash: config.accounts[0]?.hashValue,
        order: { symbol: "MSFT", quantity: 2 },
        lifecycle: { lifecycle: "working" }
      })) as { orderId: string }
      const { orderId: next } = (await post("/replace-outside", {
        orderId: working,
        changes: { quantity: 3 },
        lifecycle: { lifecycle: "working" }
      })) as { orderId: string }
      const replaced = (await (await fetch(`${origin}/truth/${working}`)).json()) as { replacedBy: string }
      expect(replaced.replacedBy).toBe(next)
      const order = await fetch(
        `${config.baseUrl}/accounts/${config.accounts[0]?.hashValue}/orders/${working}`,
        {
          headers: { Authorization: `Bearer ${accessToken}` }
        }
      )
      expect(await order.text()).not.toContain("replacingOrderCollection")
      await post("/cancel-outside", { orderId: next })
      expect(await (await fetch(`${origin}/truth/${next}`)).json()).toMatchObject({ status: "CANCELED" })
      expect(await (await fetch(`${origin}/placements`)).json()).toEqual([])

      // The streamer answers on the printed URL and takes its faults through the control API.
      expect(config.streamerUrl).toBe(`ws://127.0.0.1:${config.port}/ws`)
      const streamer = (await (await fetch(`${origin}/streamer`)).json()) as {
        info: { schwabClientCustomerId: string; schwabClientCorrelId: string }
      }
      const ws = new WebSocket(config.streamerUrl)
      const frames: Array<string> = []
      const arrived = (count: number) =>
        new Promise<void>((resolve) => {
          const check = () => (frames.length >= count ? resolve() : ws.once("message", check))
          check()
        })
      ws.on("message", (data) => frames.push(data.toString()))
      await once(ws, "open")
      ws.send(
        JSON.stringify({
          service: "ADMIN",
          command: "LOGIN",
          requestid: 1,
          SchwabClientCustomerId: streamer.info.schwabClientCustomerId,
          SchwabClientCorrelId: streamer.info.schwabClientCorrelId,
          parameters: {
            Authorization: accessToken,
            SchwabClientChannel: "N9",
            SchwabClientFunctionId: "APIAPP"
          }
        })
      )
      await arrived(1)
      expect(JSON.parse(frames[0] ?? "")).toMatchObject({
        response: [{ command: "LOGIN", content: { code: 0 } }]
      })
      const closed = once(ws, "close")
      await post("/streamer/kick-off", {})
      await closed
      expect(JSON.parse(frames.at(-1) ?? "")).toMatchObject({ notify: [{ content: { code: 12 } }] })
      const exited = once(child, "exit")
      child.kill("SIGTERM")
      const [code] = (await exited) as [number | null]
      expect(code).toBe(0)
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL")
    }
  })
})
