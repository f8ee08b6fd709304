/**
 * Delays between attempts: exponential backoff with jitter, or Schwab's `Retry-After`.
 * (`HttpClient.retryTransient` ignores `Retry-After`, hence our own.)
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import { observe } from "../RequestObserver.js"
import type { RetryPolicy } from "../SchwabConfig.js"

/**
 * `Retry-After` as delta-seconds (`"120"`) or an HTTP date (`"Wed, 21 Oct 2015 07:28:00 GMT"`),
 * relative to `nowMillis`. A date in the past is zero; anything unreadable is none.
 */
export const parseRetryAfter = (
  header: string | undefined,
  nowMillis: number
): Option.Option<Duration.Duration> => {
  if (header === undefined) return Option.none()
  const text = header.trim()
  if (/^\d+$/.test(text)) return Option.some(Duration.seconds(Number.parseInt(text, 10)))
  // Only an HTTP date (it names a weekday or a month); Date.parse alone would take "5.5".
  if (!/[A-Za-z]{3}/.test(text)) return Option.none()
  const at = Date.parse(text)
  if (Number.isNaN(at)) return Option.none()
  return Option.some(Duration.millis(Math.max(0, at - nowMillis)))
}

/** The pause before retry number `retry` (1 for the first retry): base·2^(retry-1), ±50 % jitter, capped. */
export const backoffDelay = (policy: RetryPolicy, retry: number): Effect.Effect<Duration.Duration> =>
  Effect.map(Random.next, (r) => {
    const base = Duration.toMillis(policy.baseDelay) * 2 ** Math.max(0, retry - 1)
    const jittered = base * (0.5 + r)
    return Duration.millis(Math.min(jittered, Duration.toMillis(policy.maxDelay)))
  })

/** Schwab's `Retry-After` when it gave one (capped), else the backoff. */
export const retryDelay = (
  policy: RetryPolicy,
  retry: number,
  retryAfter: Duration.Duration | undefined
): Effect.Effect<Duration.Duration> =>
  retryAfter === undefined
    ? backoffDelay(policy, retry)
    : Effect.succeed(Duration.min(retryAfter, policy.maxRetryAfter))

const retryAfterOf = (e: unknown): Duration.Duration | undefined => {
  const d = typeof e === "object" && e !== null ? (e as { retryAfter?: unknown }).retryAfter : undefined
  return Duration.isDuration(d) ? d : undefined
}

/**
 * Runs `attempt(n)` (n from 1) until it succeeds, fails with an error `shouldRetry` refuses,
 * or `policy.maxAttempts` attempts are spent. The wait honours the error's `retryAfter`.
 */
export const withRetry = <A, E, R>(
  policy: RetryPolicy,
  shouldRetry: (e: E) => boolean,
  attempt: (n: number) => Effect.Effect<A, E, R>,
  /** Named in the retries reported to a RequestObserver. */
  endpoint?: { readonly method: string; readonly route: string }
): Effect.Effect<A, E, R> => {
  const reported = (n: number) =>
    n === 1 || endpoint === undefined
      ? attempt(n)
      : Effect.zipRight(
          observe((o) => o.retrying({ ...endpoint, attempt: n })),
          attempt(n)
        )
  const loop = (n: number): Effect.Effect<A, E, R> =>
    Effect.catchAll(reported(n), (e) =>
      n < policy.maxAttempts && shouldRetry(e)
        ? Effect.flatMap(retryDelay(policy, n, retryAfterOf(e)), (d) =>
            Effect.zipRight(Effect.sleep(d), loop(n + 1))
          )
        : Effect.fail(e)
    )
  return loop(1)
}
