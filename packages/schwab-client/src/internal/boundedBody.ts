/**
 * Reads a response body up to a limit. `response.text` keeps everything it is sent: a body
 * that never ends grew the process to 1.57 GB before the request timeout. Here a declared
 * `Content-Length` over the limit fails before reading, and a streamed body fails at the
 * first chunk past it; failing ends the stream, which destroys the body and its connection.
 */
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

/** Why reading stopped: the body was over the limit. */
export interface OverLimit {
  readonly _tag: "OverLimit"
}

const overLimit: OverLimit = { _tag: "OverLimit" }

/** The body as UTF-8 text, or OverLimit once it passes `limit` bytes. */
export const boundedText = (
  response: HttpClientResponse.HttpClientResponse,
  limit: number
): Effect.Effect<string, HttpClientError.ResponseError | OverLimit> => {
  const declared = Number(response.headers["content-length"])
  if (Number.isFinite(declared) && declared > limit) return Effect.fail(overLimit)
  const chunks: Array<Uint8Array> = []
  return response.stream.pipe(
    Stream.runFoldEffect(0, (size, chunk): Effect.Effect<number, OverLimit> => {
      const next = size + chunk.byteLength
      if (next > limit) return Effect.fail(overLimit)
      chunks.push(chunk)
      return Effect.succeed(next)
    }),
    Effect.map(() => Buffer.concat(chunks).toString("utf8"))
  )
}
