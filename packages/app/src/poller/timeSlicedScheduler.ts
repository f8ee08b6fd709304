/**
 * A scheduler that hands the event loop back every few milliseconds.
 *
 * The bot runs fill-tracker in its own process, so a poll cycle over thousands of orders
 * must not hold the loop. Effect's default scheduler resumes a yielding fiber in a
 * microtask and only takes a timer turn after 2,048 of them, so a cycle of many busy
 * fibers can starve timers and I/O for hundreds of milliseconds. This one runs queued
 * fiber slices until `sliceMs` has passed, then continues in a `setImmediate`, after the
 * loop's pending I/O and timers. Fibers still yield every `maxOpsBeforeYield` operations.
 */
import { Scheduler } from "effect"

/** Longest run of fiber slices before the loop gets a turn; well under the 20 ms budget. */
export const defaultSliceMs = 2

export const timeSlicedScheduler = (sliceMs = defaultSliceMs): Scheduler.Scheduler => {
  const queue: Array<Scheduler.Task> = []
  let draining = false
  // Reset only after a real event-loop turn, so microtask-resumed work cannot renew its slice.
  let sliceStart = 0
  const drain = () => {
    if (sliceStart === 0) sliceStart = performance.now()
    while (queue.length > 0) {
      if (performance.now() - sliceStart > sliceMs) {
        setImmediate(() => {
          sliceStart = 0
          drain()
        })
        return
      }
      ;(queue.shift() as Scheduler.Task)()
    }
    draining = false
  }
  return Scheduler.make((task) => {
    queue.push(task)
    if (!draining) {
      draining = true
      queueMicrotask(drain)
    }
  }, Scheduler.defaultShouldYield)
}
