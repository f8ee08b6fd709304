/**
 * Each injected fault as it fires, for whoever watches the sandbox (the demo prints them;
 * a test can wait on one): the request log says the same afterwards, this says it now.
 *
 * @since 0.1.0
 */
import type { FaultSpec, RouteName } from "./Faults.js"

/** One request meeting an injected fault. @since 0.1.0 @category models */
export interface FaultEvent {
  /** Wall-clock epoch ms of the request's arrival. */
  readonly at: number
  readonly method: string
  /** The route template, e.g. `GET /accounts/{hash}/orders`. */
  readonly route: string
  readonly name: RouteName
  /** The fault as injected: its kind, and its `retryAfterSeconds` or `latencyMs` when set. */
  readonly fault: FaultSpec
}

/** The listeners of `onFault`. @since 0.1.0 @category constructors */
export class FaultListeners {
  private readonly listeners = new Set<(event: FaultEvent) => void>()

  /** Calls `listener` with every fault from now on; answers the function that stops it. */
  add(listener: (event: FaultEvent) => void): () => void {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  /** Tells every listener; a listener that throws does not keep the fault from the others or the request. */
  emit(event: FaultEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event)
      } catch {
        // A watcher's bug must not change what the sandbox answers.
      }
    }
  }
}
