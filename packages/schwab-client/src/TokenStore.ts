/**
 * Where the (already encrypted) token blob lives between runs. The app backs it with the
 * store's blob table; tests use memory. It only ever sees ciphertext.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"

/** @since 0.1.0 @category models */
export interface TokenStore {
  readonly load: () => Effect.Effect<Option.Option<string>>
  readonly save: (blob: string) => Effect.Effect<void>
}

/** @since 0.1.0 @category tags */
export const TokenStore = Context.GenericTag<TokenStore>("@fill-tracker/schwab-client/TokenStore")

/** A store that keeps the blob in a Ref (optionally starting with one). @since 0.1.0 @category constructors */
export const makeMemory = (initial?: string): Effect.Effect<TokenStore> =>
  Effect.map(Ref.make(Option.fromNullable(initial)), (ref) => ({
    load: () => Ref.get(ref),
    save: (blob) => Ref.set(ref, Option.some(blob))
  }))

/** An in-memory TokenStore, for tests and one-off runs. @since 0.1.0 @category layers */
export const layerMemory = (initial?: string): Layer.Layer<TokenStore> =>
  Layer.effect(TokenStore, makeMemory(initial))
