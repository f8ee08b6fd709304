/** Poller options from the app config, so `run`, the demo and the facade agree. */
import * as os from "node:os"
import { type AccountHash, Decimal } from "@fill-tracker/domain"
import type { AppConfig } from "../config/AppConfig.js"
import type { PollerOptions } from "./Poller.js"
import { UntrackedReport } from "./untracked.js"

/** A cycle may run this long before it is cut; the next one starts over from the store. */
const cycleTimeoutFor = (config: AppConfig) => Math.max(60_000, 4 * config.pollingInterval)

/**
 * A lease lives one interval, and at least 5 s: processes on one SQLite file wait for its
 * write lock synchronously (better-sqlite3), which can hold a live poller's renewals back
 * for seconds. The keeper renews every quarter of that.
 */
const leaseTtlFor = (config: AppConfig) => Math.max(5_000, config.pollingInterval)

/** The default poller id names the machine and the process, so two pollers never share one. */
export const defaultPollerId = () => `${os.hostname()}-${process.pid}`

export const pollerOptionsFrom = (
  config: AppConfig,
  accounts: ReadonlyArray<AccountHash>
): PollerOptions => ({
  intervalMs: config.pollingInterval,
  maxJitterMs: config.pollingMaxJitter,
  cycleTimeoutMs: cycleTimeoutFor(config),
  graceMs: config.shutdownGrace,
  freshOffsetsMs: config.freshPollOffsets ?? [],
  concurrency: config.pollConcurrency,
  priceBand: Decimal.fromString(config.priceBand) ?? Decimal.make(5n, 2),
  accounts,
  ...(config.orderTag === undefined || config.orderTag === ""
    ? {}
    : {
        untracked: {
          options: { tag: config.orderTag, lookbackMs: config.untrackedLookback ?? 24 * 3_600_000 },
          report: new UntrackedReport()
        }
      }),
  ...(config.replacementSearch === undefined ? {} : { replacementSearchMs: config.replacementSearch }),
  ...(config.intentWindow === undefined ? {} : { intentWindowMs: config.intentWindow }),
  streaming: config.streaming === true,
  lease: {
    pollerId: config.pollerId ?? defaultPollerId(),
    shards: config.pollerShards ?? 16,
    ttlMs: leaseTtlFor(config)
  }
})
