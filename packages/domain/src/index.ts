/**
 * @fill-tracker/domain — the pure functional core: exact decimals, Schwab order codecs,
 * events, the TradeState reducer and the reconcile decision. fp-ts and io-ts only.
 *
 * @since 0.1.0
 */
export * as Decimal from "./Decimal.js"
export * from "./EventCodec.js"
export * from "./Events.js"
/** The reducer and log fold. @since 0.1.0 @category reducers */
export { evolve, fold } from "./evolve.js"
/** Stable fill keys. @since 0.1.0 @category constructors */
export { disambiguate, fillKey } from "./fillKey.js"
/** Fill ordering and per-leg aggregation. @since 0.1.0 @category aggregation */
export {
  compareFills,
  executionTotals,
  type Fill,
  type FillTotals,
  insertFill,
  isMultiLeg,
  summarizeLegs,
  totalsOf,
  UNASSIGNED_LEG
} from "./fills.js"
export * from "./Inconsistency.js"
export * from "./ids.js"
/** Which order a placement intent made, from the account's list (never by sending again). @since 0.4.0 @category decisions */
export * from "./intentResolution.js"
export * from "./OrderRequest.js"
/** Order types, prices, durations and sessions a placement may name, and the rules that refuse bad ones. @since 0.5.0 @category validation */
export * from "./OrderTerms.js"
/** Fill sanity flags (reference price band, price <= 0, overfill). @since 0.1.0 @category sanity */
export { DEFAULT_PRICE_BAND, outsideBand, priceFlags } from "./priceSanity.js"
/** The decision: new events from a broker snapshot. @since 0.1.0 @category decisions */
export { type ReconcileOptions, reconcile } from "./reconcile.js"
/** Finding the replacement of a REPLACED order that names none. @since 0.1.0 @category decisions */
export * from "./replacementDiscovery.js"
/** Closing a replace or cancel Schwab never acted on. @since 0.4.0 @category decisions */
export * from "./requestLapse.js"
/** Whether a listed order is what a request asked for (finding a lost answer's order). @since 0.5.0 @category decisions */
export * from "./requestMatch.js"
export * from "./SchwabOrder.js"
export * from "./schwab/AccountNumbers.js"
export * from "./schwab/LosslessJson.js"
export * from "./schwab/OrderCodec.js"
export * from "./schwab/OrderList.js"
export * from "./schwab/OrderStatus.js"
export * from "./schwab/OrderTree.js"
export * from "./schwab/PlainJson.js"
export * from "./schwab/SchwabError.js"
export * from "./schwab/wire.js"
/** The fills a snapshot shows, as LegFilled events. @since 0.1.0 @category fills */
export { isFillActivity, snapshotFills } from "./snapshotFills.js"
export * from "./streamer/AcctActivity.js"
export * from "./streamer/StreamerAmount.js"
export * from "./streamer/StreamerInfo.js"
export * from "./streamer/StreamerMessage.js"
export * from "./TradeState.js"
