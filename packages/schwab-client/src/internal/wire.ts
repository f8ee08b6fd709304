/**
 * The one place the client meets the domain's Schwab wire decoders: fp-ts `Either` becomes
 * an Effect, and a decoder's problem becomes one tagged DecodeError that keeps the field path.
 */
import {
  type AccountNumberHash,
  type DecodedOrderList,
  decodeAccountNumbers,
  decodeOrder,
  decodeSchwabError,
  decodeStreamerInfo,
  type SchwabOrder,
  type StreamerInfo
} from "@fill-tracker/domain"
import * as Effect from "effect/Effect"
import type * as FpEither from "fp-ts/lib/Either.js"
import { DecodeError, type RequestContext } from "../SchwabError.js"
import { decodeOrderListInChunks } from "./chunkedOrderList.js"

interface Problem {
  readonly path?: string | undefined
  readonly message: string
}

const fromFp = <A>(
  ctx: RequestContext,
  result: FpEither.Either<Problem, A>,
  detail: (p: Problem) => string = (p) => p.message
): Effect.Effect<A, DecodeError> =>
  result._tag === "Right"
    ? Effect.succeed(result.right)
    : Effect.fail(
        new DecodeError({ ...ctx, path: result.left.path ?? "<root>", detail: detail(result.left) })
      )

export const order = (ctx: RequestContext, text: string): Effect.Effect<SchwabOrder, DecodeError> =>
  fromFp(ctx, decodeOrder(text))

/** Big lists decode in slices with yields between them (see chunkedOrderList.ts). */
export const orderList = (ctx: RequestContext, text: string): Effect.Effect<DecodedOrderList, DecodeError> =>
  Effect.flatMap(decodeOrderListInChunks(text), (decoded) => fromFp(ctx, decoded))

// The problem text may quote the offending value, which here can be an account number: keep the path only.
export const accountNumbers = (
  ctx: RequestContext,
  text: string
): Effect.Effect<ReadonlyArray<AccountNumberHash>, DecodeError> =>
  fromFp(ctx, decodeAccountNumbers(text), () => "not a list of { accountNumber, hashValue }")

/** The problem never quotes a value (the ids in it identify the user), only its path. */
export const streamerInfo = (ctx: RequestContext, text: string): Effect.Effect<StreamerInfo, DecodeError> =>
  fromFp(ctx, decodeStreamerInfo(text))

export const schwabErrorBody = (
  text: string
): { readonly message?: string | undefined; readonly errors: ReadonlyArray<string> } =>
  decodeSchwabError(text)
