/**
 * `@fill-tracker/domain/testing`: realistic Schwab bodies (JSON text in the real shape:
 * int64 ids above 2^53, `+0000` times, four-decimal prices, spreads, TRIGGER and OCO trees,
 * broken elements) with the ids and paths the tests assert on. Shared by every package's
 * tests and proofs, and by anyone testing code that reads Schwab orders.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 @category testing */
export * from "./fixtures/index.js"
