/**
 * The library surface for a bot that uses Effect: record a submission, read executions,
 * follow fill and terminal events as they are recorded.
 */

import { SqlClient } from "@effect/sql"
import {
  type AccountHash,
  type CancelRequested,
  Decimal,
  type ExecutionId,
  ExecutionId as ExecutionIdCodec,
  fold,
  instantFromDate,
  type PlacementRequested,
  type ReplaceRequested,
  type TradeEvent
} from "@fill-tracker/domain"
import { SchwabClient, type SchwabError } from "@fill-tracker/schwab-client"
import {
  Checkpoints,
  EventStore,
  type ExecutionRow,
  Executions,
  type RecordedEvent,
  StoreError
} from "@fill-tracker/store"
import { Clock, Context, Data, Duration, Effect, Layer, Option, Schedule, Stream } from "effect"
import { watchSending } from "../poller/PlacementWatch.js"
import { signalSubmission } from "../poller/PollerWake.js"
import type { UntrackedOptions } from "../poller/untracked.js"
import { resolveAccount } from "./accounts.js"
import { CannotAdopt, findOrder, listUntracked, recordHistory, submissionOf } from "./adopt.js"
import { IntentWindow } from "./IntentWindow.js"
import { listForIntent, recordResolution, resolveFromList } from "./intentLookup.js"
import {
  differingIntent,
  entryOf,
  type OrderTermsInput,
  type PlacementInput,
  toPlacementRequested
} from "./Placement.js"
import { differingFields, InvalidSubmission, type SubmissionInput, toSubmitted } from "./Submission.js"
import { isFillEvent, runSubscription } from "./subscribe.js"

/** The execution id is already recorded with a different submission; `fields` name the differences. */
export class SubmissionConflict extends Data.TaggedError("SubmissionConflict")<{
  readonly executionId: string
  readonly fields: ReadonlyArray<string>
}> {
  override get message() {
    return `execution ${this.executionId} is already recorded with a different submission (${this.fields.length === 0 ? "it does not start with a submission" : `differs in ${this.fields.join(", ")}`})`
  }
}

/** Placing needs Schwab settings (a store-only tracker can record and read, not place). */
export class PlacementUnavailable extends Data.TaggedError("PlacementUnavailable")<Record<never, never>> {
  override get message() {
    return "placing an order needs the Schwab settings (app key, secret, tokens); nothing was recorded"
  }
}

/**
 * Failures of a placement that prove Schwab made no order: refused (4xx, 429), or never
 * sent (budget, token, invalid request). Anything else may have reached Schwab: the intent
 * stays Pending and is resolved from the order list.
 */
const provesNotPlaced = (e: SchwabError): boolean =>
  !(
    e._tag === "OrderPlacementUnknown" ||
    e._tag === "DecodeError" ||
    e._tag === "RequestTimeout" ||
    e._tag === "ServerError" ||
    // An answer too long to read is still an answer (the client looks a placement up itself).
    e._tag === "ResponseTooLarge" ||
    (e._tag === "TransportError" && e.sent)
  )

/**
 * A replace or cancel of this execution is recorded and its outcome not yet known (its
 * answer was lost, or a cancel Schwab accepted has not ended the order yet): another one
 * is refused, nothing sent, until the poll sees it through or it lapses (Schwab never
 * acted on it: the order still working after INTENT_RESOLUTION_WINDOW).
 */
export class RequestUnresolved extends Data.TaggedError("RequestUnresolved")<{
  readonly executionId: string
  readonly request: "Replace" | "Cancel"
  readonly orderId: string
  readonly requestedAt: string
}> {
  override get message() {
    return `execution ${this.executionId} has a ${this.request === "Replace" ? "replace" : "cancel"} of order ${this.orderId} requested at ${this.requestedAt} whose outcome is not known yet; it is resolved from what Schwab reports, nothing was sent`
  }
}

/** Replace and cancel act on a working execution only: this one is closed (or unknown). */
export class ExecutionNotWorking extends Data.TaggedError("ExecutionNotWorking")<{
  readonly executionId: string
  /** The execution's state: Filled, Failed, PlacementFailed, Pending (no order yet) or Empty (unknown). */
  readonly status: string
}> {
  override get message() {
    return this.status === "Empty"
      ? `no execution ${this.executionId}; nothing was sent`
      : `execution ${this.executionId} is ${this.status}, not working: nothing was sent`
  }
}

/** The events a bot acts on. */
export type FillEvent = Extract<
  TradeEvent,
  { type: "LegFilled" | "Filled" | "Failed" | "Replaced" | "FillFlagged" }
>

export const makeFillTracker = Effect.gen(function* () {
  const store = yield* EventStore
  const executions = yield* Executions
  const sql = yield* SqlClient.SqlClient
  const checkpoints = yield* Checkpoints
  // Optional so a store-only tracker (reading, following) needs no Schwab settings; a plain
  // account number is refused without it (it cannot be mapped), a hash taken as given.
  const client = Option.getOrUndefined(yield* Effect.serviceOption(SchwabClient.SchwabClient))
  const intentWindowMs = yield* IntentWindow

  /** The position the next appended event will be at or after: "from now on" for a subscriber. */
  const headPosition = sql<{ head: number | bigint | null }>`SELECT MAX(position) AS head FROM events`.pipe(
    Effect.map((rows) => BigInt(rows[0]?.head ?? 0) + 1n),
    Effect.orDie
  )

  /** An account the store already follows an execution in: taken without asking Schwab. */
  const isKnownAccount = (hash: AccountHash) =>
    sql<{ one: number }>`SELECT 1 AS one FROM executions WHERE account_hash = ${hash} LIMIT 1`.pipe(
      Effect.map((rows) => rows.length > 0),
      Effect.mapError(
        (cause) => new StoreError({ reason: "Sql", detail: "looking up the account's executions", cause })
      )
    )

  const getExecution = (executionId: string) =>
    ExecutionIdCodec.is(executionId)
      ? executions.byExecutionId(executionId)
      : Effect.succeed(Option.none<ExecutionRow>())

  /**
   * Records a sent order. Idempotent: recording the same submission again returns the
   * existing execution, so a bot may retry after a crash without a duplicate. The same
   * execution id with any field different is `SubmissionConflict`; an order id another
   * execution follows is the store's `OrderAlreadyFollowed` (naming it). Either way nothing
   * is recorded.
   */
  const recordSubmission = (input: SubmissionInput) =>
    Effect.gen(function* () {
      const now = new Date(yield* Effect.clockWith((c) => c.currentTimeMillis))
      const checked = toSubmitted(input, now)
      if (checked instanceof InvalidSubmission) return yield* Effect.fail(checked)
      const submitted = {
        ...checked,
        accountHash: yield* resolveAccount(client, input.accountHash, isKnownAccount)
      }
      const appended = yield* store
        .append(submitted.executionId, 0, [submitted], { source: "recordSubmission" })
        .pipe(
          Effect.as(true),
          Effect.catchTag("ConcurrencyError", () => Effect.succeed(false))
        )
      if (!appended) {
        const existing = yield* store.readStream(submitted.executionId)
        const first = existing.events[0]?.event
        // A retry that leaves submittedAt out (it defaults to now) states no other time.
        const fields =
          first?.type === "Submitted"
            ? differingFields(first, submitted).filter(
                (field) => field !== "submittedAt" || input.submittedAt !== undefined
              )
            : []
        if (first?.type !== "Submitted" || fields.length > 0)
          return yield* Effect.fail(new SubmissionConflict({ executionId: submitted.executionId, fields }))
      }
      // A poller in this process schedules its fresh-order wake-ups from this.
      yield* signalSubmission(Date.parse(submitted.submittedAt))
      const row = yield* executions.byExecutionId(submitted.executionId)
      return Option.getOrThrow(row)
    })

  /**
   * Places an order for execution `executionId` (MARKET, LIMIT, STOP or STOP_LIMIT, any
   * duration and session the spec lists; see `PlacementInput`; terms that are not an order
   * are InvalidSubmission naming each field, nothing recorded): records the intent first, then POSTs it,
   * then records `Submitted` with the id Schwab's answer gives. Called again for the same
   * execution it never POSTs again: an intent still unconfirmed is looked up in the
   * account's order list (found: `Submitted`, recovered; not yet: the PENDING row, which the
   * poller resolves later); a placed one returns its row. The same execution id with a
   * different order is `SubmissionConflict`. A failure that proves nothing was placed ends
   * the intent (`Failed`, not placed) and is returned; an uncertain one
   * (`OrderPlacementUnknown`) leaves it for the list to resolve.
   */
  const placeOrder = (executionId: string, input: PlacementInput) =>
    Effect.gen(function* () {
      const now = new Date(yield* Effect.clockWith((c) => c.currentTimeMillis))
      const checked = toPlacementRequested(executionId, input, now)
      if (checked instanceof InvalidSubmission) return yield* Effect.fail(checked)
      if (client === undefined) return yield* Effect.fail(new PlacementUnavailable())
      const intent: PlacementRequested = {
        ...checked,
        accountHash: yield* resolveAccount(client, input.accountHash, isKnownAccount)
      }
      const id = intent.executionId
      const row = Effect.map(executions.byExecutionId(id), Option.getOrThrow)
      const appended = yield* store.append(id, 0, [intent], { source: "placeOrder" }).pipe(
        Effect.as(true),
        Effect.catchTag("ConcurrencyError", () => Effect.succeed(false))
      )
      if (!appended) {
        const existing = yield* store.readStream(id)
        const state = fold(existing.events.map((r) => r.event))
        // An intent opens its stream (it is appended at version 0). Read it from there, not
        // from the state: an execution that has ended (filled, canceled) keeps no intent, and
        // the bot's same call after a crash met SubmissionConflict once the order had filled.
        const opening = existing.events[0]?.event
        const recorded = opening?.type === "PlacementRequested" ? opening : undefined
        const fields = recorded === undefined ? ["type"] : differingIntent(recorded, intent)
        if (recorded === undefined || fields.length > 0)
          return yield* Effect.fail(new SubmissionConflict({ executionId: id, fields }))
        if (state.status !== "Pending") return yield* row
        // Unconfirmed: the first call's POST may have reached Schwab. Look, never send again.
        const at = instantFromDate(now)
        const listed = yield* listForIntent(client, recorded, at)
        const resolution = yield* resolveFromList(executions, recorded, listed, at, intentWindowMs)
        yield* recordResolution(store, recorded, existing.version, resolution, "placeOrder").pipe(
          Effect.catchTag("ConcurrencyError", () => Effect.void) // the poller resolved it meanwhile
        )
        return yield* row
      }
      // While the POST and its outcome's recording run, the poller leaves the intent to this call.
      yield* watchSending(
        id,
        intent.accountHash,
        Effect.gen(function* () {
          const placed = yield* Effect.either(client.placeOrder(intent.accountHash, entryOf(intent.order)))
          if (placed._tag === "Left") {
            const e = placed.left
            if (provesNotPlaced(e))
              yield* store.append(
                id,
                1,
                [
                  {
                    type: "Failed",
                    executionId: id,
                    reason: `not placed: Schwab refused the order or it was never sent (${e._tag}: ${e.message})`,
                    filledShares: Decimal.zero,
                    failedAt: instantFromDate(new Date(yield* Effect.clockWith((c) => c.currentTimeMillis))),
                    legs: []
                  }
                ],
                { source: "placeOrder" }
              )
            return yield* Effect.fail(e)
          }
          yield* store
            .append(
              id,
              1,
              [
                {
                  type: "Submitted",
                  executionId: id,
                  orderId: placed.right,
                  accountHash: intent.accountHash,
                  symbol: intent.order.symbol,
                  shares: intent.order.shares,
                  direction: intent.order.instruction,
                  submittedAt: intent.requestedAt,
                  ...(intent.referencePrice === undefined ? {} : { referencePrice: intent.referencePrice })
                }
              ],
              { source: "placeOrder" }
            )
            .pipe(
              // The poller (or a second call for this id) resolved the intent from the account's
              // list while this answer was on its way: a POST can take the request timeout plus the
              // client's lookups, longer than the poller's grace. Its Submitted stands when it
              // follows the order Schwab just named; anything else is still the conflict.
              Effect.catchTag("ConcurrencyError", (conflict) =>
                Effect.flatMap(executions.byExecutionId(id), (recorded) =>
                  Option.exists(recorded, (r) => r.originalOrderId === placed.right)
                    ? Effect.void
                    : Effect.fail(conflict)
                )
              )
            )
        })
      )
      yield* signalSubmission(Date.parse(intent.requestedAt))
      return yield* row
    })

  /** The working state of an execution and its stream version, or ExecutionNotWorking. */
  const working = (executionId: string) =>
    Effect.gen(function* () {
      if (!ExecutionIdCodec.is(executionId))
        return yield* Effect.fail(new ExecutionNotWorking({ executionId, status: "Empty" }))
      const stream = yield* store.readStream(executionId)
      const state = fold(stream.events.map((r) => r.event))
      if (state.status !== "Submitted")
        return yield* Effect.fail(new ExecutionNotWorking({ executionId, status: state.status }))
      const open = state.request
      if (open !== undefined)
        return yield* Effect.fail(
          new RequestUnresolved({
            executionId,
            request: open.type === "ReplaceRequested" ? "Replace" : "Cancel",
            orderId: open.orderId,
            requestedAt: open.requestedAt
          })
        )
      if (client === undefined) return yield* Effect.fail(new PlacementUnavailable())
      return { id: executionId, state, version: stream.version, client }
    })

  /**
   * Sends a recorded replace or cancel. A failure that proves Schwab never acted on it
   * (refused, or never sent) closes the request at once with `RequestLapsed`; an uncertain
   * one (the answer lost) leaves it open for the poll to resolve. The failure is returned.
   */
  const sendRequest = <A>(
    id: ExecutionId,
    request: ReplaceRequested | CancelRequested,
    send: Effect.Effect<A, SchwabError>
  ) =>
    Effect.tapError(send, (e) =>
      provesNotPlaced(e)
        ? Effect.gen(function* () {
            const at = instantFromDate(new Date(yield* Clock.currentTimeMillis))
            const stream = yield* store.readStream(id)
            const open = fold(stream.events.map((r) => r.event))
            // Only while this request is still the open one (the poll may have seen it through).
            const stillOpen =
              open.status === "Submitted" &&
              open.request?.type === request.type &&
              open.request.requestedAt === request.requestedAt &&
              open.request.orderId === request.orderId
            if (!stillOpen) return
            yield* store.append(
              id,
              stream.version,
              [
                {
                  type: "RequestLapsed",
                  executionId: id,
                  orderId: request.orderId,
                  request: request.type === "ReplaceRequested" ? "Replace" : "Cancel",
                  requestedAt: request.requestedAt,
                  reason: `${request.type === "ReplaceRequested" ? "replace" : "cancel"} of order ${request.orderId} not carried out: Schwab refused it or it was never sent (${e._tag}: ${e.message})`,
                  lapsedAt: at
                }
              ],
              { source: request.type === "ReplaceRequested" ? "replaceOrder" : "cancelOrder" }
            )
          }).pipe(
            // The poll moved the stream on meanwhile: its decision stands, the request lapses there.
            Effect.catchTag("ConcurrencyError", () => Effect.void)
          )
        : Effect.void
    )

  /**
   * Replaces the order an execution follows with one for `shares` (same symbol and side)
   * on the terms given (default a MARKET order, DAY, regular session, as before the terms
   * existed): `ReplaceRequested` is recorded before the PUT, `Replaced` with the id from
   * Schwab's answer at once, so the replacement is followed from the next poll. A lost
   * answer leaves the request for the poll, which finds the replacement from the REPLACED
   * original, or closes the request (`RequestLapsed`) once the original is still working
   * after the window; a refusal closes it at once. Nothing is ever sent again. A closed
   * execution is ExecutionNotWorking, one with a request still open RequestUnresolved;
   * nothing sent. Terms that are not an order are InvalidSubmission naming the field,
   * nothing recorded.
   */
  const replaceOrder = (
    executionId: string,
    input: OrderTermsInput & { readonly shares: string | number | bigint }
  ) =>
    Effect.gen(function* () {
      const w = yield* working(executionId)
      const now = new Date(yield* Effect.clockWith((c) => c.currentTimeMillis))
      const sub = w.state.submission
      const checked = toPlacementRequested(
        w.id,
        { ...input, accountHash: sub.accountHash, symbol: sub.symbol, direction: sub.direction },
        now
      )
      if (checked instanceof InvalidSubmission) return yield* Effect.fail(checked)
      const request: ReplaceRequested = {
        type: "ReplaceRequested",
        executionId: w.id,
        orderId: w.state.orderId,
        order: checked.order,
        requestedAt: checked.requestedAt
      }
      yield* store.append(w.id, w.version, [request], { source: "replaceOrder" })
      const newId = yield* sendRequest(
        w.id,
        request,
        w.client.replaceOrder(sub.accountHash, w.state.orderId, entryOf(checked.order))
      )
      yield* store.append(
        w.id,
        w.version + 1,
        [
          {
            type: "Replaced",
            executionId: w.id,
            orderId: w.state.orderId,
            replacementOrderId: newId,
            replacedAt: instantFromDate(new Date(yield* Effect.clockWith((c) => c.currentTimeMillis)))
          }
        ],
        { source: "replaceOrder" }
      )
      return Option.getOrThrow(yield* executions.byExecutionId(w.id))
    })

  /**
   * Cancels the order an execution follows: `CancelRequested` is recorded before the DELETE;
   * the outcome is recorded when Schwab reports it (the poll's `Failed` CANCELED keeps the
   * shares that executed; a fill that came first ends it `Filled`). Sent once: a lost answer
   * is never answered by sending again; the poll reads the outcome, or closes the request
   * (`RequestLapsed`) when the order still works after the window. A closed execution is
   * ExecutionNotWorking, one with a request still open RequestUnresolved; nothing sent.
   */
  const cancelOrder = (executionId: string) =>
    Effect.gen(function* () {
      const w = yield* working(executionId)
      const now = instantFromDate(new Date(yield* Effect.clockWith((c) => c.currentTimeMillis)))
      const request: CancelRequested = {
        type: "CancelRequested",
        executionId: w.id,
        orderId: w.state.orderId,
        requestedAt: now
      }
      yield* store.append(w.id, w.version, [request], { source: "cancelOrder" })
      yield* sendRequest(w.id, request, w.client.cancelOrder(w.state.submission.accountHash, w.state.orderId))
      return Option.getOrThrow(yield* executions.byExecutionId(w.id))
    })

  /**
   * Every recorded event from `fromPosition` on, then new ones as they are appended
   * (the store is read every `pollEvery`). Restart from the last position you handled.
   */
  const events = (
    options: { readonly fromPosition?: bigint; readonly pollEvery?: Duration.DurationInput } = {}
  ) =>
    Stream.unwrap(
      Effect.gen(function* () {
        let next = options.fromPosition ?? 0n
        const page = Stream.suspend(() => store.readAll({ fromPosition: next })).pipe(
          Stream.tap((r) => Effect.sync(() => (next = r.position + 1n)))
        )
        return Stream.repeat(page, Schedule.spaced(options.pollEvery ?? Duration.millis(250)))
      })
    )

  /** Fill, flag, replacement and terminal events, as they are recorded. */
  const fills = (
    options: { readonly fromPosition?: bigint; readonly pollEvery?: Duration.DurationInput } = {}
  ) =>
    events(options).pipe(
      Stream.filter((r): r is RecordedEvent & { event: FillEvent } => isFillEvent(r.event))
    )

  /** The Schwab client, or the typed refusal of a call that needs one on a store-only tracker. */
  const needClient = Effect.suspend(() =>
    client === undefined
      ? Effect.fail(
          new CannotAdopt({ orderId: "", reason: "this tracker has no Schwab client (Schwab settings)" })
        )
      : Effect.succeed(client)
  )
  const accountsOf = (account: string | undefined) =>
    Effect.gen(function* () {
      const c = yield* needClient
      if (account !== undefined) return [yield* resolveAccount(c, account, isKnownAccount)]
      return (yield* c.accountNumbers()).map((a) => a.hashValue)
    })

  /**
   * Starts tracking an order no execution follows (see adopt.ts): recorded under
   * `executionId` from Schwab's snapshot, with what it already executed. The order is
   * looked for in `account` (hash or number) or else in every account. Refused with a typed
   * error (CannotAdopt, InvalidSubmission, OrderAlreadyFollowed, SubmissionConflict) and
   * nothing recorded when it cannot be.
   */
  const adopt = (orderId: string, executionId: string, options: { readonly account?: string } = {}) =>
    Effect.gen(function* () {
      const c = yield* needClient
      const { order, accountHash } = yield* findOrder(c, orderId, yield* accountsOf(options.account))
      const input = submissionOf(order, accountHash, executionId)
      if (typeof input === "string") return yield* new CannotAdopt({ orderId, reason: input })
      const row = yield* recordSubmission(input)
      yield* recordHistory(store, row, order, yield* Clock.currentTimeMillis)
      return Option.getOrThrow(yield* executions.byExecutionId(row.executionId))
    })

  /** This app's orders (by `tag`) entered within the lookback that no execution follows, in `account` or every account. */
  const untracked = (options: UntrackedOptions & { readonly account?: string }) =>
    Effect.gen(function* () {
      const c = yield* needClient
      const accounts = yield* accountsOf(options.account)
      return yield* listUntracked(c, accounts, options, yield* Clock.currentTimeMillis).pipe(
        Effect.provideService(Executions, executions)
      )
    })

  return {
    recordSubmission,
    placeOrder,
    replaceOrder,
    cancelOrder,
    adopt,
    untracked,
    getExecution,
    listOpen: () => executions.open(),
    headPosition,
    history: (executionId: ExecutionId) => store.readStream(executionId),
    events,
    fills,
    /**
     * Durable subscription `name`: every fill, flag, replacement and terminal event after
     * its stored checkpoint, in global order, at least once; the checkpoint advances after
     * the handler succeeds, a failing handler is retried with backoff. Runs until
     * interrupted: fork it. See `subscribe.ts`.
     */
    subscribe: runSubscription(store, checkpoints),
    /** The store's checkpoints, for a handler that commits its writes with the advance. */
    checkpoints
  }
})

export class FillTracker extends Context.Tag("@fill-tracker/app/FillTracker")<
  FillTracker,
  Effect.Effect.Success<typeof makeFillTracker>
>() {
  static readonly layer = Layer.effect(FillTracker, makeFillTracker)
}
