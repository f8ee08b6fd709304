/**
 * The token endpoint and the authorizations behind it. Lifetimes follow Schwab: an
 * authorization code lives 30 s, an access token `accessTokenTtlSeconds`, and the
 * refresh token 7 days from the person's authorization; refreshing keeps the same
 * refresh token and never extends it.
 *
 * @since 0.1.0
 */
import type { SandboxClock } from "./Clock.js"
import type { JsonValue } from "./JsonText.js"
import type { Random } from "./Random.js"

/** @since 0.1.0 @category models */
export interface OAuthOptions {
  readonly appKey: string
  readonly appSecret: string
  readonly accessTokenTtlSeconds: number
}

/** @since 0.1.0 @category models */
export interface TokenAnswer {
  readonly status: number
  readonly body: JsonValue
}

/** @since 0.1.0 @category models */
export interface IssuedTokens {
  readonly accessToken: string
  readonly refreshToken: string
  readonly idToken: string
  readonly expiresIn: number
}

/** @since 0.1.0 @category models */
export type AccessCheck = "ok" | "missing" | "expired" | "unknown"

const CODE_TTL_MS = 30_000
const REFRESH_TTL_MS = 7 * 24 * 60 * 60 * 1000

interface Grant {
  readonly refreshToken: string
  readonly expiresAt: number
  revoked: boolean
}

/** @since 0.1.0 @category constructors */
export class OAuth {
  private readonly codes = new Map<string, { expiresAt: number; redirectUri?: string }>()
  private readonly grants = new Map<string, Grant>()
  private readonly accessTokens = new Map<string, number>()

  constructor(
    private readonly options: OAuthOptions,
    private readonly clock: SandboxClock,
    private readonly rng: Random
  ) {}

  /** A code as Schwab issues it; it ends in `@`, so a redirect carries it as `%40`. */
  issueAuthorizationCode(redirectUri?: string): string {
    const code = `C0.b2F1dGgyLmJkYy5zY2h3YWIuY29t.${this.rng.alphanumeric(43)}@`
    this.codes.set(code, {
      expiresAt: this.clock.now() + CODE_TTL_MS,
      ...(redirectUri === undefined ? {} : { redirectUri })
    })
    return code
  }

  /** Authorizes without HTTP, as if a person had just pasted a fresh code. */
  authorize(): IssuedTokens {
    const grant: Grant = {
      refreshToken: `${this.rng.alphanumeric(43)}@`,
      expiresAt: this.clock.now() + REFRESH_TTL_MS,
      revoked: false
    }
    this.grants.set(grant.refreshToken, grant)
    return this.issue(grant)
  }

  checkAccess(authorization: string | undefined): AccessCheck {
    const match = /^Bearer (\S+)$/.exec(authorization ?? "")
    if (match === null) return "missing"
    const expiresAt = this.accessTokens.get(match[1] ?? "")
    if (expiresAt === undefined) return "unknown"
    return this.clock.now() < expiresAt ? "ok" : "expired"
  }

  expireAccessTokens(): void {
    for (const token of this.accessTokens.keys()) this.accessTokens.set(token, Number.NEGATIVE_INFINITY)
  }

  revokeRefreshTokens(): void {
    for (const grant of this.grants.values()) grant.revoked = true
  }

  /** When the refresh token of the latest authorization stops working (epoch ms). */
  refreshTokenExpiresAt(): number | undefined {
    return [...this.grants.values()].at(-1)?.expiresAt
  }

  token(authorization: string | undefined, body: string): TokenAnswer {
    if (!this.clientAuthenticated(authorization)) return { status: 401, body: { error: "invalid_client" } }
    const form = new URLSearchParams(body)
    switch (form.get("grant_type")) {
      case "authorization_code":
        return this.exchangeCode(form)
      case "refresh_token":
        return this.refresh(form.get("refresh_token") ?? "")
      default:
        return { status: 400, body: { error: "unsupported_grant_type" } }
    }
  }

  private clientAuthenticated(authorization: string | undefined): boolean {
    const match = /^Basic (\S+)$/.exec(authorization ?? "")
    if (match === null) return false
    const decoded = Buffer.from(match[1] ?? "", "base64").toString("utf8")
    return decoded === `${this.options.appKey}:${this.options.appSecret}`
  }

  private exchangeCode(form: URLSearchParams): TokenAnswer {
    const code = form.get("code") ?? ""
    const issued = this.codes.get(code)
    // A code is good once; Schwab answers a spent, stale or unknown one alike.
    this.codes.delete(code)
    const redirectOk = issued?.redirectUri === undefined || issued.redirectUri === form.get("redirect_uri")
    if (issued === undefined || this.clock.now() >= issued.expiresAt || !redirectOk) {
      return {
        status: 400,
        body: { error: "invalid_grant", error_description: "Authorization code is invalid or expired" }
      }
    }
    return { status: 200, body: tokenBody(this.authorize()) }
  }

  private refresh(refreshToken: string): TokenAnswer {
    const grant = this.grants.get(refreshToken)
    if (grant === undefined || grant.revoked || this.clock.now() >= grant.expiresAt)
      return this.refreshRefused()
    return { status: 200, body: tokenBody(this.issue(grant)) }
  }

  /** Schwab answers a dead refresh token in several ways; a client must not match one. */
  private refreshRefused(): TokenAnswer {
    switch (this.rng.int(0, 2)) {
      case 0:
        return {
          status: 400,
          body: {
            error: "unsupported_token_type",
            error_description:
              '400 Bad Request: "{"error_description":"Exception while authenticating refresh token [...]","error":"refresh_token_authentication_error"}"'
          }
        }
      case 1:
        return { status: 400, body: { error: "refresh_token_authentication_error" } }
      default:
        return { status: 401, body: { error: "invalid_client" } }
    }
  }

  private issue(grant: Grant): IssuedTokens {
    const accessToken = `I0.b2F1dGgyLmNkYy5zY2h3YWIuY29t.${this.rng.alphanumeric(43)}@`
    this.accessTokens.set(accessToken, this.clock.now() + this.options.accessTokenTtlSeconds * 1000)
    return {
      accessToken,
      refreshToken: grant.refreshToken,
      idToken: `eyJhbGciOiJSUzI1NiJ9.${this.rng.alphanumeric(40)}.${this.rng.alphanumeric(43)}`,
      expiresIn: this.options.accessTokenTtlSeconds
    }
  }
}

const tokenBody = (tokens: IssuedTokens): JsonValue => ({
  expires_in: tokens.expiresIn,
  token_type: "Bearer",
  scope: "api",
  refresh_token: tokens.refreshToken,
  access_token: tokens.accessToken,
  id_token: tokens.idToken
})
