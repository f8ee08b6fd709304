import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { timeSlicedScheduler } from "../src/poller/timeSlicedScheduler.js"

/** Busy fibers that only ever yield to Effect (as a poll cycle over many orders does); `onStep` runs after each step. */
const busyWork = (fibers: number, steps: number, progress: { done: number }, onStep: () => void = () => {}) =>
  Effect.forEach(
    Array.from({ length: fibers }, (_, i) => i),
    () =>
      Effect.gen(function* () {
        let acc = 0
        for (let s = 0; s < steps; s++) {
          for (let k = 0; k < 20_000; k++) acc = (acc + k * s) % 1_000_003
          progress.done += 1
          onStep()
          yield* Effect.yieldNow()
        }
        return acc
      }),
    { concurrency: "unbounded" }
  )

/**
 * Runs the work and a host timer set once the first step is done (set before the work, a
 * machine that stalls the process for a millisecond fires it before any step, whatever the
 * scheduler); returns how many steps were done when the timer ran, and the work's result.
 */
const withTimerInside = async (
  run: (onStep: () => void) => Promise<ReadonlyArray<number>>,
  progress: { done: number }
) => {
  let seenAtTimer: number | undefined
  let timer: Promise<void> | undefined
  const onStep = () => {
    timer ??= new Promise<void>((resolve) =>
      setTimeout(() => {
        seenAtTimer = progress.done
        resolve()
      }, 0)
    )
  }
  const result = await run(onStep)
  await timer
  return { seenAtTimer, result }
}

describe("timeSlicedScheduler", () => {
  it("lets a host timer run while busy fibers are still working, and the work completes unchanged", async () => {
    // 800 yields: fewer than the 2,048 microtask resumes after which Effect's default scheduler takes a timer turn.
    const total = 8 * 100
    const progress = { done: 0 }
    const sliced = await withTimerInside(
      (onStep) =>
        Effect.runPromise(
          busyWork(8, 100, progress, onStep).pipe(Effect.withScheduler(timeSlicedScheduler(1)))
        ),
      progress
    )
    // The host's timer fired in the middle of the work, not after it.
    expect(sliced.seenAtTimer).toBeLessThan(total)
    expect(progress.done).toBe(total)
    // Effect's default scheduler holds the same timer until the work is over: the test can tell.
    const plainProgress = { done: 0 }
    const plain = await withTimerInside(
      (onStep) => Effect.runPromise(busyWork(8, 100, plainProgress, onStep)),
      plainProgress
    )
    expect(plain.seenAtTimer).toBe(total)
    expect(sliced.result).toEqual(plain.result)
  })
})
