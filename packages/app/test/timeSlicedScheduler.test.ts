import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { timeSlicedScheduler } from "../src/poller/timeSlicedScheduler.js"

/** Busy fibers that only ever yield to Effect (as a poll cycle over many orders does). */
const busyWork = (fibers: number, steps: number, progress: { done: number }) =>
  Effect.forEach(
    Array.from({ length: fibers }, (_, i) => i),
    () =>
      Effect.gen(function* () {
        let acc = 0
        for (let s = 0; s < steps; s++) {
          for (let k = 0; k < 20_000; k++) acc = (acc + k * s) % 1_000_003
          progress.done += 1
          yield* Effect.yieldNow()
        }
        return acc
      }),
    { concurrency: "unbounded" }
  )

describe("timeSlicedScheduler", () => {
  it("lets a host timer run while busy fibers are still working, and the work completes unchanged", async () => {
    const progress = { done: 0 }
    // 800 yields: fewer than the 2,048 microtask resumes after which Effect's default scheduler takes a timer turn.
    const total = 8 * 100
    let seenAtTimer: number | undefined
    const timer = new Promise<void>((resolve) =>
      setTimeout(() => {
        seenAtTimer = progress.done
        resolve()
      }, 0)
    )
    const sliced = await Effect.runPromise(
      busyWork(8, 100, progress).pipe(Effect.withScheduler(timeSlicedScheduler(1)))
    )
    await timer
    // The host's timer fired in the middle of the work, not after it.
    expect(seenAtTimer).toBeGreaterThan(0)
    expect(seenAtTimer).toBeLessThan(total)
    expect(progress.done).toBe(total)
    const plain = await Effect.runPromise(busyWork(8, 100, { done: 0 }))
    expect(sliced).toEqual(plain)
  })
})
