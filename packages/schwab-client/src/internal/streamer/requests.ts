/**
 * The streamer requests this client sends, in the envelope of streamer.md §2. The token and
 * ids leave their Redacted wrappers only here, inside the text that goes on the socket.
 */
import * as Redacted from "effect/Redacted"
import type { StreamerInfo } from "../../SchwabClient.js"

/** The SUBS key: echoed back in every message's `key` (Schwabdev and LEAN send this). */
export const SUBSCRIPTION_KEY = "Account Activity"

const envelope = (
  info: StreamerInfo,
  service: string,
  command: string,
  requestId: number,
  parameters: object
) =>
  JSON.stringify({
    requests: [
      {
        service,
        command,
        requestid: requestId,
        SchwabClientCustomerId: Redacted.value(info.customerId),
        SchwabClientCorrelId: Redacted.value(info.correlId),
        parameters
      }
    ]
  })

/** ADMIN LOGIN with the bare access token (no `Bearer `). */
export const login = (info: StreamerInfo, token: Redacted.Redacted<string>, requestId: number): string =>
  envelope(info, "ADMIN", "LOGIN", requestId, {
    Authorization: Redacted.value(token),
    SchwabClientChannel: info.channel,
    SchwabClientFunctionId: info.functionId
  })

/** ACCT_ACTIVITY SUBS (not ADD, which was found not to work for this service). */
export const subscribe = (info: StreamerInfo, requestId: number): string =>
  envelope(info, "ACCT_ACTIVITY", "SUBS", requestId, { keys: SUBSCRIPTION_KEY, fields: "0,1,2,3" })

/** ADMIN LOGOUT, sent when the client stops. */
export const logout = (info: StreamerInfo, requestId: number): string =>
  envelope(info, "ADMIN", "LOGOUT", requestId, {})
