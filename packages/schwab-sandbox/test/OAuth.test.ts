import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { type Sandbox, startSandbox } from "../src/index.js"
import { basic } from "./helpers.js"

let sandbox: Sandbox
beforeEach(async () => {
  sandbox = await startSandbox({ seed: 11, appKey: "key", appSecret: "secret" })
})
afterEach(() => sandbox.close())

const token = (form: Record<string, string>, authorization = basic("key", "secret")) =>
  fetch(sandbox.tokenUrl, {
    method: "POST",
    headers: { Authorization: authorization, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form).toString()
  })

const exchange = async (code: string, redirectUri = "https://127.0.0.1/cb") =>
  token({ grant_type: "authorization_code", code, redirect_uri: redirectUri })

const accountNumbers = (accessToken: string) =>
  fetch(`${sandbox.baseUrl}/accounts/accountNumbers`, { headers: { Authorization: `Bearer ${accessToken}` } })

describe("authorize", () => {
  it("redirects with a code that carries %40 and a session", async () => {
    const url = `${sandbox.authorizeUrl}?client_id=key&redirect_uri=${encodeURIComponent("https://127.0.0.1/cb")}&response_type=code`
    const response = await fetch(url, { redirect: "manual" })
    expect(response.status).toBe(302)
    const location = response.headers.get("location") ?? ""
    expect(location).toMatch(/^https:\/\/127\.0\.0\.1\/cb\?code=[^&]+%40&session=/)
    const code = new URL(location).searchParams.get("code") ?? ""
    expect(code.endsWith("@")).toBe(true)
    const answer = await exchange(code)
    expect(answer.status).toBe(200)
  })

  it("refuses an authorize request without response_type=code", async () => {
    const response = await fetch(`${sandbox.authorizeUrl}?client_id=key&redirect_uri=https://x/cb`, {
      redirect: "manual"
    })
    expect(response.status).toBe(400)
  })
})

describe("token endpoint", () => {
  it("exchanges a code for Schwab's token body", async () => {
    const response = await exchange(sandbox.issueAuthorizationCode())
    expect(response.status).toBe(200)
    expect(response.headers.get("schwab-client-correlid")).toMatch(/^[0-9a-f-]{36}$/)
    const body = (await response.json()) as Record<string, unknown>
    expect(Object.keys(body)).toEqual([
      "expires_in",
      "token_type",
      "scope",
      "refresh_token",
      "access_token",
      "id_token"
    ])
    expect(body).toMatchObject({ expires_in: 1800, token_type: "Bearer", scope: "api" })
    expect((await accountNumbers(body.access_token as string)).status).toBe(200)
  })

  it("rejects wrong client credentials with invalid_client", async () => {
    const response = await token(
      { grant_type: "authorization_code", code: sandbox.issueAuthorizationCode() },
      basic("key", "nope")
    )
    expect(response.status).toBe(401)
    expect(await response.json()).toEqual({ error: "invalid_client" })
    expect((await token({ grant_type: "refresh_token", refresh_token: "x" }, "")).status).toBe(401)
  })

  it("takes a code once, and not after 30 s", async () => {
    const code = sandbox.issueAuthorizationCode()
    expect((await exchange(code)).status).toBe(200)
    expect((await exchange(code)).status).toBe(400)
    const stale = sandbox.issueAuthorizationCode()
    sandbox.advance(30_000)
    expect((await exchange(stale)).status).toBe(400)
  })

  it("checks the redirect_uri the code was issued for", async () => {
    const code = sandbox.issueAuthorizationCode("https://127.0.0.1/cb")
    expect((await exchange(code, "https://evil.example/cb")).status).toBe(400)
  })

  it("refuses an unknown grant type", async () => {
    const response = await token({ grant_type: "password" })
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({ error: "unsupported_grant_type" })
  })
})

describe("lifetimes on the manual clock", () => {
  it("access tokens expire after 30 minutes; refresh gives a new one and the same refresh token", async () => {
    const tokens = sandbox.authorize()
    sandbox.advance(1799_000)
    expect((await accountNumbers(tokens.accessToken)).status).toBe(200)
    sandbox.advance(1_000)
    const expired = await accountNumbers(tokens.accessToken)
    expect(expired.status).toBe(401)
    expect(await expired.json()).toMatchObject({ errors: [{ status: "401", title: "Unauthorized" }] })
    const refreshed = await token({ grant_type: "refresh_token", refresh_token: tokens.refreshToken })
    expect(refreshed.status).toBe(200)
    const body = (await refreshed.json()) as Record<string, string>
    expect(body.refresh_token).toBe(tokens.refreshToken)
    expect(body.access_token).not.toBe(tokens.accessToken)
    expect((await accountNumbers(body.access_token ?? "")).status).toBe(200)
  })

  it("honours accessTokenTtlSeconds", async () => {
    const short = await startSandbox({ seed: 1, accessTokenTtlSeconds: 60 })
    try {
      const tokens = short.authorize()
      expect(tokens.expiresIn).toBe(60)
      short.advance(60_000)
      const response = await fetch(`${short.baseUrl}/accounts/accountNumbers`, {
        headers: { Authorization: `Bearer ${tokens.accessToken}` }
      })
      expect(response.status).toBe(401)
    } finally {
      await short.close()
    }
  })

  it("a refresh token dies 7 days after the authorization, however often it was used", async () => {
    const tokens = sandbox.authorize()
    for (let day = 0; day < 6; day++) {
      sandbox.advance(24 * 60 * 60 * 1000)
      expect((await token({ grant_type: "refresh_token", refresh_token: tokens.refreshToken })).status).toBe(
        200
      )
    }
    sandbox.advance(24 * 60 * 60 * 1000 - 1)
    expect((await token({ grant_type: "refresh_token", refresh_token: tokens.refreshToken })).status).toBe(
      200
    )
    sandbox.advance(1)
    const dead = await token({ grant_type: "refresh_token", refresh_token: tokens.refreshToken })
    expect([400, 401]).toContain(dead.status)
  })

  it("a dead refresh token gets each of Schwab's three answers, chosen by the seed", async () => {
    const seen = new Set<string>()
    for (let i = 0; i < 30; i++) {
      const response = await token({ grant_type: "refresh_token", refresh_token: `unknown-${i}` })
      const body = (await response.json()) as { error: string }
      seen.add(`${response.status} ${body.error}`)
    }
    expect([...seen].sort()).toEqual([
      "400 refresh_token_authentication_error",
      "400 unsupported_token_type",
      "401 invalid_client"
    ])
  })

  it("expireAccessTokens and revokeRefreshTokens", async () => {
    const tokens = sandbox.authorize()
    sandbox.expireAccessTokens()
    expect((await accountNumbers(tokens.accessToken)).status).toBe(401)
    sandbox.revokeRefreshTokens()
    const refused = await token({ grant_type: "refresh_token", refresh_token: tokens.refreshToken })
    expect([400, 401]).toContain(refused.status)
  })

  it("401 on a missing or unknown bearer token", async () => {
    expect((await fetch(`${sandbox.baseUrl}/accounts/accountNumbers`)).status).toBe(401)
    expect((await accountNumbers("made-up")).status).toBe(401)
  })
})
