/**
 * The parsed field `"3"` of each ACCT_ACTIVITY message type the sandbox sends, in
 * the shapes of the real captures (shared/schwab/streamer-acct-activity-samples.json):
 * the same keys, nesting and spellings (`ExecutionID` beside `ExecutionId`,
 * `VenuExecutionTimeStamp`, `PrincipalAmmount`), amounts as `{lo, signScale}`,
 * times as US Eastern wall time. Values that only decorate (routes, quotes, CUSIPs)
 * are plausible constants; ids, quantities, prices and times are the order book's.
 *
 * @since 0.1.0
 */
import { easternDate, easternDateTime, stamp } from "./easternTime.js"
import type { JsonValue } from "./JsonText.js"
import type { BookOrder } from "./OrderBook.js"
import { instrumentIdOf } from "./renderOrder.js"
import { product, streamAmount, streamCount } from "./StreamAmount.js"

/** What every body needs besides the order. */
export interface BodyContext {
  /** `OrderPlacementCustomerID`, the account holder's customer number. */
  readonly customerNumber: string
}

const ROUTE = "CES_NMS_F3_J2"

const buySell = (instruction: string): string =>
  ({ BUY: "Buy", SELL: "Sell", BUY_TO_COVER: "BuyToCover", SELL_SHORT: "SellShort" })[instruction] ??
  instruction

const orderTypeCode = (orderType: string): string =>
  ({ MARKET: "Market", LIMIT: "Limit", STOP: "Stop", STOP_LIMIT: "StopLimit" })[orderType] ?? orderType

const isBuy = (order: BookOrder): boolean => order.spec.instruction.startsWith("BUY")

/** The envelope every body shares: `SchwabOrderID`, `AccountNumber`, `BaseEvent{EventType, <key>}`. */
const envelope = (
  order: BookOrder,
  type: string,
  key: string,
  event: Record<string, JsonValue>
): JsonValue => ({
  SchwabOrderID: String(order.orderId),
  AccountNumber: order.account.accountNumber,
  BaseEvent: { EventType: type, [key]: { EventType: type, ...event } }
})

/** A quote around the order's price (or 100.00), with a positive `Mid`. */
const quote = (order: BookOrder, at: number): JsonValue => {
  const mid = order.spec.price ?? "100"
  return {
    Ask: streamAmount(mid),
    AskSize: streamCount(200),
    Bid: streamAmount(mid),
    BidSize: streamCount(200),
    QuoteTimestamp: stamp(easternDateTime(at)),
    Symbol: order.spec.symbol,
    QuoteTypeCode: "Mark",
    Mid: streamAmount(mid),
    SchwabOrderID: String(order.orderId)
  }
}

/** The order as OrderCreated and ChangeCreated carry it. */
const orderDocument = (order: BookOrder, ctx: BodyContext, lifecycleId: bigint): JsonValue => {
  const { spec } = order
  const at = order.enteredAt
  const limit = spec.price
  const estimate = product(spec.quantity, limit ?? "0", 2)
  return {
    SchwabOrderID: String(order.orderId),
    AccountNumber: order.account.accountNumber,
    Order: {
      AccountInfo: {
        AccountNumber: order.account.accountNumber,
        AccountBranch: "GR",
        CustomerOrFirmCode: "CustomerOrFirmCode_Customer",
        OrderPlacementCustomerID: ctx.customerNumber,
        AccountState: "MI",
        AccountTypeCode: "Customer"
      },
      ClientChannelInfo: { ClientProductCode: "MO", EventUserID: "APIX", EventUserType: "Client" },
      LifecycleCreatedTimestamp: stamp(easternDateTime(at)),
      LifecycleSchwabOrderID: String(lifecycleId),
      EntryTimestamp: stamp(easternDateTime(at)),
      ExpiryTimeStamp: stamp(easternDate(at)),
      AutoConfirm: true,
      PlanSubmitDate: stamp(easternDate(at)),
      SourceOMS: "ngOMS",
      FirmID: "CHAS",
      OrderAccount: "TDAAccount",
      AssetOrderEquityOrderLeg: {
        OrderInstruction: {
          HandlingInstructionCode: "AutomatedExecutionNoIntervention",
          ExecutionStrategy:
            limit === undefined
              ? { Type: "ES_Market" }
              : {
                  Type: "ES_Limit",
                  LimitExecutionStrategy: {
                    Type: "ES_Limit",
                    LimitPrice: streamAmount(limit),
                    LimitPriceUnitCode: "Units"
                  }
                },
          PreferredRoute: {},
          EquityOrderInstruction: {}
        },
        CommissionInfo: {
          EstimatedOrderQuantity: streamAmount(spec.quantity),
          EstimatedPrincipalAmount: streamAmount(estimate, isBuy(order)),
          EstimatedCommissionAmount: streamAmount("0")
        },
        AssetType: "MajorAssetType_Equity",
        TimeInForce: spec.duration === "DAY" ? "Day" : spec.duration,
        OrderTypeCode: orderTypeCode(spec.orderType),
        OrderLegs: [
          {
            LegID: String(order.orderId),
            LegParentSchwabOrderID: String(order.orderId),
            Quantity: streamAmount(spec.quantity),
            QuantityUnitCodeType: "SharesOrUnits",
            LeavesQuantity: streamAmount(spec.quantity),
            BuySellCode: buySell(spec.instruction),
            Security: {
              SchwabSecurityID: String(instrumentIdOf(spec.symbol)),
              Symbol: spec.symbol,
              UnderlyingSymbol: spec.symbol,
              PrimaryExchangeCode: "Q",
              MajorAssetType: "MajorAssetType_Equity",
              PrimaryMarketSymbol: spec.symbol,
              ShortDescriptionText: spec.symbol,
              ShortName: spec.symbol,
              OptionsSecurityInfo: {}
            },
            QuoteOnOrderAcceptance: quote(order, at),
            LegClientRequestInfo: { SecurityId: spec.symbol, SecurityIdTypeCd: "Symbol" },
            AccountingRuleCode: "Margin",
            EstimatedNetAmount: streamAmount(estimate, isBuy(order)),
            EstimatedPrincipalAmnt: streamAmount(estimate, isBuy(order)),
            EquityOrderLeg: {}
          }
        ],
        OrderCapacityCode: "OC_Agency",
        SettlementType: "SettlementType_Regular",
        Rule80ACode: 73,
        SolicitedCode: "Unsolicited",
        EquityOrder: { TradingSessionCodeOnOrder: "REG" }
      }
    }
  }
}

/** @since 0.1.0 @category bodies */
export const orderCreated = (order: BookOrder, ctx: BodyContext): JsonValue =>
  envelope(order, "OrderCreated", "OrderCreatedEventEquityOrder", {
    Order: orderDocument(order, ctx, order.orderId)
  })

/** The new order of a replace; `lifecycleId` is the first order of the chain. */
export const changeCreated = (order: BookOrder, ctx: BodyContext, parent: bigint, lifecycleId: bigint) =>
  envelope(order, "ChangeCreated", "ChangeCreatedEventEquityOrder", {
    Order: orderDocument(order, ctx, lifecycleId),
    ParentSchwabOrderID: String(parent),
    LifecycleSchwabOrderID: String(lifecycleId)
  })

const acceptance = (order: BookOrder) => ({
  CreatedTimeStamp: stamp(easternDateTime(order.enteredAt)),
  ExpiryTimeStamp: stamp(easternDate(order.enteredAt)),
  TradingSessionCodeOnOrderEntry: "REG",
  QuoteOnOrderEntry: [quote(order, order.enteredAt)]
})

export const orderAccepted = (order: BookOrder): JsonValue =>
  envelope(order, "OrderAccepted", "OrderAcceptedEvent", { ...acceptance(order), Status: "Open" })

export const changeAccepted = (order: BookOrder, previous: bigint): JsonValue =>
  envelope(order, "ChangeAccepted", "ChangeAcceptedEvent", {
    ...acceptance(order),
    Status: "Open",
    LegStatus: "LegOpen",
    LegInfoUpdate: [
      {
        LegId: String(order.orderId),
        AccountingRuleCode: "Margin",
        IntendedOrderQuantity: streamAmount(order.spec.quantity),
        PreviousLegId: String(previous)
      }
    ]
  })

const clientOrderId = (order: BookOrder): string => `${order.orderId}.1`

/** Route `routeSequence` 1 is the order's own, 2 its cancel. */
export const executionRequested = (order: BookOrder, at: number, kind: "New" | "Cancel", leaves: string) =>
  envelope(order, "ExecutionRequested", "ExecutionRequestedEventRoutedInfo", {
    RouteSequenceNumber: kind === "New" ? 1 : 2,
    RouteInfo: {
      RouteName: ROUTE,
      RouteSequenceNumber: kind === "New" ? 1 : 2,
      RoutedExecutionTimestamp: stamp(easternDateTime(at)),
      Quote: quote(order, at),
      RouteRequestedType: kind,
      RoutedQuantity: streamAmount(leaves),
      RoutedPrice: streamAmount(order.spec.price ?? "0"),
      RouteStatus: "RouteCreated",
      ClientOrderID: clientOrderId(order),
      RoutedTime: stamp(easternDateTime(at)),
      RouteTimeInForce: "Day",
      RouteAcknowledgmentTimeStamp: {}
    },
    RouteRequestedBy: "RR_Broker",
    LegId: String(order.orderId)
  })

export const executionRequestCreated = (order: BookOrder, at: number): JsonValue =>
  envelope(order, "ExecutionRequestCreated", "ExecutionRequestCreatedEvent", {
    LegId: String(order.orderId),
    RouteName: ROUTE,
    RouteRequestType: "New",
    RouteSequenceNumber: 1,
    RouteRequestedBy: "RR_Broker",
    RouteStatus: "RouteFixAcknowledged",
    SenderCompID: "CHASBL01",
    RoutedTime: stamp(easternDateTime(at)),
    ClientOrderID: clientOrderId(order)
  })

/** A cancel's answer carries numbers where a new route's carries names, as captured in Dec 2025. */
export const executionRequestCompleted = (order: BookOrder, at: number, kind: "New" | "Cancel") =>
  envelope(order, "ExecutionRequestCompleted", "ExecutionRequestCompletedEvent", {
    LegId: String(order.orderId),
    ResponseType: kind === "New" ? "Accepted" : 7,
    ExecutionTime: stamp(easternDateTime(at)),
    RouteSequenceNumber: kind === "New" ? 1 : 2,
    RouteStatus: kind === "New" ? "RouteVenueAccepted" : 8,
    RouteAcknowledgmentTimeStamp: stamp(easternDateTime(at)),
    ClientOrderID: clientOrderId(order)
  })

/** One execution as OrderFillCompleted reports it, with the order's running totals after it. */
export interface FillFacts {
  readonly at: number
  readonly executionId: string
  readonly quantity: string
  readonly price: string
  readonly cumulative: string
  readonly leaves: string
  readonly averagePrice: string
}

const ZERO_FEES = Object.fromEntries(
  [
    "StateTaxWithholding",
    "FederalTaxWithholding",
    "SECFees",
    "ORF",
    "FTT",
    "TaxWithholding1446",
    "GoodsAndServicesTax",
    "IOF",
    "TAF",
    "CommissionAmount"
  ].map((key) => [key, streamAmount("0")])
)

export const orderFillCompleted = (order: BookOrder, fill: FillFacts): JsonValue => {
  const closed = fill.leaves === "0"
  return envelope(order, "OrderFillCompleted", "OrderFillCompletedEventOrderLegQuantityInfo", {
    LegId: String(order.orderId),
    LegStatus: closed ? "LegClosed" : "LegOpen",
    QuantityInfo: {
      ExecutionID: fill.executionId,
      CumulativeQuantity: streamAmount(fill.cumulative),
      LeavesQuantity: streamAmount(fill.leaves),
      AveragePrice: streamAmount(fill.averagePrice)
    },
    LegSubStatus: closed ? "LegSubStatusFilled" : "LegSubStatusPartiallyFilled",
    ExecutionInfo: {
      ExecutionSequenceNumber: 1,
      ExecutionId: fill.executionId,
      VenueExecutionID: fill.executionId.slice(-8),
      ExecutionQuantity: streamAmount(fill.quantity),
      ExecutionPrice: streamAmount(fill.price),
      ExecutionTimeStamp: stamp(easternDateTime(fill.at)),
      ExecutionTransType: "Fill",
      ExecutionBroker: "CDRG",
      ExecutionCapacityCode: "Agency",
      RouteName: ROUTE,
      RouteSequenceNumber: 1,
      VenuExecutionTimeStamp: stamp(easternDateTime(fill.at)),
      ReportingCapacityCode: "RC_Agency",
      PrincipalAmmount: streamAmount(product(fill.quantity, fill.price, 2)),
      ActualChargedCommissionAmount: streamAmount("0"),
      AsOfTimeStamp: {},
      ActualChargedFeesCommissionAndTax: ZERO_FEES,
      ClientOrderID: clientOrderId(order)
    },
    OrderInfoForTransactionPosting: {
      ...(order.spec.price === undefined ? {} : { LimitPrice: streamAmount(order.spec.price) }),
      OrderTypeCode: orderTypeCode(order.spec.orderType),
      BuySellCode: buySell(order.spec.instruction),
      Quantity: streamAmount(order.spec.quantity),
      StopPrice: {},
      Symbol: order.spec.symbol,
      SchwabSecurityID: String(instrumentIdOf(order.spec.symbol)),
      SolicitedCode: "Unsolicited",
      AccountingRuleCode: "Margin",
      SettlementType: "SettlementType_Regular",
      OrderCreatedUserID: "APIX",
      OrderCreatedUserType: "Venue",
      ClientProductCode: "MO"
    }
  })
}

/** A cancel request accepted; `replacedBy` when the cancel is half of a replace. */
export const cancelAccepted = (order: BookOrder, at: number, leaves: string, replacedBy?: bigint) =>
  envelope(order, "CancelAccepted", "CancelAcceptedEvent", {
    LifecycleSchwabOrderID: String(order.orderId),
    PlanSubmitDate: stamp(easternDate(order.enteredAt)),
    ClientProductCode: "MO",
    AutoConfirm: true,
    CancelTimeStamp: stamp(easternDateTime(at)),
    LegCancelRequestInfoList: [
      {
        LegID: String(order.orderId),
        IntendedOrderQuantity: streamAmount(order.spec.quantity),
        ...(replacedBy === undefined ? {} : { ChangedNewOrderID: String(replacedBy) }),
        RequestedAmount: streamAmount(leaves),
        LegStatus: "LegOpen",
        LegSubStatus: "LegSubStatusCancelled",
        ...(replacedBy === undefined ? {} : { ChangedNewSchwabOrderId: String(replacedBy) }),
        CancelAcceptedTime: stamp(easternDateTime(at)),
        EventUserID: "APIX"
      }
    ],
    CancelRequestType: "ClientCancel"
  })

/** The unfilled remainder taken out of the market ("UR out"): not a fill. */
export const executionCreatedUROut = (
  order: BookOrder,
  at: number,
  executionId: string,
  quantity: string,
  cancelType: string
) =>
  envelope(order, "ExecutionCreated", "ExecutionCreatedEventExecutionInfo", {
    LegId: String(order.orderId),
    ExecutionInfo: {
      ExecutionSequenceNumber: 1,
      ExecutionId: executionId,
      ExecutionQuantity: streamAmount(quantity),
      ExecutionTimeStamp: stamp(easternDateTime(at)),
      ExecutionTransType: "UROut",
      ExecutionCapacityCode: "Agency",
      RouteName: ROUTE,
      RouteSequenceNumber: 1,
      VenuExecutionTimeStamp: stamp(easternDateTime(at)),
      CancelType: cancelType,
      ReportingCapacityCode: "RC_Agency",
      AsOfTimeStamp: {},
      ClientOrderID: clientOrderId(order)
    },
    AsOfTimeStamp: stamp(easternDateTime(at)),
    RouteSequenceNumber: 1
  })

/**
 * The leg closed with `quantity` unfilled. `outCancelType` is `ClientCancel` as
 * captured; rejects use `SystemReject` with `ValidationDetail` as LEAN reads them,
 * and expiries `Expired` [both UNVERIFIED: no public capture, streamer.md §4].
 */
export const orderUROutCompleted = (
  order: BookOrder,
  at: number,
  executionId: string,
  quantity: string,
  outCancelType: string,
  rejection?: string
) =>
  envelope(order, "OrderUROutCompleted", "OrderUROutCompletedEvent", {
    LegId: String(order.orderId),
    ExecutionId: executionId,
    LeavesQuantity: streamAmount("0"),
    CancelQuantity: streamAmount(quantity),
    LegStatus: "LegClosed",
    LegSubStatus: outCancelType === "SystemReject" ? "LegSubStatusRejected" : "LegSubStatusCancelled",
    OutCancelType: outCancelType,
    ...(rejection === undefined
      ? {}
      : { ValidationDetail: [{ NgOMSRuleName: "SandboxRule", NgOMSRuleDescription: rejection }] }),
    VenueExecutionTimeStamp: stamp(easternDateTime(at)),
    ExecutionTimeStamp: stamp(easternDateTime(at)),
    RouteName: ROUTE
  })
