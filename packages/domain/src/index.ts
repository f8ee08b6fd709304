/**
 * @fill-tracker/domain — the pure functional core: exact decimals, Schwab order codecs,
 * events, the TradeState reducer and the reconcile decision. fp-ts and io-ts only.
 *
 * @since 0.1.0
 */
export * as Decimal from "./Decimal.js"
export * from "./EventCodec.js"
export * from "./Events.js"
export * from "./ids.js"
export * from "./SchwabOrder.js"
export * from "./schwab/AccountNumbers.js"
export * from "./schwab/LosslessJson.js"
export * from "./schwab/OrderCodec.js"
export * from "./schwab/OrderList.js"
export * from "./schwab/OrderStatus.js"
export * from "./schwab/OrderTree.js"
export * from "./schwab/SchwabError.js"
export * from "./schwab/wire.js"
export * from "./TradeState.js"
