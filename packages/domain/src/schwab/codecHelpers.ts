/**
 * Small io-ts building blocks for Schwab's loosely filled wire objects: absent and
 * `null` fields, missing arrays, objects that must not be JSON numbers, and codecs that
 * map a wire record onto a model type. Not exported from the package.
 *
 * @since 0.1.0
 */
import * as E from "fp-ts/lib/Either.js"
import * as t from "io-ts"
import { isLosslessNumber } from "lossless-json"

/** A field that may be missing or `null`; both read as `undefined`. */
export const optional = <A, O>(codec: t.Type<A, O, unknown>): t.Type<A | undefined, O | undefined, unknown> =>
  new t.Type(
    codec.name,
    (u): u is A | undefined => u === undefined || codec.is(u),
    (u, c) => (u === undefined || u === null ? t.success(undefined) : codec.validate(u, c)),
    (a) => (a === undefined ? undefined : codec.encode(a))
  )

/** An array that may be missing or `null` (read as empty); elements keep their index in error paths. */
export const arrayOrEmpty = <A, O>(
  codec: t.Type<A, O, unknown>
): t.Type<ReadonlyArray<A>, Array<O>, unknown> => {
  const array = t.array(codec)
  return new t.Type(
    array.name,
    (u): u is ReadonlyArray<A> => array.is(u),
    (u, c) => (u === undefined || u === null ? t.success([]) : array.validate(u, c)),
    (as) => as.map(codec.encode)
  )
}

/** `{ [k]: v }` when `v` is defined, else `{}`: optional model fields stay absent, never `undefined`. */
export const opt = <K extends string, V>(key: K, value: V | undefined): { readonly [P in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { readonly [P in K]?: V }

/** A codec whose decoded value is mapped to the model, and back for encoding. */
export const mapped = <A, O, B>(
  name: string,
  codec: t.Type<A, O, unknown>,
  is: (u: unknown) => u is B,
  to: (a: A) => B,
  from: (b: B) => A
): t.Type<B, O, unknown> =>
  new t.Type(
    name,
    is,
    (u, c) => {
      const a = codec.validate(u, c)
      return E.isLeft(a) ? a : t.success(to(a.right))
    },
    (b) => codec.encode(from(b))
  )

export const isObject = (u: unknown): u is object => typeof u === "object" && u !== null

/**
 * `t.type` that also turns away JSON numbers: a `LosslessNumber` is an object, and
 * io-ts would otherwise read `7` as an order with every field missing.
 */
export const struct = <P extends t.Props>(
  props: P,
  name: string
): t.Type<t.TypeOfProps<P>, t.OutputOfProps<P>, unknown> => {
  const codec = t.type(props, name)
  return new t.Type(
    name,
    codec.is,
    (u, c) =>
      isLosslessNumber(u) ? t.failure(u, c, "expected an object, got a number") : codec.validate(u, c),
    codec.encode
  )
}
