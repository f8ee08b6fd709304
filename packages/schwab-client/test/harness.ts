/**
 * Shared setup for the over-HTTP tests: a sandbox on 127.0.0.1, the real client layers
 * pointed at it with small timeouts and backoffs, and a helper that authorizes through the
 * real code exchange.
 */
import { NodeHttpClient } from "@effect/platform-node"
import type { AccountHash } from "@fill-tracker/domain"
import { manualClock, type Sandbox, type SandboxOptions, startSandbox } from "@fill-tracker/schwab-sandbox"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as SchwabAuth from "../src/SchwabAuth.js"
import * as SchwabClient from "../src/SchwabClient.js"
import * as SchwabConfig from "../src/SchwabConfig.js"
import * as TokenStore from "../src/TokenStore.js"

export const TOKEN_KEY_HEX = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
export const REDIRECT_URI = "https://127.0.0.1:8182/callback"

/** A sandbox for the scope of one test. */
export const sandbox = (
  options: SandboxOptions = {}
): Effect.Effect<Sandbox, never, import("effect/Scope").Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => startSandbox(options)),
    (s) => Effect.promise(() => s.close())
  )

export type Overrides = Partial<Omit<SchwabConfig.SchwabConfigInput, "appKey" | "appSecret" | "tokenKey">> & {
  readonly appSecret?: string
}

export const configInput = (s: Sandbox, overrides: Overrides = {}): SchwabConfig.SchwabConfigInput => ({
  appKey: s.appKey,
  redirectUri: REDIRECT_URI,
  baseUrl: s.baseUrl,
  tokenUrl: s.tokenUrl,
  authorizeUrl: s.authorizeUrl,
  // Long enough that no answer from loopback times out however loaded the machine is; a
  // test of the timeout itself meets a `hang` fault, which never answers, and sets its own.
  requestTimeout: "30 seconds",
  rateLimitPerMinute: 1000,
  ...overrides,
  appSecret: Redacted.make(overrides.appSecret ?? s.appSecret),
  tokenKey: Redacted.make(TOKEN_KEY_HEX),
  retry: {
    maxAttempts: 3,
    baseDelay: "5 millis",
    maxDelay: "20 millis",
    maxRetryAfter: "5 seconds",
    ...overrides.retry
  },
  placementRecovery: {
    lookups: 2,
    delay: "10 millis",
    clockSkew: "5 seconds",
    ...overrides.placementRecovery
  }
})

/** Config, memory TokenStore, undici HttpClient, SchwabAuth and SchwabClient, all real. */
export const layers = (s: Sandbox, overrides: Overrides = {}, store = TokenStore.layerMemory()) => {
  const base = Layer.mergeAll(
    Layer.orDie(SchwabConfig.layer(configInput(s, overrides))),
    store,
    NodeHttpClient.layerUndici
  )
  const auth = Layer.provideMerge(SchwabAuth.layer, base)
  return Layer.provideMerge(SchwabClient.layer, auth)
}

/** Authorizes through the real code exchange, the way a person pastes the redirect URL. */
export const authorize = (s: Sandbox) =>
  Effect.flatMap(SchwabAuth.SchwabAuth, (auth) =>
    auth.exchangeCode(`${REDIRECT_URI}?code=${encodeURIComponent(s.issueAuthorizationCode())}&session=abc`)
  )

export const accountHash = (s: Sandbox): AccountHash => s.accounts[0]?.hashValue as AccountHash

/** Requests the sandbox saw on one route (its RouteName). */
export const count = (s: Sandbox, name: string): number => s.requests().filter((r) => r.name === name).length

/** A sandbox whose clock reads the real time, an authorized client, and the account hash. */
export const setup = (overrides: Overrides = {}, options: SandboxOptions = {}) =>
  Effect.gen(function* () {
    const s = yield* sandbox({ clock: manualClock(Date.now()), ...options })
    const ctx = yield* Layer.build(layers(s, overrides))
    yield* Effect.provide(authorize(s), ctx)
    const client = yield* Effect.provide(SchwabClient.SchwabClient, ctx)
    const auth = yield* Effect.provide(SchwabAuth.SchwabAuth, ctx)
    s.resetRequests()
    return { s, client, auth, hash: accountHash(s) }
  })

// Polls of 5 ms: a condition gets some 60 s of real time (more on a loaded machine), far past
// anything a loopback exchange needs, so only a condition that never holds fails.
const POLLS = 12_000

/** Waits in real time (not the TestClock) until `ready` holds; the sandbox answers on its own schedule. */
export const until = (ready: () => boolean): Effect.Effect<void> =>
  Effect.promise(async () => {
    for (let i = 0; i < POLLS && !ready(); i++) await new Promise((r) => setTimeout(r, 5))
    if (!ready()) throw new Error("condition never held")
  })

/** Like `until`, for a condition that is itself an effect (e.g. reading TestClock.sleeps). */
export const untilEffect = (ready: Effect.Effect<boolean>): Effect.Effect<void> =>
  Effect.gen(function* () {
    for (let i = 0; i < POLLS; i++) {
      if (yield* ready) return
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 5)))
    }
    return yield* Effect.die(new Error("condition never held"))
  })
