import { describe, expect, it } from "@effect/vitest"
import { manualClock, type Sandbox } from "@fill-tracker/schwab-sandbox"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { SchwabAuth } from "../src/SchwabAuth.js"
import * as TokenStore from "../src/TokenStore.js"
import { captureLogs } from "./captureLogs.js"
import { count, layers, REDIRECT_URI, sandbox } from "./harness.js"

const DAY = 86_400_000

/** A sandbox on the real time, a memory TokenStore we can read, and SchwabAuth; not yet authorized. */
const fixture = (sandboxClockStart = Date.now()) =>
  Effect.gen(function* () {
    const s: Sandbox = yield* sandbox({ clock: manualClock(sandboxClockStart) })
    const store = yield* TokenStore.makeMemory()
    const ctx = yield* Layer.build(layers(s, {}, Layer.succeed(TokenStore.TokenStore, store)))
    const auth = yield* Effect.provide(SchwabAuth, ctx)
    return { s, store, auth }
  })

describe("SchwabAuth", () => {
  it.scopedLive("authorizeUrl names the app, the redirect URI and response_type=code", () =>
    Effect.gen(function* () {
      const { s, auth } = yield* fixture()
      expect(auth.authorizeUrl()).toBe(
        `${s.authorizeUrl}?client_id=sandbox-app-key&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&response_type=code`
      )
    })
  )

  for (const [form, wrap] of [
    [
      "the pasted redirect URL",
      (code: string) => `${REDIRECT_URI}?code=${encodeURIComponent(code)}&session=x`
    ],
    ["the URL-encoded code", (code: string) => encodeURIComponent(code)],
    ["the decoded code", (code: string) => code]
  ] as const) {
    it.scopedLive(`exchangeCode accepts ${form} and stores the tokens encrypted`, () =>
      Effect.gen(function* () {
        const { s, store, auth } = yield* fixture()
        const code = s.issueAuthorizationCode()
        expect(code).toContain("@")
        const status = yield* auth.exchangeCode(wrap(code))
        expect(status.refreshTokenExpiresAt.getTime() - status.authorizedAt.getTime()).toBe(7 * DAY)
        expect(status.accessTokenExpiresAt.getTime() - status.authorizedAt.getTime()).toBe(1800 * 1000)
        const blob = Option.getOrThrow(yield* store.load())
        expect(blob.startsWith("v1.")).toBe(true)
        const token = Redacted.value(yield* auth.accessToken())
        expect(token.length).toBeGreaterThan(20)
        expect(blob).not.toContain(token)
        expect(blob).not.toContain(token.slice(0, 20))
      })
    )
  }

  it.scopedLive("a stale code (over 30 s) is ReauthorizationRequired with the way out", () =>
    Effect.gen(function* () {
      const { s, auth } = yield* fixture()
      const code = s.issueAuthorizationCode()
      s.advance(31_000)
      const e = yield* Effect.flip(auth.exchangeCode(code))
      expect(e._tag).toBe("ReauthorizationRequired")
      expect(e.message).toContain("fill-tracker auth url")
      expect(count(s, "token")).toBe(1)
    })
  )

  it.scopedLive("without stored tokens, accessToken is ReauthorizationRequired", () =>
    Effect.gen(function* () {
      const { auth } = yield* fixture()
      const e = yield* Effect.flip(auth.accessToken())
      expect(e._tag === "ReauthorizationRequired" && e.reason).toBe("NoTokens")
      expect(Option.isNone(yield* auth.tokenStatus())).toBe(true)
    })
  )

  // The sandbox answers a dead refresh token three ways (two 400 bodies, a 401) by seed.
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it.scopedLive(
      `seven days after authorization the refresh is ReauthorizationRequired (seed ${seed})`,
      () =>
        Effect.gen(function* () {
          const s: Sandbox = yield* sandbox({ seed, clock: manualClock(Date.now()) })
          const ctx = yield* Layer.build(layers(s))
          const auth = yield* Effect.provide(SchwabAuth, ctx)
          yield* auth.exchangeCode(s.issueAuthorizationCode())
          s.advance(7 * DAY)
          const e = yield* Effect.flip(auth.refresh())
          expect(e._tag === "ReauthorizationRequired" && e.reason).toBe("RefreshRejected")
          expect(e.message).toContain("fill-tracker auth login --code")
          expect(count(s, "token")).toBe(2)
        })
    )
  }

  it.scoped("the access token is refreshed ahead of expiry, once for all concurrent callers", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.now())
      const { s, auth } = yield* fixture()
      const first = yield* auth.exchangeCode(s.issueAuthorizationCode())
      const before = Redacted.value(yield* auth.accessToken())
      yield* TestClock.adjust("29 minutes")
      const tokens = yield* Effect.all(
        Array.from({ length: 10 }, () => auth.accessToken()),
        { concurrency: "unbounded" }
      )
      const values = new Set(tokens.map(Redacted.value))
      expect(values.size).toBe(1)
      expect(values.has(before)).toBe(false)
      expect(count(s, "token")).toBe(2)
      const after = Option.getOrThrow(yield* auth.tokenStatus())
      // Refreshing does not extend the refresh token's life.
      expect(after.refreshTokenExpiresAt).toEqual(first.refreshTokenExpiresAt)
      expect(after.accessTokenExpiresAt.getTime()).toBeGreaterThan(first.accessTokenExpiresAt.getTime())
    })
  )

  it.scoped("past the refresh token's 7 days (our clock) it fails without asking Schwab", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.now())
      const { s, auth } = yield* fixture()
      yield* auth.exchangeCode(s.issueAuthorizationCode())
      yield* TestClock.adjust(7 * DAY)
      const e = yield* Effect.flip(auth.accessToken())
      expect(e._tag === "ReauthorizationRequired" && e.reason).toBe("RefreshTokenExpired")
      expect(count(s, "token")).toBe(1)
    })
  )

  it.scoped("a day before the refresh token expires, tokenStatus logs a warning", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.now())
      const { s, auth } = yield* fixture()
      yield* auth.exchangeCode(s.issueAuthorizationCode())
      const early = yield* captureLogs(auth.tokenStatus())
      expect(early.lines.filter((l) => l.includes("expires within a day"))).toEqual([])
      yield* TestClock.adjust(6 * DAY + 1)
      const late = yield* captureLogs(auth.tokenStatus())
      expect(late.lines.filter((l) => l.includes("expires within a day"))).toHaveLength(1)
    })
  )

  it.scopedLive("a tampered token blob is a TokenDecryptionError", () =>
    Effect.gen(function* () {
      const s: Sandbox = yield* sandbox({ clock: manualClock(Date.now()) })
      const store = yield* TokenStore.makeMemory()
      const first = yield* Layer.build(layers(s, {}, Layer.succeed(TokenStore.TokenStore, store)))
      yield* Effect.provide(
        Effect.flatMap(SchwabAuth, (a) => a.exchangeCode(s.issueAuthorizationCode())),
        first
      )
      const blob = Option.getOrThrow(yield* store.load())
      const flipped = blob.slice(0, 10) + (blob[10] === "A" ? "B" : "A") + blob.slice(11)
      yield* store.save(flipped)
      // A fresh service reads the store again (the first one caches what it decrypted).
      const second = yield* Layer.build(layers(s, {}, Layer.succeed(TokenStore.TokenStore, store)))
      const auth = yield* Effect.provide(SchwabAuth, second)
      const e = yield* Effect.flip(auth.accessToken())
      expect(e._tag).toBe("TokenDecryptionError")
    })
  )

  it.scoped("refresh answers 5xx are retried; the refresh still happens once", () =>
    Effect.gen(function* () {
      const { s, auth } = yield* fixture()
      yield* auth.exchangeCode(s.issueAuthorizationCode())
      s.faults.inject({ route: "token", kind: "unavailable", times: 1 })
      const fiber = yield* Effect.fork(auth.refresh())
      // The 503 comes over a real socket: move the clock only once the retry sleeps on it
      // (an earlier adjust passes before the sleep starts, and the refresh waits for ever).
      const sleeping = Effect.map(
        TestClock.sleeps(),
        (sleeps) => sleeps.length > 0 && s.requests().some((r) => r.status === 503)
      )
      while (!(yield* sleeping)) yield* Effect.promise(() => new Promise((r) => setTimeout(r, 5)))
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      expect(s.requests().map((r) => `${r.name} ${r.status}`)).toEqual([
        "token 200",
        "token 503",
        "token 200"
      ])
    })
  )
})
