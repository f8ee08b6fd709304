/**
 * Injected failures, per route. A fault fires a number of `times` (default once) or,
 * with `probability`, on a seeded coin so a seed replays the same failures.
 *
 * @since 0.1.0
 */
import type { Random } from "./Random.js"

/** @since 0.1.0 @category models */
export type RouteName =
  | "authorize"
  | "token"
  | "accountNumbers"
  | "placeOrder"
  | "getOrder"
  | "listOrders"
  | "replaceOrder"
  | "cancelOrder"
  | "userPreference"

/** @since 0.1.0 @category models */
export type FaultRoute = RouteName | "*"

/**
 * - `rateLimited`: 429, with `Retry-After` when `retryAfterSeconds` is given
 * - `serverError`: 500; `unavailable`: 503
 * - `latency`: answers normally after `latencyMs` of real time
 * - `hang`: never answers; the socket stays open until the client gives up or the sandbox closes
 * - `malformedJson`: 200 with a body that is not JSON
 * - `truncatedJson`: the real status and headers with the real body cut in the middle
 * - `connectionReset`: announces the full body, sends half, destroys the socket
 * - `endlessBody`: 200 with a chunked JSON body that never ends (sent as fast as the client
 *   reads it, until it hangs up)
 * - `largeErrorBody`: 400 with a Schwab error body of about 100 KB (a long message and
 *   hundreds of long errors)
 * - `unauthorized`: 401 as if the access token had expired (`invalid_client` on the token route)
 * - `forbidden`: 403, as Schwab answers for an account or action the app may not use
 * - `noLocation`: the real 2xx answer (the order is placed) without its `Location` header
 * - `foreignHostLocation`, `foreignAccountLocation`: the real 2xx answer with a `Location`
 *   naming another host, or another account's order, in place of the new order's
 * - `held`: the request waits until its fault's handle is `release()`d, then gets the real
 *   answer; with `afterHandling` the route acts first (the order exists while the answer
 *   waits): an answer that comes late, at the moment a test chooses
 *
 * @since 0.1.0
 * @category models
 */
export type FaultKind =
  | "rateLimited"
  | "serverError"
  | "unavailable"
  | "latency"
  | "hang"
  | "malformedJson"
  | "truncatedJson"
  | "connectionReset"
  | "endlessBody"
  | "largeErrorBody"
  | "unauthorized"
  | "forbidden"
  | "noLocation"
  | "foreignHostLocation"
  | "foreignAccountLocation"
  | "held"

/** @since 0.1.0 @category models */
export interface FaultSpec extends Firing {
  readonly route: FaultRoute
  readonly kind: FaultKind
  readonly retryAfterSeconds?: number
  readonly latencyMs?: number
  /**
   * Run the route (and its side effect, e.g. placing the order) before failing.
   * Default: true for `latency`, `truncatedJson`, `malformedJson` and
   * `connectionReset`, which need the real answer; false for the others. A `hang`
   * or `serverError` with this set is the ambiguous "did my order go through?" case.
   */
  readonly afterHandling?: boolean
}

/** @since 0.1.0 @category models */
export interface ActiveFault extends FaultSpec {
  readonly id: number
  readonly remaining: number
  readonly hits: number
}

/** @since 0.1.0 @category models */
export interface FaultHandle {
  readonly id: number
  readonly remove: () => void
  /** How many requests it has hit so far. */
  readonly hits: () => number
  /** Lets the requests it holds (a `held` fault) go on, and every later one at once. */
  readonly release: () => void
}

const NEEDS_ANSWER: ReadonlySet<FaultKind> = new Set([
  "noLocation",
  "foreignHostLocation",
  "foreignAccountLocation",
  "latency",
  "truncatedJson",
  "malformedJson",
  "connectionReset"
])

/** @since 0.1.0 @category guards */
export const runsHandlerFirst = (fault: FaultSpec): boolean =>
  fault.afterHandling ?? NEEDS_ANSWER.has(fault.kind)

/** What a fault table needs of a spec: how often it fires. @since 0.1.0 @category models */
export interface Firing {
  /** How many times it fires (default 1 unless `probability` is given, then unlimited). */
  readonly times?: number
  /** Chance per opportunity, drawn from the sandbox seed. */
  readonly probability?: number
}

/**
 * Injected faults of one kind of spec, fired by count or on a seeded coin. The HTTP
 * routes and the streamer each keep one; `take` answers the first matching fault.
 *
 * @since 0.1.0
 * @category constructors
 */
export class FaultTable<S extends Firing> {
  private faults: Array<{ spec: S; id: number; remaining: number; hits: number }> = []
  private nextId = 1
  /** Per injected spec, the gate `release()` opens (what a `held` request waits on). */
  private readonly gates = new WeakMap<S, { readonly opened: Promise<void>; readonly open: () => void }>()

  constructor(private readonly rng: Random) {}

  inject(spec: S): FaultHandle {
    if (spec.probability !== undefined && !(spec.probability >= 0 && spec.probability <= 1)) {
      throw new Error(`fault probability ${spec.probability} is not in [0, 1]`)
    }
    const entry = {
      spec,
      id: this.nextId++,
      remaining: spec.times ?? (spec.probability === undefined ? 1 : Number.POSITIVE_INFINITY),
      hits: 0
    }
    this.faults.push(entry)
    let open = () => {}
    const opened = new Promise<void>((resolve) => {
      open = resolve
    })
    this.gates.set(spec, { opened, open })
    return {
      id: entry.id,
      remove: () => {
        this.faults = this.faults.filter((fault) => fault !== entry)
      },
      hits: () => entry.hits,
      release: () => open()
    }
  }

  /** Resolves once the handle of the injected `spec` is released (at once for a spec never injected). */
  released(spec: S): Promise<void> {
    return this.gates.get(spec)?.opened ?? Promise.resolve()
  }

  clear(): void {
    this.faults = []
  }

  active(): ReadonlyArray<S & { readonly id: number; readonly remaining: number; readonly hits: number }> {
    return this.faults.map((fault) => ({
      ...fault.spec,
      id: fault.id,
      remaining: fault.remaining,
      hits: fault.hits
    }))
  }

  /** The first injected fault that `matches` and fires now, if any. */
  takeWhere(matches: (spec: S) => boolean): S | undefined {
    for (const fault of this.faults) {
      if (fault.remaining <= 0 || !matches(fault.spec)) continue
      if (fault.spec.probability !== undefined && !this.rng.chance(fault.spec.probability)) continue
      fault.remaining -= 1
      fault.hits += 1
      if (fault.remaining <= 0) this.faults = this.faults.filter((other) => other !== fault)
      return fault.spec
    }
    return undefined
  }
}

/** @since 0.1.0 @category constructors */
export class Faults extends FaultTable<FaultSpec> {
  /** The fault this request meets, if any; the first injected that matches wins. */
  take(route: RouteName): FaultSpec | undefined {
    return this.takeWhere((spec) => spec.route === "*" || spec.route === route)
  }
}
