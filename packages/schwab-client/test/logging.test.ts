/**
 * Nothing secret reaches the logs: not the app secret, not a token, not an account number,
 * not even the account hash (routes are logged as templates). The scenario walks through
 * authorization, refresh, faults, retries, placement recovery and failures with every log
 * level enabled, and also checks the error messages.
 */
import { describe, expect, it } from "@effect/vitest"
import { Decimal, type OrderId, type Shares, type TickerSymbol } from "@fill-tracker/domain"
import { manualClock, working } from "@fill-tracker/schwab-sandbox"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { SchwabAuth } from "../src/SchwabAuth.js"
import { SchwabClient } from "../src/SchwabClient.js"
import * as SchwabConfig from "../src/SchwabConfig.js"
import * as TokenCipher from "../src/TokenCipher.js"
import * as TokenStore from "../src/TokenStore.js"
import { captureLogs } from "./captureLogs.js"
import { accountHash, layers, REDIRECT_URI, sandbox, TOKEN_KEY_HEX } from "./harness.js"

describe("logging", () => {
  it.scopedLive("no secret appears in any log line or error message", () =>
    Effect.gen(function* () {
      const s = yield* sandbox({ clock: manualClock(Date.now()), appSecret: "s3cr3t-app-secret-value" })
      const store = yield* TokenStore.makeMemory()
      const ctx = yield* Layer.build(layers(s, {}, Layer.succeed(TokenStore.TokenStore, store)))
      const hash = accountHash(s)
      const seenTokens = new Set<string>()
      const rememberTokens = Effect.gen(function* () {
        const blob = Option.getOrThrow(yield* store.load())
        const key = SchwabConfig.parseTokenKey(TOKEN_KEY_HEX)
        if (key._tag === "Left") throw new Error(key.left)
        const plain = JSON.parse(Redacted.value(yield* TokenCipher.decrypt(Redacted.make(key.right), blob)))
        seenTokens.add(plain.accessToken)
        seenTokens.add(plain.refreshToken)
      })
      const errors: Array<string> = []
      const keepError = <A, E extends { message: string }, R>(e: Effect.Effect<A, E, R>) =>
        Effect.catchAll(Effect.asVoid(e), (err) =>
          Effect.sync(() => void errors.push(err.message, String(err)))
        )

      const scenario = Effect.gen(function* () {
        const auth = yield* SchwabAuth
        const client = yield* SchwabClient
        yield* auth.exchangeCode(`${REDIRECT_URI}?code=${encodeURIComponent(s.issueAuthorizationCode())}`)
        yield* rememberTokens
        yield* client.accountNumbers()
        yield* client.accountHash("12345678")
        yield* keepError(client.accountHash("87654321"))
        const id = s.seedOrder(hash, { symbol: "AAPL", quantity: 2 }, working())
        s.expireAccessTokens()
        yield* client.getOrder(hash, id as OrderId)
        yield* rememberTokens
        s.faults.inject({ route: "getOrder", kind: "connectionReset", times: 5 })
        yield* keepError(client.getOrder(hash, id as OrderId))
        s.faults.inject({ route: "listOrders", kind: "malformedJson" })
        yield* keepError(client.listOrders(hash, { from: new Date(Date.now() - 60_000), to: new Date() }))
        s.faults.inject({ route: "placeOrder", kind: "serverError", afterHandling: true })
        yield* client.placeOrder(hash, {
          symbol: "MSFT" as TickerSymbol,
          shares: Decimal.fromBigInt(1n) as Shares,
          direction: "SELL"
        })
        s.faults.inject({ route: "accountNumbers", kind: "malformedJson" })
        yield* keepError(client.getOrder(hash, "1" as OrderId))
        s.expireAccessTokens()
        s.revokeRefreshTokens()
        yield* keepError(client.getOrder(hash, id as OrderId))
      })
      const { result, lines } = yield* captureLogs(Effect.provide(scenario, ctx))
      expect(result._tag).toBe("Right")
      expect(seenTokens.size).toBeGreaterThanOrEqual(3)
      expect(errors.length).toBeGreaterThanOrEqual(8)
      const text = [...lines, ...errors].join("\n")
      expect(text).toContain("/accounts/{accountHash}/orders/{orderId}")
      expect(text).toContain("status=401")
      const secrets = ["s3cr3t-app-secret-value", "12345678", "87654321", hash, ...seenTokens]
      for (const secret of secrets) expect(text).not.toContain(secret)
    })
  )
})
