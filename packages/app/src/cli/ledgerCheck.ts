/**
 * `Ledger.check` as the CLI runs it (`check`, and before `replay` and `replay --verify`):
 * one line per finding on stdout, and a typed failure when there is any.
 */
import { type Finding, Ledger, type LedgerReport } from "@fill-tracker/store"
import { Console, Data, Effect } from "effect"

/**
 * The events fail `Ledger.check`: `findings` in all, the hash chain first broken at
 * `firstBrokenLink` (a position) if it is. Exit 1: the ledger needs a person, not a retry.
 */
export class LedgerUnsound extends Data.TaggedError("LedgerUnsound")<{
  readonly findings: number
  readonly firstBrokenLink: bigint | undefined
  /** What the command did not do because of it (empty for `check` itself). */
  readonly consequence: string
}> {
  override get message(): string {
    const chain =
      this.firstBrokenLink === undefined
        ? ""
        : `; the hash chain first breaks at position ${this.firstBrokenLink}`
    return `check: ${this.findings} finding(s) in the events${chain}${this.consequence}`
  }
}

/** A finding on one line; the stream id is JSON-quoted, so a tampered id prints no control character. */
export const findingLine = (f: Finding): string =>
  `${f.kind} at position ${f.position} (stream ${JSON.stringify(f.streamId)} version ${f.version}): ${f.detail}`

/** Runs the check and prints its findings (and how many were left out); the report either way. */
export const printedCheck = Effect.gen(function* () {
  const report = yield* (yield* Ledger).check()
  for (const f of report.findings) yield* Console.log(findingLine(f))
  if (report.findingCount > report.findings.length)
    yield* Console.log(`... and ${report.findingCount - report.findings.length} more finding(s)`)
  return report
})

/** The failure for a report with findings (`consequence` says what was not done). */
export const unsound = (report: LedgerReport, consequence = ""): LedgerUnsound =>
  new LedgerUnsound({
    findings: report.findingCount,
    firstBrokenLink: report.firstBrokenLink?.position,
    consequence
  })

/** Checks, and fails with `LedgerUnsound` on any finding. */
export const checkOrFail = Effect.flatMap(printedCheck, (report) =>
  report.findingCount === 0
    ? Effect.as(
        Console.log(`check: ${report.events} event(s) in ${report.streams} stream(s), no finding`),
        report
      )
    : Effect.fail(unsound(report))
)
