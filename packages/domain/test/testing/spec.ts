/**
 * Given events / when snapshot / then events, after Emmett's deciderSpecification: the
 * given events fold to a state, reconcile decides on the snapshot, and the result is
 * checked as a whole (events in order, or the inconsistency's tag).
 */
import * as E from "fp-ts/lib/Either.js"
import { expect } from "vitest"
import type { TradeEvent } from "../../src/Events.js"
import { fold } from "../../src/evolve.js"
import type { Inconsistency } from "../../src/Inconsistency.js"
import { type ReconcileOptions, reconcile } from "../../src/reconcile.js"
import type { SchwabOrder } from "../../src/SchwabOrder.js"
import type { TradeState } from "../../src/TradeState.js"
import { NOW } from "./build.js"

export interface Outcome {
  /** Exactly these events, in this order. */
  readonly thenEvents: (expected: ReadonlyArray<TradeEvent>) => void
  readonly thenNothingHappened: () => void
  /** Left with this tag; returns it for closer checks. */
  readonly thenInconsistent: <T extends Inconsistency["_tag"]>(tag: T) => Extract<Inconsistency, { _tag: T }>
  /** The Right events, for checks on a few fields. */
  readonly events: () => ReadonlyArray<TradeEvent>
  /** The state after the given events and the new ones. */
  readonly state: () => TradeState
}

const rightOf = (result: E.Either<Inconsistency, ReadonlyArray<TradeEvent>>): ReadonlyArray<TradeEvent> => {
  if (E.isLeft(result)) throw new Error(`expected events, got inconsistency: ${result.left.message}`)
  return result.right
}

export const given = (...events: ReadonlyArray<TradeEvent>) => ({
  when: (order: SchwabOrder, options: ReconcileOptions & { readonly now?: typeof NOW } = {}): Outcome => {
    const run = () => reconcile(fold(events), order, options.now ?? NOW, options)
    return {
      thenEvents: (expected) => expect(rightOf(run())).toEqual(expected),
      thenNothingHappened: () => expect(rightOf(run())).toEqual([]),
      thenInconsistent: <T extends Inconsistency["_tag"]>(tag: T) => {
        const result = run()
        if (E.isRight(result)) throw new Error(`expected ${tag}, got ${result.right.length} event(s)`)
        expect(result.left._tag).toBe(tag)
        return result.left as Extract<Inconsistency, { _tag: T }>
      },
      events: () => rightOf(run()),
      state: () => fold([...events, ...rightOf(run())])
    }
  }
})
