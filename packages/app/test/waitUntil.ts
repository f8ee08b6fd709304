/**
 * Waiting on a condition, never on a duration. There is no deadline here: the test's own
 * timeout (the package's 300 s unless the test says otherwise) is the only limit, so a loaded
 * machine makes a correct run slower, never red. So that a run that does hang still says
 * what it was waiting for, the wait names itself on stderr every 10 s.
 */

const POLL_MS = 25
const REPORT_EVERY_MS = 10_000

/** Resolves once `check()` holds. */
export const until = async (check: () => boolean | Promise<boolean>, what = "a condition"): Promise<void> => {
  const started = Date.now()
  let reported = started
  while (!(await check())) {
    if (Date.now() - reported >= REPORT_EVERY_MS) {
      reported = Date.now()
      console.warn(`still waiting for ${what} (${Math.round((reported - started) / 1000)} s)`)
    }
    await new Promise((r) => setTimeout(r, POLL_MS))
  }
}

/** Asks `get` until its answer passes `ok`, and returns that answer. */
export const waitFor = async <A>(get: () => Promise<A>, ok: (a: A) => boolean, what: string): Promise<A> => {
  let last: A | undefined
  await until(async () => {
    last = await get()
    return ok(last)
  }, what)
  return last as A
}
