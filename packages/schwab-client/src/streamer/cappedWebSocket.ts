/**
 * The streamer's WebSocket, with a cap on the size of one message.
 *
 * `@effect/platform-node`'s constructor takes `ws` with its defaults (a 100 MiB message,
 * Node 22's global WebSocket: no cap at all), so a streamer that sends one huge message, or
 * a fragmented one that never ends, is buffered to that size before anything reads it.
 * `ws` checks `maxPayload` against each frame's declared length, and the running total of
 * a fragmented (or decompressed) message, before it buffers the payload: past the cap it
 * closes the connection with 1009 and reports `WS_ERR_UNSUPPORTED_MESSAGE_LENGTH`, which
 * the client turns into `FrameTooLarge`.
 *
 * @since 0.1.0
 */
import * as Socket from "@effect/platform/Socket"
import * as Layer from "effect/Layer"
import { WebSocket } from "ws"

/** The code `ws` gives the error when a message is over `maxPayload`. */
const TOO_LARGE_CODE = "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH"

/** WebSocket close code 1009, Message Too Big (RFC 6455 §7.4.1). */
export const MESSAGE_TOO_BIG = 1009

/**
 * Whether what a socket failed with is `ws`'s error for a message over the cap (bare, or
 * as the `error` event carries it).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isFrameTooLarge = (cause: unknown): boolean => {
  const error = typeof cause === "object" && cause !== null && "error" in cause ? cause.error : cause
  return typeof error === "object" && error !== null && "code" in error && error.code === TOO_LARGE_CODE
}

/**
 * A `WebSocketConstructor` on `ws` that refuses a message longer than `maxFrameBytes`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWebSocketConstructor = (maxFrameBytes: number): Layer.Layer<Socket.WebSocketConstructor> =>
  Layer.succeed(
    Socket.WebSocketConstructor,
    (url, protocols) =>
      // ws's class is the WHATWG interface plus its own options; the Socket module reads the former.
      new WebSocket(url, protocols, { maxPayload: maxFrameBytes }) as unknown as globalThis.WebSocket
  )
