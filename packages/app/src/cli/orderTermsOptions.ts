/**
 * The order-terms flags `place` and `replace` share: order type, limit and stop price,
 * duration and session. The words come from the domain's codecs, so a flag offers exactly
 * what a placement accepts; combinations (a LIMIT without --price, ...) are checked by
 * the tracker, which names the field and exits 2 before anything is recorded.
 */
import { Options } from "@effect/cli"
import { Direction, OrderDuration, OrderSession, OrderType } from "@fill-tracker/domain"
import { Option } from "effect"
import type { OrderTermsInput } from "../tracker/Placement.js"
import { choice } from "./options.js"

/** A keyof codec's words, in the spec's order. */
const words = <A extends string>(codec: { readonly keys: { readonly [K in A]: null } }): ReadonlyArray<A> =>
  Object.keys(codec.keys).filter((k): k is A => k in codec.keys)

/** The instruction of a placed or submitted order: the four equity ones, kept as given. */
export const directionOption = choice("direction", words(Direction)).pipe(
  Options.withDescription("BUY, SELL, SELL_SHORT or BUY_TO_COVER")
)

export const orderTermsOptions = {
  orderType: choice("order-type", words(OrderType)).pipe(
    Options.withDescription(
      "MARKET, LIMIT (needs --price), STOP (needs --stop-price) or STOP_LIMIT (needs both)"
    ),
    Options.withDefault("MARKET" as const)
  ),
  price: Options.text("price").pipe(
    Options.withPseudoName("decimal"),
    Options.withDescription(
      "The limit of a LIMIT or STOP_LIMIT order, exact decimal: whole cents from $1.00 (150.25), up to 4 decimals below (0.5123)"
    ),
    Options.optional
  ),
  stopPrice: Options.text("stop-price").pipe(
    Options.withPseudoName("decimal"),
    Options.withDescription(
      "The trigger of a STOP or STOP_LIMIT order, exact decimal (same ticks as --price)"
    ),
    Options.optional
  ),
  duration: choice("duration", words(OrderDuration)).pipe(
    Options.withDescription("How long the order works (Schwab's durations)"),
    Options.withDefault("DAY" as const)
  ),
  session: choice("session", words(OrderSession)).pipe(
    Options.withDescription("NORMAL (regular hours), AM, PM or SEAMLESS (extended hours: LIMIT orders only)"),
    Options.withDefault("NORMAL" as const)
  )
}

/** The parsed flags as the tracker's order terms. */
export const orderTermsOf = (args: {
  readonly orderType: NonNullable<OrderTermsInput["orderType"]>
  readonly price: Option.Option<string>
  readonly stopPrice: Option.Option<string>
  readonly duration: NonNullable<OrderTermsInput["duration"]>
  readonly session: NonNullable<OrderTermsInput["session"]>
}): OrderTermsInput => ({
  orderType: args.orderType,
  duration: args.duration,
  session: args.session,
  ...(Option.isSome(args.price) ? { price: args.price.value } : {}),
  ...(Option.isSome(args.stopPrice) ? { stopPrice: args.stopPrice.value } : {})
})
