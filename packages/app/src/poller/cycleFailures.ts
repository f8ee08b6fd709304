/**
 * How a cycle's failures are told apart for `/health`: a store that cannot write, Schwab
 * refusing our authorization, and anything else. The store's errors can arrive as typed
 * failures (an append) or as defects (the shared rate limit and the token store die on a
 * database error), so both halves of a Cause are searched.
 */
import { Cause } from "effect"

const tagOf = (e: unknown): unknown =>
  typeof e === "object" && e !== null && "_tag" in e ? (e as { _tag: unknown })._tag : undefined

const messageOf = (e: unknown): string =>
  typeof e === "object" && e !== null && "message" in e
    ? String((e as { message: unknown }).message)
    : String(e)

/** Refused after the client's one refresh and resend, or the refresh token itself is refused. */
export const isAuthorizationError = (e: unknown): boolean => {
  const tag = tagOf(e)
  return tag === "Unauthorized" || tag === "ReauthorizationRequired"
}

/** The message of the first store error anywhere in the cause (failure or defect), if any. */
export const storeErrorIn = (cause: Cause.Cause<unknown>): string | undefined => {
  for (const e of [...Cause.failures(cause), ...Cause.defects(cause)]) {
    // A dying service may wrap the store's error in its own.
    for (let current: unknown = e, depth = 0; current !== undefined && depth < 4; depth++) {
      if (tagOf(current) === "StoreError") return messageOf(current)
      current =
        typeof current === "object" && current !== null ? (current as { cause?: unknown }).cause : undefined
    }
  }
  return undefined
}

/** One line for health and logs: the first failure or defect, not the whole trace. */
export const describeCause = (cause: Cause.Cause<unknown>): string => {
  const first = [...Cause.failures(cause), ...Cause.defects(cause)][0]
  if (first === undefined) return Cause.isInterruptedOnly(cause) ? "interrupted" : "unknown failure"
  return messageOf(first).split("\n")[0] ?? ""
}
