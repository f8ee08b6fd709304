/**
 * `GET /accounts/accountNumbers`: plain account numbers and the hashes that stand for
 * them in every URL (spec schema `AccountNumberHash`).
 *
 * @since 0.1.0
 */
import * as E from "fp-ts/lib/Either.js"
import * as t from "io-ts"
import { AccountHash } from "../ids.js"
import { decodeProblems, formatProblem } from "../internal/formatErrors.js"
import { parseLosslessJson } from "./LosslessJson.js"
import { AccountNumberFromWire } from "./wire.js"

/**
 * One account: its number (a secret: never log it) and its hash.
 *
 * @since 0.1.0
 * @category models
 */
export interface AccountNumberHash {
  readonly accountNumber: string
  readonly hashValue: AccountHash
}

/**
 * io-ts codec for one `AccountNumberHash` (account number from digits text or a JSON
 * integer). Its failures never echo the account number.
 *
 * @since 0.1.0
 * @category codecs
 */
export const AccountNumberHashFromWire = t.type(
  { accountNumber: AccountNumberFromWire, hashValue: AccountHash },
  "AccountNumberHash"
)

/**
 * Why the account-number list could not be read; `message` names the bad field's path
 * and never holds an account number.
 *
 * @since 0.1.0
 * @category errors
 */
export interface AccountNumbersDecodeError {
  readonly _tag: "AccountNumbersDecodeError"
  readonly message: string
}

const fail = (message: string): E.Either<AccountNumbersDecodeError, never> =>
  E.left({ _tag: "AccountNumbersDecodeError", message })

/**
 * Decodes the body of `GET /accounts/accountNumbers`. Never throws.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeAccountNumbers = (
  text: string
): E.Either<AccountNumbersDecodeError, ReadonlyArray<AccountNumberHash>> => {
  const json = parseLosslessJson(text)
  if (E.isLeft(json)) return fail(json.left.message)
  const decoded = t.array(AccountNumberHashFromWire).decode(json.right)
  return E.isRight(decoded)
    ? E.right(decoded.right.map(({ accountNumber, hashValue }) => ({ accountNumber, hashValue })))
    : fail(decodeProblems(decoded.left).slice(0, 5).map(formatProblem).join("; "))
}
