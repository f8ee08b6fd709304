/**
 * Accounts as a person or a bot names them: by Schwab's hash or by the plain account
 * number, mapped through the client's (cached) `accountNumbers`. Anything that is neither
 * is refused before anything is recorded: a plain number stored as if it were a hash is
 * polled with a URL Schwab refuses, every cycle, forever.
 */
import { type AccountHash, AccountHash as AccountHashCodec } from "@fill-tracker/domain"
import { SchwabClient, type SchwabError, UnknownAccount } from "@fill-tracker/schwab-client"
import { Data, Effect, Redacted } from "effect"
import type { AppConfig } from "../config/AppConfig.js"

/**
 * The account given is not one this authorization can see (`Unknown`), is not even
 * shaped like a hash or a number (`Malformed`), or is a plain number that cannot be mapped
 * because this tracker has no Schwab client (`Unchecked`). The message shows a number only
 * masked to its last four digits.
 */
export class InvalidAccount extends Data.TaggedError("InvalidAccount")<{
  readonly reason: "Unknown" | "Malformed" | "Unchecked"
  /** The account as it may be shown: a hash whole, a number masked (`****5678`). */
  readonly shown: string
}> {
  override get message(): string {
    const why = {
      Unknown:
        "is neither the hash nor the number of an account this Schwab authorization can see (run `fill-tracker accounts`)",
      Malformed: "is neither an account hash nor an account number",
      Unchecked:
        "is a plain account number, which needs the Schwab settings (app key, secret, token key) to be mapped to its hash"
    }[this.reason]
    return `account ${this.shown} ${why}`
  }
}

/** A plain account number masked but its last 4 digits (`****5678`); never the whole number. */
export const maskAccountNumber = (accountNumber: string): string =>
  `${"*".repeat(Math.max(4, accountNumber.length - 4))}${accountNumber.slice(-4)}`

/**
 * Digits alone are taken for a plain account number. Schwab's hashes are 64 hex digits, so
 * one made of decimal digits only is not a case worth a request; treating such input as a
 * number means it is never shown or stored whole.
 */
const isPlainNumber = (input: string): boolean => /^\d+$/.test(input)

/** How an account input may be shown: digits masked (they may be an account number), a hash as it is. */
export const shownAccount = (input: string): string =>
  isPlainNumber(input) ? maskAccountNumber(input) : AccountHashCodec.is(input) ? input : "(not an account)"

/**
 * The hash of the account named by `input`.
 * - A plain number is mapped through the client's cached list (refetched once on a miss).
 * - A hash that `isKnown` (the store already follows an execution in it) is taken without
 *   a request, so recording into an account in use never needs Schwab to answer; another
 *   hash is checked against the cached list (fetched once per process, and once more on a
 *   miss, for an account linked since) and refused only when that list lacks it.
 * - Without a client (a store-only tracker) a hash is taken as given (nothing can check it)
 *   and a number refused: it cannot be mapped.
 */
export const resolveAccount = <E>(
  client: SchwabClient.SchwabClient | undefined,
  input: string,
  isKnown: (hash: AccountHash) => Effect.Effect<boolean, E> = () => Effect.succeed(false)
): Effect.Effect<AccountHash, InvalidAccount | SchwabError | E> =>
  Effect.gen(function* () {
    const shown = shownAccount(input)
    if (!AccountHashCodec.is(input)) return yield* new InvalidAccount({ reason: "Malformed", shown })
    const number = isPlainNumber(input)
    if (!number && (yield* isKnown(input))) return input
    if (client === undefined) {
      if (number) return yield* new InvalidAccount({ reason: "Unchecked", shown })
      return input
    }
    const inList = (accounts: ReadonlyArray<SchwabClient.AccountNumber>) =>
      accounts.some((a) => a.hashValue === input)
    if (number)
      return yield* client.accountHash(Redacted.make(input)).pipe(
        Effect.catchIf(
          (e): e is UnknownAccount => e instanceof UnknownAccount,
          () => new InvalidAccount({ reason: "Unknown", shown })
        )
      )
    // A hash is refused only when Schwab's list is at hand and lacks it: when the list
    // cannot be had (no tokens yet, Schwab down) the hash is recorded as given, since a
    // bot recording an order it placed must not lose it to an outage; the poller then
    // reports the account if Schwab refuses it.
    const checked = yield* Effect.gen(function* () {
      if (inList(yield* client.accountNumbers())) return true
      // A miss: accountHash refetches the list when the value is not a known number (it is
      // a hash, so it never is), which brings an account linked since the cache was filled.
      yield* client.accountHash(Redacted.make(input)).pipe(
        Effect.catchIf(
          (e): e is UnknownAccount => e instanceof UnknownAccount,
          () => Effect.void
        )
      )
      return inList(yield* client.accountNumbers())
    }).pipe(
      Effect.catchAll((e) =>
        Effect.as(
          Effect.logWarning("could not check the account against Schwab's list; recorded as given").pipe(
            Effect.annotateLogs({ account: shown, error: e._tag })
          ),
          true
        )
      )
    )
    return checked ? input : yield* new InvalidAccount({ reason: "Unknown", shown })
  })

/**
 * The configured accounts to poll (`run --accounts`, the facade's `accounts`) as hashes:
 * numbers mapped, and one Schwab does not know refused before polling starts (InvalidAccount)
 * instead of being polled with a URL Schwab refuses every cycle. Empty: all accounts.
 */
export const selectedAccounts = (config: Pick<AppConfig, "accounts">) =>
  Effect.gen(function* () {
    if (config.accounts.length === 0) return [] as ReadonlyArray<AccountHash>
    const client = yield* SchwabClient.SchwabClient
    return yield* Effect.forEach(config.accounts, (a) => resolveAccount(client, a))
  })
