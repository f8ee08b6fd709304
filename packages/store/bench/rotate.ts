/**
 * The order a round runs its phases in: round r starts at phase r (mod n), so across n rounds
 * every phase takes every place once. A fixed order measures the place (a fresh WAL, a
 * loaded host's drift over minutes) as much as the phase: the PostgreSQL batched "hashing"
 * row once read 1.36, the hash chain making appends faster, because its baseline always ran
 * last.
 */
export const rotate = <A>(round: number, phases: ReadonlyArray<A>): ReadonlyArray<A> =>
  phases.map((_, i) => phases[(round + i) % phases.length] as A)
