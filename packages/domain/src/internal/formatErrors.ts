import type * as t from "io-ts"

/**
 * io-ts errors as `path: problem` lines, the path written from the root (`orderActivityCollection.0.executionLegs.1.price`).
 * Union branches repeat the same leaf; keeping the deepest unique paths names the field that broke.
 */
export const formatError = (e: t.ValidationError): string => {
  const path = e.context
    .map((c) => c.key)
    .filter((k) => k !== "")
    .join(".")
  const value = (() => {
    try {
      const s = JSON.stringify(e.value)
      return s === undefined ? String(e.value) : s.length > 60 ? `${s.slice(0, 57)}...` : s
    } catch {
      return String(e.value)
    }
  })()
  return `${path === "" ? "<root>" : path}: ${e.message ?? `invalid value ${value}`}`
}

export const formatErrors = (errors: ReadonlyArray<t.ValidationError>): string =>
  [...new Set(errors.map(formatError))].slice(0, 5).join("; ")
