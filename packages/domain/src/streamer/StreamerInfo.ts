/**
 * `GET /userPreference`: where and as whom to open the streamer (`streamerInfo[0]`).
 *
 * The spec declares the body an array of `UserPreference`; the real answer is one object,
 * and public clients read `body.streamerInfo[0]` (streamer.md §1). Both shapes are read.
 * `streamerInfo` holds one element even for several accounts: one connection covers all.
 *
 * @since 0.1.0
 */
import * as E from "fp-ts/lib/Either.js"
import { at, isRecord } from "../internal/streamerFields.js"
import { parseLosslessJson } from "../schwab/LosslessJson.js"

/**
 * Streamer connection info. `customerId` and `correlId` identify the user and session:
 * keep them out of logs like an account number.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamerInfo {
  /** `wss://…`, read from the answer (never hard-coded). */
  readonly socketUrl: string
  readonly customerId: string
  readonly correlId: string
  /** LOGIN `SchwabClientChannel`, e.g. `N9`. */
  readonly channel: string
  /** LOGIN `SchwabClientFunctionId`, e.g. `APIAPP`. */
  readonly functionId: string
}

/**
 * Why the user preferences name no usable streamer; never holds an id.
 *
 * @since 0.1.0
 * @category errors
 */
export interface StreamerInfoDecodeError {
  readonly _tag: "StreamerInfoDecodeError"
  readonly path: string
  readonly message: string
}

const fail = (path: string, message: string): E.Either<StreamerInfoDecodeError, never> =>
  E.left({ _tag: "StreamerInfoDecodeError", path, message })

const FIELDS = [
  ["socketUrl", "streamerSocketUrl"],
  ["customerId", "schwabClientCustomerId"],
  ["correlId", "schwabClientCorrelId"],
  ["channel", "schwabClientChannel"],
  ["functionId", "schwabClientFunctionId"]
] as const

/**
 * Decodes the body of `GET /userPreference` (one object, or an array whose first element
 * holds `streamerInfo`). The socket URL must be `ws:` or `wss:`. Never throws.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeStreamerInfo = (text: string): E.Either<StreamerInfoDecodeError, StreamerInfo> => {
  const json = parseLosslessJson(text)
  if (E.isLeft(json)) return fail("<root>", json.left.message)
  const preference = Array.isArray(json.right) ? json.right[0] : json.right
  const prefix = Array.isArray(json.right) ? "0.streamerInfo" : "streamerInfo"
  const list = at(preference, "streamerInfo")
  if (!Array.isArray(list) || list.length === 0)
    return fail(prefix, "no streamerInfo: this authorization cannot stream")
  const info = list[0]
  if (!isRecord(info)) return fail(`${prefix}.0`, "expected an object")
  const out: Record<string, string> = {}
  for (const [key, wire] of FIELDS) {
    const value = info[wire]
    if (typeof value !== "string" || value === "")
      return fail(`${prefix}.0.${wire}`, "expected a non-empty string")
    out[key] = value
  }
  if (!/^wss?:\/\//i.test(out.socketUrl ?? ""))
    return fail(`${prefix}.0.streamerSocketUrl`, "not a ws: or wss: URL")
  return E.right(out as unknown as StreamerInfo)
}
