/**
 * Following the store from the terminal (`status --watch`, `show --follow`): what is
 * recorded after the command printed its answer, by this process or any other writing
 * the same database (SQLite file or postgres://), printed as it is read.
 *
 * The store's global positions have no gaps a reader could step over (see the store's
 * `ordering.ts`), so reading on from the head taken before the first answer misses
 * nothing; an event recorded between the head and the answer is printed twice at worst.
 * SIGINT/SIGTERM interrupt the read and the command exits 0 (main.ts).
 */
import { Options } from "@effect/cli"
import { Duration, Effect, Stream } from "effect"
import { FillTracker } from "../tracker/FillTracker.js"
import { duration } from "./options.js"

/** How often a follower reads the store: often enough to look live, rare enough to cost nothing. */
export const DEFAULT_FOLLOW_MS = 1000

/** `--interval`: the follower's read period. */
export const intervalOption = duration("interval").pipe(
  Options.withDescription(
    `With --watch / --follow: how often the store is read for new events (default: ${DEFAULT_FOLLOW_MS / 1000}s)`
  ),
  Options.withDefault(DEFAULT_FOLLOW_MS)
)

/** The position the next recorded event will be at or after. */
export const headPosition: Effect.Effect<bigint, never, FillTracker> = Effect.flatMap(
  FillTracker,
  (t) => t.headPosition
)

/** Every event from `fromPosition` on, then each new one as it is recorded, until interrupted. */
export const recordedFrom = (fromPosition: bigint, everyMs: number) =>
  Stream.unwrap(
    Effect.map(FillTracker, (t) => t.events({ fromPosition, pollEvery: Duration.millis(everyMs) }))
  )

/** Told on stderr, and only to a person at a terminal: a pipe gets the data alone. */
export const followingNote = (what: string) =>
  Effect.sync(() => {
    if (process.stderr.isTTY === true) process.stderr.write(`${what}; Ctrl-C stops\n`)
  })
