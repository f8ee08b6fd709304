/**
 * The authorization code as a person pastes it: the bare code, or the whole redirect URL
 * (`https://127.0.0.1/?code=C0.b2F...%40&session=...`). Schwab's code contains `@`, which
 * arrives as `%40`; it must be decoded exactly once (sending `%40` or `%2540` fails the grant).
 */
import * as Either from "effect/Either"

const decodeOnce = (raw: string): Either.Either<string, string> => {
  try {
    return Either.right(decodeURIComponent(raw))
  } catch {
    return Either.left("the authorization code is not valid URL-encoded text")
  }
}

export const parseAuthorizationCode = (input: string): Either.Either<string, string> => {
  const text = input.trim()
  if (text === "") return Either.left("the authorization code is empty")
  const query = text.includes("?")
    ? text.slice(text.indexOf("?") + 1)
    : text.startsWith("code=")
      ? text
      : /^[a-z]+:\/\//i.test(text)
        ? ""
        : undefined
  if (query === undefined) return decodeOnce(text)
  // Read the raw pair ourselves: URLSearchParams would also turn "+" into a space.
  const raw = query
    .split("#")[0]
    ?.split("&")
    .find((pair) => pair.startsWith("code="))
    ?.slice("code=".length)
  if (raw === undefined || raw === "") return Either.left("the redirect URL holds no `code` parameter")
  return decodeOnce(raw)
}
