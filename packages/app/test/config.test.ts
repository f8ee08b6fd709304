import { Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { resolveConfig } from "../src/config/AppConfig.js"
import { formatDurationMs, parseDurationMs } from "../src/config/Duration.js"
import { settings } from "../src/config/settings.js"

const resolved = (
  flags: Record<string, string | undefined>,
  env: Record<string, string | undefined>,
  required: Parameters<typeof resolveConfig>[1] = []
) => {
  const r = resolveConfig({ flags, env }, required)
  if (!r.ok) throw r.error
  return r.config
}

const problemsOf = (
  flags: Record<string, string | undefined>,
  env: Record<string, string | undefined>,
  required: Parameters<typeof resolveConfig>[1] = []
) => {
  const r = resolveConfig({ flags, env }, required)
  if (r.ok) throw new Error("expected problems")
  return r.error
}

const HEX_KEY = "ab".repeat(32)

describe("resolveConfig", () => {
  it("takes every default when nothing is set", () => {
    const c = resolved({}, {})
    expect(c).toMatchObject({
      database: "./fill-tracker.db",
      pollingInterval: 15_000,
      pollingMaxJitter: 5_000,
      pollConcurrency: 8,
      baseUrl: "https://api.schwabapi.com/trader/v1",
      accounts: [],
      healthPort: 9464,
      priceBand: "0.05",
      logLevel: "info",
      logFormat: "pretty",
      shutdownGrace: 10_000,
      orderEntryPerDay: 1_000,
      replacementSearch: 300_000,
      orderTag: "",
      untrackedLookback: 86_400_000
    })
    expect(c.appKey).toBeUndefined()
    expect(c.tokenKey).toBeUndefined()
  })

  it("reads the environment, and an empty variable counts as unset", () => {
    const c = resolved(
      {},
      {
        FILL_TRACKER_DATABASE: "/tmp/x.db",
        ORDER_POLLING_INTERVAL: "2m",
        ORDER_POLLING_MAX_JITTER: "1500ms",
        SCHWAB_APP_KEY: "key",
        SCHWAB_APP_SECRET: "secret",
        FILL_TRACKER_TOKEN_KEY: HEX_KEY,
        SCHWAB_ACCOUNTS: "ABC123, DEF456",
        SCHWAB_BASE_URL: "http://127.0.0.1:9999/trader/v1/",
        HEALTH_PORT: "",
        LOG_LEVEL: "DEBUG"
      },
      ["appKey", "appSecret", "tokenKey"]
    )
    expect(c).toMatchObject({
      database: "/tmp/x.db",
      pollingInterval: 120_000,
      pollingMaxJitter: 1_500,
      accounts: ["ABC123", "DEF456"],
      baseUrl: "http://127.0.0.1:9999/trader/v1",
      healthPort: 9464,
      logLevel: "debug"
    })
    expect(Redacted.isRedacted(c.appSecret)).toBe(true)
    expect(c.appSecret === undefined ? undefined : Redacted.value(c.appSecret)).toBe("secret")
    expect(c.tokenKey === undefined ? undefined : Redacted.value(c.tokenKey)).toBe(HEX_KEY)
    expect(String(c.appSecret)).not.toContain("secret")
  })

  it("lets a flag win over the environment", () => {
    const c = resolved(
      { "order-polling-interval": "3s", database: "flag.db", "health-port": "0" },
      { ORDER_POLLING_INTERVAL: "20s", FILL_TRACKER_DATABASE: "env.db", HEALTH_PORT: "1234" }
    )
    expect(c).toMatchObject({ pollingInterval: 3_000, database: "flag.db", healthPort: 0 })
  })

  it("reports every problem at once, each naming its flag and variable", () => {
    const error = problemsOf(
      { "order-polling-interval": "nope", "health-port": "99999", "log-format": "xml" },
      { SCHWAB_BASE_URL: "ftp://example.com", PRICE_SANITY_BAND: "5%" },
      ["appKey", "appSecret", "tokenKey"]
    )
    expect(error._tag).toBe("InvalidConfig")
    expect(error.problems.map((p) => p.setting).sort()).toEqual(
      [
        "pollingInterval",
        "healthPort",
        "logFormat",
        "baseUrl",
        "priceBand",
        "appKey",
        "appSecret",
        "tokenKey"
      ].sort()
    )
    for (const name of [
      "pollingInterval",
      "healthPort",
      "logFormat",
      "baseUrl",
      "priceBand",
      "appKey",
      "appSecret",
      "tokenKey"
    ] as const)
      expect(error.message).toContain(`--${settings[name].flag} / ${settings[name].env}`)
    expect(error.message).toContain('"nope" is not a duration')
    expect(error.message).toContain("99999 is outside 0..65535")
    expect(error.problems.find((p) => p.setting === "appKey")?.message).toBe("is required")
  })

  it("never quotes a secret's value in a problem", () => {
    const secrets = {
      "token-key": "my-very-secret-token-key-value",
      "schwab-app-key": "   ",
      "schwab-app-secret": "  "
    }
    const error = problemsOf(secrets, { FILL_TRACKER_TOKEN_KEY: "env-secret-token-key" }, [
      "appKey",
      "appSecret",
      "tokenKey"
    ])
    expect(error.problems.map((p) => p.setting).sort()).toEqual(["appKey", "appSecret", "tokenKey"])
    expect(error.message).not.toContain("my-very-secret-token-key-value")
    expect(error.message).not.toContain("env-secret-token-key")
    const envOnly = problemsOf({}, { FILL_TRACKER_TOKEN_KEY: "env-secret-token-key" }, ["tokenKey"])
    expect(envOnly.message).toContain("--token-key / FILL_TRACKER_TOKEN_KEY")
    expect(envOnly.message).not.toContain("env-secret-token-key")
  })

  it("accepts a token key as 64 hex digits or 32 bytes of base64", () => {
    const base64 = Buffer.alloc(32, 7).toString("base64")
    expect(resolved({ "token-key": HEX_KEY }, {}).tokenKey).toBeDefined()
    expect(resolved({ "token-key": base64 }, {}).tokenKey).toBeDefined()
    expect(problemsOf({ "token-key": Buffer.alloc(16, 7).toString("base64") }, {}).problems).toHaveLength(1)
  })

  it("refuses a token key with junk characters that Node's base64 reader would skip", () => {
    const base64 = Buffer.alloc(32, 7).toString("base64")
    for (const junk of [
      `${base64.slice(0, 20)}!${base64.slice(20)}`,
      `${base64.slice(0, 20)}==${base64.slice(20)}`,
      `${HEX_KEY}zz`
    ]) {
      const error = problemsOf({ "token-key": junk }, {})
      expect(error.problems.map((p) => p.setting)).toEqual(["tokenKey"])
      expect(error.message).not.toContain(junk)
    }
  })

  it("refuses http Schwab URLs to anything but this machine, naming each setting and not the URL", () => {
    const error = problemsOf(
      {},
      {
        SCHWAB_BASE_URL: "http://api.schwabapi.com/trader/v1",
        SCHWAB_TOKEN_URL: "http://10.0.0.1/v1/oauth/token",
        SCHWAB_AUTHORIZE_URL: "http://127.0.0.1.evil.example/authorize"
      }
    )
    expect(error.problems.map((p) => p.setting).sort()).toEqual(["authorizeUrl", "baseUrl", "tokenUrl"])
    expect(error.message).toContain("must be an https URL")
    expect(error.message).not.toContain("schwabapi.com")
    expect(error.message).not.toContain("evil.example")
    for (const host of ["127.0.0.1:8080", "localhost", "[::1]:9"]) {
      const c = resolved(
        {},
        { SCHWAB_BASE_URL: `http://${host}/trader/v1`, SCHWAB_TOKEN_URL: `http://${host}/t` }
      )
      expect(c.baseUrl).toBe(`http://${host}/trader/v1`)
    }
  })
})

describe("parseDurationMs", () => {
  it.each([
    ["15s", 15_000],
    ["15", 15_000],
    ["1500ms", 1_500],
    ["2m", 120_000],
    ["2min", 120_000],
    ["1h", 3_600_000],
    ["1.5s", 1_500],
    ["0.25m", 15_000],
    [" 10 SEC ", 10_000],
    ["0", 0]
  ])("%j is %d ms", (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms)
  })

  it.each(["", "nope", "-1s", "1.5ms", "0.0001s", "1d", "1e3", "15 s s", "1.2345s"])(
    "%j is not a duration",
    (text) => {
      expect(parseDurationMs(text)).toBeUndefined()
    }
  )

  it("formats back to the shortest exact spelling", () => {
    expect([15_000, 1_500, 120_000, 3_600_000, 0].map(formatDurationMs)).toEqual([
      "15s",
      "1500ms",
      "2m",
      "1h",
      "0s"
    ])
    for (const ms of [15_000, 1_500, 120_000, 3_600_000, 250])
      expect(parseDurationMs(formatDurationMs(ms))).toBe(ms)
  })
})
