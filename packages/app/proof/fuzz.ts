/**
 * Fuzzing the decoders and the decision: arbitrary JSON, realistic Schwab bodies (the
 * domain's fixtures and the sandbox's own renderings along real lifecycles) mutated
 * structurally and as text, fed to decodeOrder / decodeOrderList, and every decoded
 * order reconciled, in sequences, into an execution state. Invariants checked per case:
 *
 * - nothing throws (decode, reconcile, evolve);
 * - a state never holds one fill key twice, and every recorded fill is one a snapshot
 *   showed, with that snapshot's quantity and price;
 * - Filled and Failed absorb: no later snapshot changes the status or the closing event;
 * - a closing event's cents are its notional over its shares rounded once, and a
 *   single-leg Filled has the shares and notional of the recorded fills.
 *
 *   node --conditions=@fill-tracker/source --import tsx packages/app/proof/fuzz.ts [cases] [seed]
 */
import {
  Decimal as D,
  decodeOrder,
  decodeOrderList,
  evolve,
  flattenOrders,
  followsOrder,
  type Instant,
  initial,
  isMultiLeg,
  isTerminal,
  type LegFilled,
  reconcile,
  type SchwabOrder,
  type Submitted,
  snapshotFills,
  type TradeState
} from "@fill-tracker/domain"
import {
  fillInOneActivity,
  fillsInLegs,
  immediateFill,
  manualClock,
  partialThenCancel,
  replace,
  startSandbox
} from "@fill-tracker/schwab-sandbox"
import fc from "fast-check"
import { toSubmitted } from "../src/tracker/Submission.js"

export interface FuzzReport {
  readonly cases: number
  readonly decoded: number
  readonly rejected: number
  readonly reconciled: number
  readonly events: number
  readonly inconsistencies: number
  readonly terminal: number
  /** Multi-leg snapshots whose `filledQuantity` beyond the order quantity closed the execution with it. */
  readonly findings: number
  readonly example: string | undefined
  readonly ms: number
}

/** Realistic bodies: every JSON text the domain fixtures export. */
const fixtureBodies = async (): Promise<Array<string>> => {
  const mod = (await import("@fill-tracker/domain/testing")) as Record<string, unknown>
  return Object.values(mod).filter(
    (v): v is string => typeof v === "string" && /^\s*[[{]/.test(v) && v.length > 20
  )
}

/** Sequences of snapshots of one order as the sandbox renders it while its lifecycle runs. */
const lifecycleSequences = async (): Promise<Array<ReadonlyArray<string>>> => {
  const clock = manualClock()
  const sandbox = await startSandbox({ seed: 11, clock })
  try {
    const hash = sandbox.accounts[0]!.hashValue
    const lifecycles = [
      immediateFill({ price: "150.25", afterMs: 500 }),
      fillsInLegs(3, 1_000, { prices: ["10.01", "10.02", "10.0333"] }),
      fillInOneActivity(3, { price: "22.7299" }),
      partialThenCancel({ quantity: "2", price: "40.01", fillAfterMs: 500, cancelAfterMs: 2_500 }),
      replace(fillsInLegs(2, 500, { prices: ["99.99", "100.01"] }), { afterMs: 1_000 })
    ]
    const ids = lifecycles.map((l, i) => sandbox.seedOrder(hash, { symbol: "AAPL", quantity: 6 + i }, l))
    const sequences: Array<Array<string>> = ids.map(() => [])
    for (let step = 0; step < 8; step++) {
      for (const [i, id] of ids.entries()) sequences[i]!.push(sandbox.orderJson(id))
      clock.advance(500)
    }
    return sequences
  } finally {
    await sandbox.close()
  }
}

const STATUSES = [
  "FILLED",
  "CANCELED",
  "REJECTED",
  "EXPIRED",
  "REPLACED",
  "WORKING",
  "PENDING_ACTIVATION",
  "NOPE"
]

/** A structural mutation of a parsed body, drawn from `g`. */
const mutate = (g: fc.GeneratorValue, value: unknown, depth = 0): unknown => {
  if (Array.isArray(value)) {
    if (value.length === 0 || g(fc.nat, { max: 9 }) === 0) return g(fc.jsonValue, { maxDepth: 2 })
    const copy = [...value]
    const i = g(fc.nat, { max: copy.length - 1 })
    switch (g(fc.nat, { max: 3 })) {
      case 0:
        copy.splice(i, 1)
        return copy
      case 1:
        copy.push(copy[i])
        return copy
      default:
        copy[i] = mutate(g, copy[i], depth + 1)
        return copy
    }
  }
  if (typeof value === "object" && value !== null) {
    const keys = Object.keys(value)
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) }
    if (keys.length === 0) return g(fc.jsonValue, { maxDepth: 2 })
    const key = keys[g(fc.nat, { max: keys.length - 1 })]!
    switch (g(fc.nat, { max: 5 })) {
      case 0:
        delete copy[key]
        return copy
      case 1:
        copy[key] = g(fc.jsonValue, { maxDepth: 2 })
        return copy
      case 2:
        if (key === "status" || g(fc.boolean)) copy.status = STATUSES[g(fc.nat, { max: STATUSES.length - 1 })]
        return copy
      default:
        copy[key] = mutate(g, copy[key], depth + 1)
        return copy
    }
  }
  if (typeof value === "number")
    return g(fc.constantFrom, -value, 0, value * 3, value / 7, 1e21, -1e-9, String(value), null)
  if (typeof value === "string")
    return g(fc.constantFrom, "", `${value}x`, value.slice(0, 3), "2025-13-40T99:99:99+0000")
  return g(fc.jsonValue, { maxDepth: 1 })
}

/** The text a case feeds the decoder: arbitrary JSON, a mutated body, or a cut/flipped text. */
const caseText = (g: fc.GeneratorValue, bodies: ReadonlyArray<string>): string => {
  const base = bodies[g(fc.nat, { max: bodies.length - 1 })]!
  switch (g(fc.nat, { max: 5 })) {
    case 0:
      return JSON.stringify(g(fc.jsonValue, { maxDepth: 4 }))
    case 1: {
      const cut = g(fc.nat, { max: base.length })
      return base.slice(0, cut)
    }
    case 2: {
      const at = g(fc.nat, { max: base.length - 1 })
      return (
        base.slice(0, at) + g(fc.constantFrom, "0", "-", ".", '"', "]", "}", "e", "9") + base.slice(at + 1)
      )
    }
    case 3:
      return base
    default: {
      let v: unknown
      try {
        v = JSON.parse(base)
      } catch {
        return base // a broken fixture is a case as it stands
      }
      const times = g(fc.integer, { min: 1, max: 3 })
      for (let k = 0; k < times; k++) v = mutate(g, v)
      return JSON.stringify(v)
    }
  }
}

const now = "2025-08-29T20:00:00.000Z" as Instant

const submissionFor = (order: SchwabOrder, shares: number): Submitted | undefined => {
  const s = toSubmitted(
    {
      executionId: "fuzz-1",
      orderId: order.orderId ?? "1",
      accountHash: "ABCDEF0123456789",
      symbol: "AAPL",
      shares,
      direction: "BUY",
      referencePrice: "100.00"
    },
    new Date("2025-08-29T13:30:00.000Z")
  )
  return "type" in s ? s : undefined
}

const fail = (message: string): never => {
  throw new Error(`invariant broken: ${message}`)
}

const sameLeg = (a: LegFilled, b: LegFilled) =>
  D.compare(a.quantity, b.quantity) === 0 && D.compare(a.price, b.price) === 0

/**
 * Checks the closing event's arithmetic against the recorded fills. A multi-leg close
 * takes its units from the snapshot's `filledQuantity` (reconcile's design), so there
 * the check is only that the units do not exceed the order's quantity; a break of that
 * is counted as a finding (see the report) rather than thrown, as it is the domain's open
 * question, not the harness's.
 */
const checkClose = (state: TradeState, order: SchwabOrder, tally: Tally, text: string) => {
  if (state.status !== "Filled" && state.status !== "Failed") return
  const close = state.status === "Filled" ? state.filled : state.failed
  if (close.notional !== undefined && close.priceCents !== undefined && !D.isZero(close.filledShares)) {
    const cents = D.centsOfRatio(close.notional, close.filledShares)
    if (cents !== close.priceCents) fail(`cents ${close.priceCents} but notional/shares gives ${cents}`)
  }
  if (state.status === "Filled" && isMultiLeg(order)) {
    if (order.quantity !== undefined && D.compare(state.filled.filledShares, order.quantity) > 0) {
      tally.findings += 1
      tally.example ??= text
    }
    return
  }
  if (state.status === "Filled") {
    const shares = D.sum(state.fills.map((f) => f.quantity))
    const notional = D.sum(state.fills.map((f) => D.mul(f.quantity, f.price)))
    if (D.compare(shares, state.filled.filledShares) !== 0)
      fail(`Filled says ${D.format(state.filled.filledShares)} shares, fills sum to ${D.format(shares)}`)
    if (D.compare(notional, state.filled.notional) !== 0)
      fail(`Filled notional ${D.format(state.filled.notional)}, fills give ${D.format(notional)}`)
  }
}

interface Tally {
  decoded: number
  rejected: number
  reconciled: number
  events: number
  inconsistencies: number
  terminal: number
  /** Multi-leg closes whose units exceed the order's quantity (first example kept). */
  findings: number
  example: string | undefined
}

/** Reconciles a sequence of texts into one execution, checking every invariant after each. */
const runSequence = (texts: ReadonlyArray<string>, shares: number, tally: Tally) => {
  let state: TradeState = initial
  // Several shown legs per key: a mutated list can hold two orders with one id (JSON.parse
  // rounds int64 ids), and the tracker may take either.
  const seen = new Map<string, Array<LegFilled>>()
  for (const text of texts) {
    const single = decodeOrder(text)
    const list = decodeOrderList(text)
    const orders: Array<SchwabOrder> = []
    if (single._tag === "Right") orders.push(single.right)
    if (list._tag === "Right") orders.push(...flattenOrders(list.right.orders))
    if (orders.length === 0) tally.rejected += 1
    for (const order of orders) {
      tally.decoded += 1
      if (state.status === "Empty") {
        const submitted = submissionFor(order, shares)
        if (submitted === undefined) continue
        state = evolve(state, submitted)
      }
      if (order.orderId !== undefined && followsOrder(state)) {
        const fills = snapshotFills(state.submission, { ...order, orderId: order.orderId }, now)
        if (fills._tag === "Right")
          for (const f of fills.right) seen.set(f.fillKey, [...(seen.get(f.fillKey) ?? []), f])
      }
      const before = state
      const result = reconcile(state, order, now)
      tally.reconciled += 1
      if (result._tag === "Left") {
        tally.inconsistencies += 1
        continue
      }
      for (const e of result.right) state = evolve(state, e)
      tally.events += result.right.length
      if (isTerminal(before)) {
        if (state.status !== before.status) fail(`terminal ${before.status} became ${state.status}`)
        const closed = (s: TradeState) =>
          s.status === "Filled" ? s.filled : s.status === "Failed" ? s.failed : undefined
        if (closed(state) !== closed(before)) fail("a terminal state's closing event changed")
      }
      if (!followsOrder(state)) continue
      const keys = new Set<string>()
      for (const f of state.fills) {
        if (keys.has(f.fillKey)) fail(`fill key ${f.fillKey} recorded twice`)
        keys.add(f.fillKey)
        const shown = seen.get(f.fillKey)
        if (shown === undefined || !shown.some((l) => sameLeg(l, f)))
          fail(`fill ${f.fillKey} was in no snapshot`)
      }
      if (!isTerminal(before)) checkClose(state, order, tally, text)
      const again = reconcile(state, order, now)
      if (again._tag === "Right" && again.right.some((e) => e.type !== "FillFlagged"))
        fail(`the same snapshot twice gave ${again.right.map((e) => e.type).join(",")}`)
    }
  }
  if (isTerminal(state)) tally.terminal += 1
}

export const runFuzz = async (options: {
  readonly cases: number
  readonly seed: number
  /** A fast-check replay path, to rerun one counterexample. */
  readonly path?: string
}): Promise<FuzzReport> => {
  const started = Date.now()
  const bodies = await fixtureBodies()
  const sequences = await lifecycleSequences()
  const all = [...bodies, ...sequences.flat()]
  const tally: Tally = {
    decoded: 0,
    rejected: 0,
    reconciled: 0,
    events: 0,
    inconsistencies: 0,
    terminal: 0,
    findings: 0,
    example: undefined
  }
  let cases = 0
  fc.assert(
    fc.property(fc.gen(), fc.integer({ min: 1, max: 2_000 }), (g, shares) => {
      cases += 1
      const kind = g(fc.nat, { max: 3 })
      const texts =
        kind === 0
          ? // A real lifecycle in order, some snapshots mutated, some repeated, some dropped.
            sequences[g(fc.nat, { max: sequences.length - 1 })]!.flatMap((t) =>
              g(fc.nat, { max: 4 }) === 0 ? [] : g(fc.nat, { max: 3 }) === 0 ? [caseText(g, [t]), t] : [t]
            )
          : Array.from({ length: g(fc.integer, { min: 1, max: 3 }) }, () => caseText(g, all))
      try {
        runSequence(texts, shares, tally)
      } catch (e) {
        // The texts make the counterexample reproducible by hand.
        throw new Error(`${String(e)}\nshares ${shares}; texts:\n${texts.join("\n---\n")}`)
      }
    }),
    {
      numRuns: options.cases,
      seed: options.seed,
      ...(options.path === undefined ? {} : { path: options.path })
    }
  )
  return { cases, ...tally, ms: Date.now() - started }
}

export const describeFuzz = (r: FuzzReport): string =>
  `fuzz: ${r.cases} cases in ${(r.ms / 1000).toFixed(1)} s, 0 exceptions, 0 invariant breaks; ` +
  `${r.decoded} orders decoded, ${r.rejected} texts rejected, ${r.reconciled} reconciles ` +
  `(${r.events} events, ${r.inconsistencies} inconsistencies reported), ${r.terminal} sequences ended terminal; ` +
  `finding: ${r.findings} multi-leg closes with more units than the order's quantity` +
  (r.example === undefined ? "" : `\n  first example: ${r.example.slice(0, 600)}`)

if (import.meta.url === `file://${process.argv[1]}`) {
  const cases = Number(process.argv[2] ?? 100_000)
  const seed = Number(process.argv[3] ?? 42)
  const replayPath = process.argv[4]
  console.log(
    describeFuzz(await runFuzz({ cases, seed, ...(replayPath === undefined ? {} : { path: replayPath }) }))
  )
}
