/**
 * Orders per account and what each of them looks like at a given instant. An order
 * keeps its compiled steps (fills with their quantities, prices and activity ids
 * already fixed); its state at time `t` is a fold of the steps due by `t`. Cancels
 * and replaces over HTTP drop the steps not yet due and append their own.
 *
 * @since 0.1.0
 */
import { fromUnits, toUnits } from "./DecimalText.js"
import { honourTerms } from "./honourTerms.js"
import type { Lifecycle, LifecycleOrder, OpenStatus } from "./Lifecycle.js"
import type { Random } from "./Random.js"

/** @since 0.1.0 @category models */
export interface Account {
  readonly accountNumber: string
  readonly hashValue: string
}

/** The parts of an order request the sandbox keeps. @since 0.1.0 @category models */
export interface OrderSpec extends LifecycleOrder {
  readonly assetType: string
  readonly session: string
  readonly duration: string
  readonly orderStrategyType: string
  readonly complexOrderStrategyType: string
}

/** @since 0.1.0 @category models */
export interface ExecutionFact {
  readonly quantity: string
  readonly price: string
}

/** @since 0.1.0 @category models */
export type CompiledStep =
  | { readonly kind: "status"; readonly atMs: number; readonly status: OpenStatus }
  | {
      readonly kind: "fill"
      readonly atMs: number
      readonly activityId: bigint
      readonly executions: ReadonlyArray<ExecutionFact>
    }
  | { readonly kind: "cancel"; readonly atMs: number; readonly activityId: bigint }
  | { readonly kind: "reject"; readonly atMs: number; readonly description: string }
  | { readonly kind: "expire"; readonly atMs: number }
  | { readonly kind: "replace"; readonly atMs: number; readonly newOrderId: bigint; readonly named: boolean }

/**
 * An order that came into being through the API (a POST or a PUT), for audits such as
 * "exactly one Schwab order per placement call". Seeded orders and scripted replacements are
 * not placements; neither are changes made outside the bot (`replaceOutside`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Placement {
  readonly orderId: string
  readonly accountHash: string
  readonly via: "place" | "replace"
  /** The order a PUT replaced. */
  readonly replaces?: string
  /** Sandbox clock, epoch ms. */
  readonly at: number
}

/** @since 0.1.0 @category models */
export interface BookOrder {
  readonly orderId: bigint
  readonly account: Account
  readonly spec: OrderSpec
  readonly enteredAt: number
  readonly initialStatus: OpenStatus
  readonly lifecycleName: string
  /** Seeds the cosmetic choices of rendering (number styles, activity order). */
  readonly noiseSeed: number
  readonly replaces?: bigint
  steps: Array<CompiledStep>
}

/** @since 0.1.0 @category models */
export interface ActivityFact {
  readonly activityId: bigint
  readonly executionType: "FILL" | "CANCELED"
  readonly at: number
  readonly quantity: string
  readonly orderRemainingQuantity: string
  readonly executions: ReadonlyArray<ExecutionFact>
}

/** @since 0.1.0 @category models */
export interface OrderState {
  /** False before the order's entered time (a scripted replacement not yet entered). */
  readonly entered: boolean
  readonly status: string
  readonly filledQuantity: string
  readonly remainingQuantity: string
  readonly activities: ReadonlyArray<ActivityFact>
  readonly closeAt?: number
  readonly statusDescription?: string
  readonly replacedBy?: bigint
  /** False when the REPLACED body leaves `replacingOrderCollection` out. */
  readonly replacementNamed?: boolean
}

/** @since 0.1.0 @category models */
export interface RawListEntry {
  readonly account: Account
  readonly text: string
  readonly enteredAt?: number
  readonly status?: string
}

const TERMINAL = new Set(["FILLED", "CANCELED", "REJECTED", "EXPIRED", "REPLACED"])

/** @since 0.1.0 @category guards */
export const isTerminal = (status: string): boolean => TERMINAL.has(status)

/** Above 2^53, so a client that parses ids as doubles loses digits and fails loudly. */
export const FIRST_ORDER_ID = 9007199254740993n
const FIRST_ACTIVITY_ID = 9007199255000001n

/** Why an HTTP cancel or replace could not apply. @since 0.1.0 @category models */
export type ChangeRefusal = "notFound" | "notOpen"

/** @since 0.1.0 @category constructors */
export class OrderBook {
  private readonly orders = new Map<bigint, BookOrder>()
  private readonly raws: Array<RawListEntry> = []
  private readonly placementLog: Array<Placement> = []
  private nextOrderId = FIRST_ORDER_ID
  private nextActivityId = FIRST_ACTIVITY_ID
  private readonly idRng: Random
  private readonly watchers = new Set<(order: BookOrder) => void>()

  constructor(
    readonly accounts: ReadonlyArray<Account>,
    private readonly rng: Random,
    /** Whether REPLACED bodies name their replacement unless a step says otherwise. */
    private readonly namedReplacements = true
  ) {
    this.idRng = rng.fork("ids")
  }

  /**
   * Calls `watcher` after an order is created or its future changes (a cancel or
   * replace over HTTP), so the streamer can derive what it will send. Answers the
   * unsubscribe.
   */
  watch(watcher: (order: BookOrder) => void): () => void {
    this.watchers.add(watcher)
    return () => this.watchers.delete(watcher)
  }

  private changed(order: BookOrder): void {
    for (const watcher of this.watchers) watcher(order)
  }

  accountByHash(hash: string): Account | undefined {
    return this.accounts.find((account) => account.hashValue === hash)
  }

  get(orderId: bigint): BookOrder | undefined {
    return this.orders.get(orderId)
  }

  all(): ReadonlyArray<BookOrder> {
    return [...this.orders.values()]
  }

  rawEntries(): ReadonlyArray<RawListEntry> {
    return this.raws
  }

  addRaw(entry: RawListEntry): void {
    this.raws.push(entry)
  }

  /** Every order the API created, in order (see `Placement`). */
  placements(): ReadonlyArray<Placement> {
    return [...this.placementLog]
  }

  /** Notes that the API created `order` (a POST, or a PUT replacing `replaces`). */
  placed(order: BookOrder, at: number, replaces?: bigint): void {
    this.placementLog.push({
      orderId: order.orderId.toString(),
      accountHash: order.account.hashValue,
      via: replaces === undefined ? "place" : "replace",
      ...(replaces === undefined ? {} : { replaces: replaces.toString() }),
      at
    })
  }

  /** Creates an order and fixes its future from `lifecycle`; throws if the script overfills. */
  create(
    account: Account,
    spec: OrderSpec,
    lifecycle: Lifecycle,
    enteredAt: number,
    replaces?: bigint
  ): BookOrder {
    const orderId = this.allocateOrderId()
    const order: BookOrder = {
      orderId,
      account,
      spec,
      enteredAt,
      initialStatus: lifecycle.initialStatus,
      lifecycleName: lifecycle.name,
      noiseSeed: this.rng.fork(`noise/${orderId}`).seed,
      ...(replaces === undefined ? {} : { replaces }),
      steps: []
    }
    this.orders.set(orderId, order)
    try {
      order.steps = this.compile(order, lifecycle)
    } catch (error) {
      this.orders.delete(orderId)
      throw error
    }
    this.changed(order)
    return order
  }

  stateAt(order: BookOrder, now: number): OrderState {
    const total = toUnits(order.spec.quantity)
    let status: string = order.initialStatus
    let filled = 0n
    const activities: Array<ActivityFact> = []
    let closeAt: number | undefined
    let statusDescription: string | undefined
    let replacedBy: bigint | undefined
    let replacementNamed: boolean | undefined
    const entered = now >= order.enteredAt
    for (const step of order.steps) {
      const at = order.enteredAt + step.atMs
      if (!entered || at > now || isTerminal(status)) break
      switch (step.kind) {
        case "status":
          status = step.status
          break
        case "fill": {
          let quantity = 0n
          for (const execution of step.executions) quantity += toUnits(execution.quantity)
          filled += quantity
          activities.push({
            activityId: step.activityId,
            executionType: "FILL",
            at,
            quantity: fromUnits(quantity),
            orderRemainingQuantity: fromUnits(total - filled),
            executions: step.executions
          })
          status = filled === total ? "FILLED" : "WORKING"
          if (filled === total) closeAt = at
          break
        }
        case "cancel": {
          const rest = fromUnits(total - filled)
          activities.push({
            activityId: step.activityId,
            executionType: "CANCELED",
            at,
            quantity: rest,
            orderRemainingQuantity: "0",
            executions: [{ quantity: rest, price: "0" }]
          })
          status = "CANCELED"
          closeAt = at
          break
        }
        case "reject":
          status = "REJECTED"
          statusDescription = step.description
          closeAt = at
          break
        case "expire":
          status = "EXPIRED"
          closeAt = at
          break
        case "replace":
          status = "REPLACED"
          replacedBy = step.newOrderId
          replacementNamed = step.named
          closeAt = at
          break
      }
    }
    return {
      entered,
      status,
      filledQuantity: fromUnits(filled),
      remainingQuantity: fromUnits(isTerminal(status) && status !== "FILLED" ? 0n : total - filled),
      activities,
      ...(closeAt === undefined ? {} : { closeAt }),
      ...(statusDescription === undefined ? {} : { statusDescription }),
      ...(replacedBy === undefined ? {} : { replacedBy }),
      ...(replacementNamed === undefined ? {} : { replacementNamed })
    }
  }

  /** Cancels at `now`: the steps not yet due are dropped (with any replacement they would make). */
  cancel(orderId: bigint, now: number): ChangeRefusal | BookOrder {
    const order = this.openAt(orderId, now)
    if (typeof order === "string") return order
    this.truncate(order, now)
    order.steps.push({ kind: "cancel", atMs: now - order.enteredAt, activityId: this.allocateActivityId() })
    this.changed(order)
    return order
  }

  /**
   * Replaces at `now` with a new order entered at `now`; answers the new order. `named`
   * (default the book's `namedReplacements`) says whether the REPLACED body names it.
   */
  replace(
    orderId: bigint,
    now: number,
    spec: OrderSpec,
    lifecycle: Lifecycle,
    named = this.namedReplacements
  ): ChangeRefusal | BookOrder {
    const order = this.openAt(orderId, now)
    if (typeof order === "string") return order
    this.truncate(order, now)
    const next = this.create(order.account, spec, lifecycle, now, order.orderId)
    order.steps.push({ kind: "replace", atMs: now - order.enteredAt, newOrderId: next.orderId, named })
    this.changed(order)
    return next
  }

  private openAt(orderId: bigint, now: number): ChangeRefusal | BookOrder {
    const order = this.orders.get(orderId)
    if (order === undefined || now < order.enteredAt) return "notFound"
    return isTerminal(this.stateAt(order, now).status) ? "notOpen" : order
  }

  private truncate(order: BookOrder, now: number): void {
    const kept: Array<CompiledStep> = []
    for (const step of order.steps) {
      if (order.enteredAt + step.atMs <= now) kept.push(step)
      else if (step.kind === "replace") this.forget(step.newOrderId)
    }
    order.steps = kept
  }

  private forget(orderId: bigint): void {
    const order = this.orders.get(orderId)
    if (order === undefined) return
    this.orders.delete(orderId)
    for (const step of order.steps) if (step.kind === "replace") this.forget(step.newOrderId)
  }

  private compile(order: BookOrder, lifecycle: Lifecycle): Array<CompiledStep> {
    const sorted = lifecycle
      .plan(order.spec, this.rng.fork(`lifecycle/${order.orderId}`))
      .map((step, index) => ({ step, index }))
      .sort((a, b) => a.step.atMs - b.step.atMs || a.index - b.index)
      .map(({ step }) => step)
    // The order's limit and duration bind whatever the lifecycle scripts (honourTerms.ts).
    const planned = honourTerms(order.spec, sorted).map((step) => ({ step }))
    let remaining = toUnits(order.spec.quantity)
    const out: Array<CompiledStep> = []
    const fail = (why: string): never => {
      throw new Error(`lifecycle ${lifecycle.name} for order ${order.orderId}: ${why}`)
    }
    for (const { step } of planned) {
      if (!Number.isFinite(step.atMs) || step.atMs < 0) fail(`step at ${step.atMs} ms`)
      switch (step.kind) {
        case "status":
          out.push(step)
          continue
        case "fill": {
          if (step.executions.length === 0) fail("a fill with no executions")
          const executions = step.executions.map((execution) => {
            const quantity = execution.quantity === undefined ? remaining : toUnits(execution.quantity)
            if (quantity <= 0n || quantity > remaining)
              fail(`fill of ${fromUnits(quantity)} with ${fromUnits(remaining)} left`)
            toUnits(execution.price)
            remaining -= quantity
            return { quantity: fromUnits(quantity), price: execution.price }
          })
          out.push({ kind: "fill", atMs: step.atMs, activityId: this.allocateActivityId(), executions })
          if (remaining === 0n) return out
          continue
        }
        case "cancel":
          out.push({ kind: "cancel", atMs: step.atMs, activityId: this.allocateActivityId() })
          return out
        case "reject":
        case "expire":
          out.push(step)
          return out
        case "replace": {
          const next = this.create(
            order.account,
            { ...order.spec, quantity: step.quantity ?? fromUnits(remaining) },
            step.then,
            order.enteredAt + step.atMs,
            order.orderId
          )
          out.push({
            kind: "replace",
            atMs: step.atMs,
            newOrderId: next.orderId,
            named: step.named ?? this.namedReplacements
          })
          return out
        }
      }
    }
    return out
  }

  private allocateOrderId(): bigint {
    const id = this.nextOrderId
    this.nextOrderId += BigInt(this.idRng.int(1, 997))
    return id
  }

  private allocateActivityId(): bigint {
    const id = this.nextActivityId
    this.nextActivityId += BigInt(this.idRng.int(1, 97))
    return id
  }
}
