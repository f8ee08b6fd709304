/** Poller options from the app config, so `run`, the demo and the facade agree. */
import { type AccountHash, Decimal } from "@fill-tracker/domain"
import type { AppConfig } from "../config/AppConfig.js"
import type { PollerOptions } from "./Poller.js"

/** A cycle may run this long before it is cut; the next one starts over from the store. */
const cycleTimeoutFor = (config: AppConfig) => Math.max(60_000, 4 * config.pollingInterval)

export const pollerOptionsFrom = (
  config: AppConfig,
  accounts: ReadonlyArray<AccountHash>
): PollerOptions => ({
  intervalMs: config.pollingInterval,
  maxJitterMs: config.pollingMaxJitter,
  cycleTimeoutMs: cycleTimeoutFor(config),
  graceMs: config.shutdownGrace,
  concurrency: config.pollConcurrency,
  priceBand: Decimal.fromString(config.priceBand) ?? Decimal.make(5n, 2),
  accounts
})
