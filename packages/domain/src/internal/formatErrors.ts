import type * as t from "io-ts"
import { isLosslessNumber } from "lossless-json"

/**
 * One thing wrong with a decoded value: where (`orderActivityCollection.0.price`, `<root>`
 * for the value itself) and what.
 *
 * @since 0.1.0
 * @category errors
 */
export interface DecodeProblem {
  readonly path: string
  readonly message: string
}

/** Codecs that push their member index into the context; that index is not a key of the value. */
const BRANCHING = new Set(["UnionType", "IntersectionType"])

const tagOf = (type: t.Decoder<unknown, unknown> | undefined): unknown =>
  type === undefined ? undefined : (type as { _tag?: unknown })._tag

/**
 * The key path of an error from the root of the value. io-ts contexts also hold the
 * root (key `""`) and, under a union or an intersection, the index of the member codec
 * that was tried; neither is a key of the value, so both are left out.
 */
export const errorPath = (e: t.ValidationError): ReadonlyArray<string> => {
  const keys: Array<string> = []
  e.context.forEach((entry, i) => {
    if (i === 0 || entry.key === "") return
    if (BRANCHING.has(tagOf(e.context[i - 1]?.type) as string)) return
    keys.push(entry.key)
  })
  return keys
}

const showValue = (u: unknown): string => {
  // A JSON number read losslessly is shown as the number it is, not as its wrapper object.
  if (isLosslessNumber(u)) return u.value
  try {
    const s = JSON.stringify(u)
    if (s === undefined) return String(u)
    return s.length > 60 ? `${s.slice(0, 57)}...` : s
  } catch {
    return typeof u
  }
}

const problemOf = (e: t.ValidationError): DecodeProblem => {
  const path = errorPath(e).join(".")
  const expected = e.context[e.context.length - 1]?.type.name ?? "a value"
  return {
    path: path === "" ? "<root>" : path,
    message: e.message ?? `expected ${expected}, got ${showValue(e.value)}`
  }
}

const isPrefix = (shorter: string, longer: string): boolean =>
  shorter !== longer && (shorter === "<root>" || longer.startsWith(`${shorter}.`))

/**
 * The distinct problems of a failed decode, deepest first in the sense that matters: a
 * union reports every member's failure, and a member that failed at the top ("not an
 * object") is noise beside one that got further, so a problem whose path is a prefix of
 * another's is dropped.
 */
export const decodeProblems = (errors: ReadonlyArray<t.ValidationError>): ReadonlyArray<DecodeProblem> => {
  const seen = new Map<string, DecodeProblem>()
  for (const e of errors) {
    const p = problemOf(e)
    seen.set(`${p.path}\u0000${p.message}`, p)
  }
  const all = [...seen.values()]
  return all.filter((p) => !all.some((q) => isPrefix(p.path, q.path)))
}

/** One problem as a line: `orderActivityCollection.0.executionLegs.1.price: not a decimal number: "abc"`. */
export const formatProblem = (p: DecodeProblem): string => `${p.path}: ${p.message}`

/** One error as `path: problem`, the path written from the root. */
export const formatError = (e: t.ValidationError): string => formatProblem(problemOf(e))

/** io-ts errors as `path: problem` lines joined by `; `, at most five of them. */
export const formatErrors = (errors: ReadonlyArray<t.ValidationError>): string =>
  decodeProblems(errors).slice(0, 5).map(formatProblem).join("; ")
