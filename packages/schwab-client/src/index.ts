/**
 * @fill-tracker/schwab-client — the Schwab Trader API client (orders, accounts, OAuth) as
 * Effect services on `@effect/platform`'s HttpClient, with typed errors, retries, a shared
 * rate limiter and encrypted token storage. The sandbox is at `@fill-tracker/schwab-sandbox`.
 *
 * @since 0.1.0
 */

/** The daily order-entry budget (places, replaces, cancels) and its shared form. @since 0.2.0 @category rate limits */
export * as OrderEntryBudget from "./OrderEntryBudget.js"
/** One shared client-side rate limiter (sliding window on Effect's Clock). @since 0.1.0 @category constructors */
export * as RateLimiter from "./RateLimiter.js"
/** The optional hook every exchange and retry is reported to (`RequestObserver.RequestObserver` tag). @since 0.2.0 @category services */
export * as RequestObserver from "./RequestObserver.js"
/** The OAuth service: authorize URL, code exchange, refresh, access tokens, token status. @since 0.1.0 @category services */
export * as SchwabAuth from "./SchwabAuth.js"
/** The Trader API service: accounts, get/list/place/cancel/replace orders. @since 0.1.0 @category services */
export * as SchwabClient from "./SchwabClient.js"
/** Config values, defaults, `Config` reader and layers (`SchwabConfig.layer`, `SchwabConfig.layerConfig`). @since 0.1.0 @category layers */
export * as SchwabConfig from "./SchwabConfig.js"
/** The typed errors (`Unauthorized`, `RateLimited`, ... and the `SchwabError` union). @since 0.1.0 @category errors */
export * from "./SchwabError.js"
/** The account-activity streamer client (`StreamerClient.make`, `StreamerClient.layer`, events). @since 0.1.0 @category services */
export * as StreamerClient from "./streamer/StreamerClient.js"
/** Streamer timings and their defaults. @since 0.1.0 @category models */
export * as StreamerConfig from "./streamer/StreamerConfig.js"
/** Why a streamer connection ended. @since 0.1.0 @category errors */
export { StreamerError } from "./streamer/StreamerError.js"
/** The streamer client's state for health and metrics. @since 0.1.0 @category models */
export * as StreamerStatus from "./streamer/StreamerStatus.js"
/** AES-256-GCM encryption of the token blob (`encrypt`, `decrypt`). @since 0.1.0 @category constructors */
export * as TokenCipher from "./TokenCipher.js"
/** Where the encrypted token blob lives (`TokenStore.TokenStore` tag, `TokenStore.layerMemory`). @since 0.1.0 @category services */
export * as TokenStore from "./TokenStore.js"
