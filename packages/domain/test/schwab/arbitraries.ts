/** fast-check generators of decoded orders (and their wire text via `encodeOrder`). */
import fc from "fast-check"
import type { Instant, OrderId, SchwabOrder, TickerSymbol } from "../../src/index.js"
import { Decimal as D, KNOWN_ORDER_STATUSES } from "../../src/index.js"

/** Runs per property; `FC_NUM_RUNS=20000 vitest run` for a long hunt. */
export const numRuns = Number(process.env.FC_NUM_RUNS ?? 200)

const INT64_MAX = 9223372036854775807n

export const decimalArb = (max = 10n ** 12n): fc.Arbitrary<D.Decimal> =>
  fc.tuple(fc.bigInt({ min: 0n, max }), fc.integer({ min: 0, max: 6 })).map(([u, s]) => D.make(u, s))

export const signedDecimalArb: fc.Arbitrary<D.Decimal> = fc
  .tuple(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), fc.integer({ min: 0, max: 6 }))
  .map(([u, s]) => D.make(u, s))

export const int64TextArb: fc.Arbitrary<string> = fc.bigInt({ min: 0n, max: INT64_MAX }).map(String)

export const instantArb: fc.Arbitrary<Instant> = fc
  .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2099-12-31T23:59:59Z"), noInvalidDate: true })
  .map((d) => d.toISOString() as Instant)

const known = new Set<string>(KNOWN_ORDER_STATUSES)
export const statusArb: fc.Arbitrary<SchwabOrder["status"]> = fc.oneof(
  fc.constantFrom(...KNOWN_ORDER_STATUSES).map((value) => ({ _tag: "Known" as const, value })),
  fc
    .string({ maxLength: 20 })
    .filter((s) => !known.has(s))
    .map((value) => ({ _tag: "Unlisted" as const, value }))
)

const symbolArb = fc.stringMatching(/^[A-Z]{1,5}$/).map((s) => s as TickerSymbol)
const wordArb = fc.constantFrom(
  "LIMIT",
  "MARKET",
  "SINGLE",
  "FILL",
  "CANCELED",
  "EXECUTION",
  "BUY",
  "SELL",
  ""
)

const executionLegArb = fc.record(
  {
    legId: int64TextArb,
    quantity: decimalArb(),
    mismarkedQuantity: decimalArb(),
    price: signedDecimalArb,
    time: instantArb,
    instrumentId: int64TextArb
  },
  { requiredKeys: ["quantity", "price"] }
)

const activityArb = fc
  .record(
    {
      activityType: wordArb,
      activityId: int64TextArb,
      executionType: wordArb,
      quantity: decimalArb(),
      orderRemainingQuantity: decimalArb(),
      executionLegs: fc.array(executionLegArb, { maxLength: 3 })
    },
    { requiredKeys: ["executionLegs"] }
  )
  .map((a) => ({ ...a, executionLegs: a.executionLegs.map((l, index) => ({ index, ...l })) }))

const legArb = fc.record(
  {
    legId: int64TextArb,
    instruction: wordArb,
    quantity: decimalArb(),
    symbol: symbolArb,
    assetType: fc.constantFrom("EQUITY", "OPTION"),
    instrumentId: int64TextArb
  },
  { requiredKeys: [] }
)

const ownFields = {
  status: statusArb,
  quantity: decimalArb(),
  filledQuantity: decimalArb(),
  remainingQuantity: decimalArb(),
  price: signedDecimalArb,
  orderType: wordArb,
  orderStrategyType: fc.constantFrom("SINGLE", "OCO", "TRIGGER"),
  complexOrderStrategyType: fc.constantFrom("NONE", "VERTICAL"),
  enteredTime: instantArb,
  closeTime: instantArb,
  statusDescription: fc.string({ maxLength: 30 }),
  tag: fc.string({ maxLength: 12 }),
  legs: fc.array(legArb, { maxLength: 2 }),
  activities: fc.array(activityArb, { maxLength: 3 })
}

/** An order tree (children and replacements up to three levels) with ids still to assign. */
const treeArb: fc.Arbitrary<SchwabOrder> = fc.letrec<{ order: SchwabOrder }>((tie) => ({
  order: fc
    .record(
      {
        ...ownFields,
        childOrders: fc.oneof(
          { depthSize: "small", withCrossShrink: true },
          fc.constant([]),
          fc.array(tie("order"), { maxLength: 2 })
        ),
        replacingOrders: fc.oneof(
          { depthSize: "small", withCrossShrink: true },
          fc.constant([]),
          fc.array(tie("order"), { maxLength: 1 })
        )
      },
      { requiredKeys: ["status", "legs", "activities", "childOrders", "replacingOrders"] }
    )
    .map((o) => o as SchwabOrder)
})).order

/** Gives every order of the trees a distinct id above 2^53 (pre-order), so any one can be followed. */
export const withIds = (
  orders: ReadonlyArray<SchwabOrder>,
  first = 9007199254740993n
): Array<SchwabOrder> => {
  let next = first
  const assign = (o: SchwabOrder): SchwabOrder => {
    const orderId = String(next++) as OrderId
    return {
      ...o,
      orderId,
      childOrders: o.childOrders.map(assign),
      replacingOrders: o.replacingOrders.map(assign)
    }
  }
  return orders.map(assign)
}

export const orderTreeArb: fc.Arbitrary<SchwabOrder> = treeArb.map((o) => withIds([o])[0]!)
export const orderForestArb: fc.Arbitrary<Array<SchwabOrder>> = fc
  .array(treeArb, { minLength: 1, maxLength: 4 })
  .map((os) => withIds(os))
