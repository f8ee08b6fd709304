/**
 * An optional hook the client reports every HTTP exchange and every retry to, so the app
 * can count them (by route and status, retried attempts included) without the client
 * knowing about metrics. Read from the calling fiber's context; absent, nothing is reported.
 *
 * @since 0.2.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/** One request as it ended. @since 0.2.0 @category models */
export interface Exchanged {
  readonly method: string
  /** The route template, never the concrete URL (it holds the account hash). */
  readonly route: string
  /** The HTTP status, or undefined when no answer came (timeout, transport failure). */
  readonly status: number | undefined
  /** `TransportError` or `RequestTimeout` when there was no answer. */
  readonly error: string | undefined
  readonly durationMs: number
}

/** @since 0.2.0 @category models */
export interface RequestObserverService {
  readonly exchanged: (e: Exchanged) => void
  /** A request about to be sent again by the retry policy (attempt 2 and later). */
  readonly retrying: (e: {
    readonly method: string
    readonly route: string
    readonly attempt: number
  }) => void
}

/** @since 0.2.0 @category services */
export class RequestObserver extends Context.Tag("@fill-tracker/schwab-client/RequestObserver")<
  RequestObserver,
  RequestObserverService
>() {}

/** Reports to the observer in the context, if there is one. @since 0.2.0 @category combinators */
export const observe = (f: (o: RequestObserverService) => void): Effect.Effect<void> =>
  Effect.map(Effect.serviceOption(RequestObserver), (o) => {
    if (Option.isSome(o)) f(o.value)
  })
