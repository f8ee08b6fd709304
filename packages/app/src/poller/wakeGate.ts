/**
 * Stream wakes run beside one another, never beside a cycle. Run one after another, a
 * streamed fill waited for every wake before it (a getOrder each, hundreds of ms on a busy
 * host): that queueing was most of the detection tail. Wakes over different orders touch
 * different executions, so they may overlap; the same order is never fetched by two wakes
 * at once (a second signal for it fetches it again once the first wake ends). A cycle
 * takes every slot, so it waits for the wakes in flight and none starts while it runs (a
 * cycle's list may be older than a wake's getOrder: they must not interleave over one
 * execution); the wakes asked for meanwhile start after it.
 */
import { Effect, Fiber } from "effect"
import type { WokenOrder } from "../stream/StreamSignal.js"

export interface WakeGate<R> {
  /** Starts a wake for these orders in the background (coalesced per order, as above). */
  readonly launch: (orders: ReadonlyArray<WokenOrder>) => Effect.Effect<void, never, R>
  /** Runs `cycle` with no wake in flight. */
  readonly exclusive: <A, E, R2>(cycle: Effect.Effect<A, E, R2>) => Effect.Effect<A, E, R | R2>
  /** Waits until no wake is in flight (those started meanwhile included). */
  readonly idle: Effect.Effect<void>
  /** Cuts every wake in flight (shutdown past its grace). */
  readonly interrupt: Effect.Effect<void>
}

export const makeWakeGate = <R>(
  run: (orders: ReadonlyArray<WokenOrder>) => Effect.Effect<void, never, R>,
  slots: number
): Effect.Effect<WakeGate<R>> =>
  Effect.gen(function* () {
    const gate = yield* Effect.makeSemaphore(slots)
    const inFlight = new Set<string>()
    /** Orders named again while their wake, or a cycle, ran: woken once that ends. */
    const again = new Map<string, WokenOrder>()
    const fibers = new Set<Fiber.RuntimeFiber<void>>()
    let cycleRunning = false

    const takeAgain = (): ReadonlyArray<WokenOrder> => {
      const next = [...again.values()].filter((o) => !inFlight.has(o.orderId))
      for (const o of next) again.delete(o.orderId)
      return next
    }

    const launch = (orders: ReadonlyArray<WokenOrder>): Effect.Effect<void, never, R> =>
      Effect.suspend(() => {
        const fresh: Array<WokenOrder> = []
        for (const o of orders)
          if (cycleRunning || inFlight.has(o.orderId)) again.set(o.orderId, o)
          else {
            inFlight.add(o.orderId)
            fresh.push(o)
          }
        if (fresh.length === 0) return Effect.void
        const done = Effect.suspend(() => {
          for (const o of fresh) inFlight.delete(o.orderId)
          const next = cycleRunning ? [] : takeAgain()
          return next.length === 0 ? Effect.void : launch(next)
        })
        // Interruptible whatever forks it: `launch` also runs from finalizers (a wake or a
        // cycle ending starts the wakes asked for meanwhile), which are uninterruptible, and a
        // fork inherits that. An uninterruptible wake ignored its own timeout, and a race
        // inside it (withLease against the lease lapsing) waited for a loser that could not
        // be cut: the wake held its slot for good and the next cycle never started.
        return Effect.flatMap(
          Effect.forkDaemon(Effect.interruptible(Effect.ensuring(gate.withPermits(1)(run(fresh)), done))),
          (fiber) =>
            Effect.sync(() => {
              fibers.add(fiber)
              fiber.addObserver(() => fibers.delete(fiber))
            })
        )
      })

    const exclusive = <A, E, R2>(cycle: Effect.Effect<A, E, R2>): Effect.Effect<A, E, R | R2> =>
      Effect.suspend(() => {
        cycleRunning = true
        return gate.withPermits(slots)(cycle)
      }).pipe(
        Effect.ensuring(
          Effect.suspend(() => {
            cycleRunning = false
            const next = takeAgain()
            return next.length === 0 ? Effect.void : launch(next)
          })
        )
      )

    const idle: Effect.Effect<void> = Effect.suspend(() =>
      fibers.size === 0 ? Effect.void : Effect.zipRight(Fiber.awaitAll([...fibers]), idle)
    )
    const interrupt = Effect.suspend(() => Fiber.interruptAll([...fibers]))
    return { launch, exclusive, idle, interrupt }
  })
