/**
 * Every request the sandbox saw, for assertions such as "exactly one refresh" or
 * "never more than 120 requests in a minute".
 *
 * @since 0.1.0
 */
import type { FaultKind, RouteName } from "./Faults.js"

/** @since 0.1.0 @category models */
export interface RequestRecord {
  readonly method: string
  /** The route template, e.g. `GET /accounts/{hash}/orders` or `POST /oauth/token`. */
  readonly route: string
  readonly name: RouteName | "unknown"
  /** 0 while unanswered, and for good when the request met a `hang`. */
  status: number
  /** Wall-clock epoch ms of arrival (rate limits are about real time). */
  readonly at: number
  fault?: FaultKind
}

/** @since 0.1.0 @category constructors */
export class RequestLog {
  private records: Array<RequestRecord> = []

  add(record: RequestRecord): RequestRecord {
    this.records.push(record)
    return record
  }

  all(): ReadonlyArray<RequestRecord> {
    return this.records.map((record) => ({ ...record }))
  }

  reset(): void {
    this.records = []
  }

  /** The most requests that arrived within any `windowMs` (default 60 s) sliding window. */
  maxInWindow(windowMs = 60_000, include: (record: RequestRecord) => boolean = () => true): number {
    const times = this.records
      .filter(include)
      .map((record) => record.at)
      .sort((a, b) => a - b)
    let best = 0
    let start = 0
    for (let end = 0; end < times.length; end++) {
      while ((times[end] as number) - (times[start] as number) >= windowMs) start++
      best = Math.max(best, end - start + 1)
    }
    return best
  }
}
