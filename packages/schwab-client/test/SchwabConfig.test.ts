import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as SchwabConfig from "../src/SchwabConfig.js"

const HEX = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
const BASE64 = Buffer.from(HEX, "hex").toString("base64")

const fromEnv = (env: Record<string, string>) =>
  Effect.provide(
    SchwabConfig.SchwabConfig,
    SchwabConfig.layerConfig.pipe(
      Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))
    )
  )

const required = {
  SCHWAB_APP_KEY: "key",
  SCHWAB_APP_SECRET: "secret",
  SCHWAB_REDIRECT_URI: "https://127.0.0.1/cb",
  SCHWAB_TOKEN_KEY: HEX
}

describe("SchwabConfig", () => {
  it("reads a 32-byte key as hex or base64, and nothing shorter", () => {
    const hex = SchwabConfig.parseTokenKey(HEX)
    const b64 = SchwabConfig.parseTokenKey(BASE64)
    expect(Either.isRight(hex) && Buffer.from(hex.right).toString("hex")).toBe(HEX)
    expect(Either.isRight(b64) && Buffer.from(b64.right).toString("hex")).toBe(HEX)
    expect(Either.isLeft(SchwabConfig.parseTokenKey(HEX.slice(2)))).toBe(true)
    expect(Either.isLeft(SchwabConfig.parseTokenKey(Buffer.alloc(16).toString("base64")))).toBe(true)
    expect(Either.isLeft(SchwabConfig.parseTokenKey("not a key!"))).toBe(true)
    // Node's base64 reader skips what it cannot read: padding in the middle used to pass.
    expect(Either.isLeft(SchwabConfig.parseTokenKey(`${BASE64.slice(0, 8)}==${BASE64.slice(8)}`))).toBe(true)
    expect(Either.isLeft(SchwabConfig.parseTokenKey(`${BASE64.slice(0, -1)}B`))).toBe(true)
  })

  it.effect("http endpoints are refused unless on this machine, naming the setting and not the URL", () =>
    Effect.gen(function* () {
      for (const [name, url] of [
        ["SCHWAB_BASE_URL", "http://api.schwabapi.com/trader/v1"],
        ["SCHWAB_TOKEN_URL", "http://10.1.2.3/token"],
        ["SCHWAB_AUTHORIZE_URL", "ftp://127.0.0.1/a"]
      ] as const) {
        const e = yield* Effect.flip(fromEnv({ ...required, [name]: url }))
        expect(String(e)).toContain(name)
        expect(String(e)).toContain("https")
        expect(String(e)).not.toContain(url)
      }
      const local = yield* fromEnv({
        ...required,
        SCHWAB_TOKEN_URL: "http://[::1]:8/t",
        SCHWAB_BASE_URL: "http://localhost:9/v1"
      })
      expect(local.tokenUrl).toBe("http://[::1]:8/t")
    })
  )

  it.effect("layerConfig reads the environment names and fills Schwab's defaults", () =>
    Effect.gen(function* () {
      const c = yield* fromEnv(required)
      expect(c.appKey).toBe("key")
      expect(Redacted.value(c.appSecret)).toBe("secret")
      expect(String(c.appSecret)).not.toContain("secret")
      expect(c.baseUrl).toBe("https://api.schwabapi.com/trader/v1")
      expect(c.tokenUrl).toBe("https://api.schwabapi.com/v1/oauth/token")
      expect(c.authorizeUrl).toBe("https://api.schwabapi.com/v1/oauth/authorize")
      expect(Duration.toMillis(c.requestTimeout)).toBe(10_000)
      expect(c.rateLimitPerMinute).toBe(120)
      expect(c.maxResponseBytes).toBe(32 * 1024 * 1024)
      expect(Redacted.value(c.tokenKey)).toHaveLength(32)
    })
  )

  it.effect("layerConfig takes the optional overrides", () =>
    Effect.gen(function* () {
      const c = yield* fromEnv({
        ...required,
        SCHWAB_BASE_URL: "http://127.0.0.1:1/trader/v1/",
        SCHWAB_TOKEN_URL: "http://127.0.0.1:1/t",
        SCHWAB_AUTHORIZE_URL: "http://127.0.0.1:1/a",
        SCHWAB_RATE_LIMIT_PER_MINUTE: "60",
        SCHWAB_REQUEST_TIMEOUT: "3 seconds",
        SCHWAB_MAX_RESPONSE_BYTES: "4096"
      })
      expect(c.maxResponseBytes).toBe(4096)
      expect(c.baseUrl).toBe("http://127.0.0.1:1/trader/v1")
      expect(c.tokenUrl).toBe("http://127.0.0.1:1/t")
      expect(c.authorizeUrl).toBe("http://127.0.0.1:1/a")
      expect(c.rateLimitPerMinute).toBe(60)
      expect(Duration.toMillis(c.requestTimeout)).toBe(3000)
    })
  )

  it.effect("a bad key, a zero rate or a missing secret fail the layer", () =>
    Effect.gen(function* () {
      expect(yield* Effect.flip(fromEnv({ ...required, SCHWAB_TOKEN_KEY: "abcd" }))).toBeDefined()
      expect(yield* Effect.flip(fromEnv({ ...required, SCHWAB_RATE_LIMIT_PER_MINUTE: "0" }))).toBeDefined()
      const small = yield* Effect.flip(fromEnv({ ...required, SCHWAB_MAX_RESPONSE_BYTES: "10" }))
      expect(String(small)).toContain("SCHWAB_MAX_RESPONSE_BYTES")
      const { SCHWAB_APP_SECRET: _, ...noSecret } = required
      expect(yield* Effect.flip(fromEnv(noSecret))).toBeDefined()
    })
  )
})
