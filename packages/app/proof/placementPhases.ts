/**
 * The three moments of a placement at which the placement crash matrix kills `place`, each
 * reached on purpose rather than by a lucky delay, and each verified afterwards from what
 * the sandbox and the store hold:
 *
 * - `beforePost`: Schwab never acts on the request. The sandbox holds the POST without
 *   handling it (a `hang` fault), so for Schwab it never arrived; the child is killed while
 *   it waits. The intent is already recorded (it is appended before the POST is sent).
 * - `inFlight`: Schwab creates the order and the answer never comes (a `hang` after
 *   handling); the child is killed while it waits for it.
 * - `after201`: Schwab answers 201 with the order's Location, and the child is killed after
 *   reading it and before `Submitted` is appended. The hold is the store's own write lock:
 *   when the POST arrives (the intent is committed by then) the proof takes SQLite's write
 *   lock on the same file from a connection of its own, so the child's append of
 *   `Submitted` waits on the busy timeout; the child logs the answer it read (`schwab
 *   request`, POST, 201, at LOG_LEVEL=debug) before that append, and is killed once that
 *   line is out. No seam in the binary: a real lock on the real file, and a log line the
 *   client always writes at debug level.
 */
import type { FaultSpec, RequestRecord, Sandbox } from "@fill-tracker/schwab-sandbox"
import Database from "better-sqlite3"
import type { BinaryChild } from "./binary.js"
import { until } from "./binary.js"

export type Phase = "beforePost" | "inFlight" | "after201"

export const PHASES: ReadonlyArray<Phase> = ["beforePost", "inFlight", "after201"]

export const phaseLabel: Record<Phase, string> = {
  beforePost: "before the POST",
  inFlight: "in flight",
  after201: "after 201, before Submitted"
}

/** SQLite's write lock on the proof's database, taken and given back synchronously. */
export interface WriteLock {
  readonly take: () => void
  readonly release: () => void
  readonly held: () => boolean
  readonly close: () => void
}

export const writeLock = (filename: string): WriteLock => {
  const db = new Database(filename)
  // Long enough to outwait any append the child has in progress when the POST arrives.
  db.pragma("busy_timeout = 30000")
  let held = false
  return {
    take: () => {
      db.exec("BEGIN IMMEDIATE")
      held = true
    },
    release: () => {
      if (held) db.exec("ROLLBACK")
      held = false
    },
    held: () => held,
    close: () => db.close()
  }
}

/** A phase armed for the next POST: `reached` resolves once the child is in it, `disarm` undoes the hold. */
export interface ArmedPhase {
  readonly reached: (child: BinaryChild) => Promise<void>
  readonly disarm: () => void
}

/** The debug line the client writes for every answered request, here the POST's 201. */
const answered201 = (stderr: string): boolean =>
  stderr.split("\n").some((line) => {
    if (!line.includes('"schwab request"')) return false
    try {
      const entry = JSON.parse(line) as { annotations?: { method?: string; status?: number } }
      return entry.annotations?.method === "POST" && entry.annotations.status === 201
    } catch {
      return false
    }
  })

export const armPhase = (
  sandbox: Sandbox,
  phase: Phase,
  lock: WriteLock,
  options: { readonly timeoutMs: number }
): ArmedPhase => {
  // A `latency` of 0 answers normally; it is here so the POST's arrival is announced (onFault)
  // before the sandbox handles it, which is when the lock must be taken.
  const spec: FaultSpec =
    phase === "after201"
      ? { route: "placeOrder", kind: "latency", latencyMs: 0 }
      : { route: "placeOrder", kind: "hang", afterHandling: phase === "inFlight" }
  let arrived = false
  let lockFailure: unknown
  const placementsBefore = sandbox.placements().length
  const stop = sandbox.onFault((event) => {
    if (event.fault !== spec) return
    arrived = true
    if (phase === "after201")
      try {
        lock.take()
      } catch (e) {
        lockFailure = e
      }
  })
  const handle = sandbox.faults.inject(spec)
  const exitedEarly = (child: BinaryChild) => () => {
    if (child.child.exitCode !== null || child.child.signalCode !== null)
      throw new Error(`place exited before ${phase}:\n${child.out.stderr.slice(-2_000)}`)
  }
  return {
    reached: async (child) => {
      const check = exitedEarly(child)
      await until(
        () => {
          check()
          return arrived
        },
        `the POST of ${phase}`,
        options.timeoutMs
      )
      if (lockFailure !== undefined) throw new Error(`the write lock was not taken: ${String(lockFailure)}`)
      if (phase === "inFlight")
        await until(
          () => sandbox.placements().length > placementsBefore,
          "the in-flight order",
          options.timeoutMs
        )
      if (phase === "after201")
        await until(
          () => {
            check()
            return answered201(child.out.stderr)
          },
          "the child reading the 201",
          options.timeoutMs
        )
    },
    disarm: () => {
      stop()
      handle.remove()
      lock.release()
    }
  }
}

/** What one killed run left behind, read after the kill: the facts its phase is classified by. */
export interface KillFacts {
  /** The POSTs the sandbox saw during the run, with the status each was answered (0: never). */
  readonly posts: ReadonlyArray<Pick<RequestRecord, "status" | "fault">>
  /** Orders the sandbox created during the run. */
  readonly ordersCreated: number
  /** Event types of the execution's stream after the kill. */
  readonly events: ReadonlyArray<string>
}

/**
 * The phase the facts show, or why they show none: a single POST, the intent alone in the
 * stream, and then no order and no answer (before the POST), an order and no answer (in
 * flight) or an order and a 201 (after the 201).
 */
export const classify = (facts: KillFacts): Phase | `missed: ${string}` => {
  if (facts.events.join(",") !== "PlacementRequested")
    return `missed: stream holds [${facts.events.join(", ")}], not the intent alone`
  if (facts.posts.length !== 1) return `missed: ${facts.posts.length} POSTs`
  const status = facts.posts[0]?.status ?? -1
  if (facts.ordersCreated === 0 && status === 0) return "beforePost"
  if (facts.ordersCreated === 1 && status === 0) return "inFlight"
  if (facts.ordersCreated === 1 && status === 201) return "after201"
  return `missed: ${facts.ordersCreated} orders created, POST answered ${status}`
}
