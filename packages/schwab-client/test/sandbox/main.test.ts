import { spawn } from "node:child_process"
import { once } from "node:events"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const packageRoot = fileURLToPath(new URL("../..", import.meta.url))
const tsx = fileURLToPath(new URL("../../../../node_modules/.bin/tsx", import.meta.url))

describe("main: the sandbox as its own process", () => {
  it("prints its config line, serves, and exits cleanly on SIGTERM", async () => {
    const child = spawn(
      tsx,
      ["src/sandbox/main.ts", "--seed", "7", "--clock", "manual", "--accounts", "111,222"],
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
      }
      expect(config.baseUrl).toBe(`http://127.0.0.1:${config.port}/trader/v1`)
      expect(config.tokenUrl).toBe(`http://127.0.0.1:${config.port}/v1/oauth/token`)
      expect(config.accounts.map((account) => account.accountNumber)).toEqual(["111", "222"])
      const unauthenticated = await fetch(`${config.baseUrl}/accounts/accountNumbers`)
      expect(unauthenticated.status).toBe(401)
      const exited = once(child, "exit")
      child.kill("SIGTERM")
      const [code] = (await exited) as [number | null]
      expect(code).toBe(0)
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL")
    }
  })
})
