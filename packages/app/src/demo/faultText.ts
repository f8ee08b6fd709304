/** How the demo names an injected fault as it happens: what the client met, in a few words. */
import type { FaultEvent, FaultKind } from "@fill-tracker/schwab-sandbox"

const KIND_TEXT: Record<FaultKind, string> = {
  rateLimited: "429 rate limited",
  serverError: "500 server error",
  unavailable: "503 unavailable",
  latency: "slow answer",
  hang: "no answer (hangs)",
  malformedJson: "200 with a body that is not JSON",
  truncatedJson: "body cut short",
  connectionReset: "connection reset mid-body",
  endlessBody: "200 with a body that never ends",
  largeErrorBody: "400 with a 100 KB error body",
  unauthorized: "401 access token expired",
  forbidden: "403 forbidden",
  noLocation: "placed, answer without Location",
  foreignHostLocation: "placed, Location on another host",
  foreignAccountLocation: "placed, Location in another account",
  held: "answer held back, then sent"
}

/** `GET /accounts/{hash}/orders: 429 rate limited, Retry-After 1 s`. */
export const faultText = (event: FaultEvent): string => {
  const { fault } = event
  const detail =
    fault.kind === "rateLimited" && fault.retryAfterSeconds !== undefined
      ? `, Retry-After ${fault.retryAfterSeconds} s`
      : fault.kind === "latency"
        ? ` (${fault.latencyMs ?? 1000} ms)`
        : ""
  return `${event.route}: ${KIND_TEXT[fault.kind]}${detail}`
}
