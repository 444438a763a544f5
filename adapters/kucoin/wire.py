"""KuCoin's JSON objects, named exactly like its fields."""

from __future__ import annotations

from decimal import Decimal

import attrs

from unified.diagnostics import Text


@attrs.frozen
class Symbol:
    symbol: str
    baseCurrency: str
    quoteCurrency: str
    baseMinSize: Decimal
    baseIncrement: Decimal
    priceIncrement: Decimal
    enableTrading: bool
    minFunds: Decimal | None = None
    quoteIncrement: Decimal | None = None  # the step of funds (a quote amount)


@attrs.frozen
class Stats:
    time: int
    symbol: str
    buy: Decimal | None = None
    sell: Decimal | None = None
    last: Decimal | None = None
    high: Decimal | None = None
    low: Decimal | None = None
    vol: Decimal | None = None
    volValue: Decimal | None = None
    changePrice: Decimal | None = None


@attrs.frozen
class AllTickersItem:
    symbol: str
    buy: Decimal | None = None
    bestBidSize: Decimal | None = None
    sell: Decimal | None = None
    bestAskSize: Decimal | None = None
    last: Decimal | None = None
    high: Decimal | None = None
    low: Decimal | None = None
    vol: Decimal | None = None
    volValue: Decimal | None = None
    changePrice: Decimal | None = None


@attrs.frozen
class HistoryTrade:
    sequence: str
    price: Decimal
    size: Decimal
    side: str
    time: int  # nanoseconds


@attrs.frozen
class Account:
    currency: str
    type: str
    balance: Decimal
    available: Decimal
    holds: Decimal


@attrs.frozen
class PlacedOrder:
    orderId: str
    clientOid: str | None = None


@attrs.frozen
class CanceledOrder:
    """A cancel by order id answers {orderId}; one by client id answers {clientOid}."""

    orderId: str | None = None
    clientOid: str | None = None


@attrs.frozen
class SyncOrder:
    """The answer of a sync create or cancel (/api/v1/hf/orders/sync...): the order's state
    once matched, by sizes; it names neither the order's symbol, side, type nor price. A cancel
    by client id names the clientOid only; a cancel answers no times."""

    dealSize: Decimal
    remainSize: Decimal
    canceledSize: Decimal
    status: str  # open | done
    orderId: str | None = None
    clientOid: str | None = None
    originSize: Decimal | None = None
    orderTime: int | None = None
    matchTime: int | None = None


@attrs.frozen
class BatchItem:
    """One order of a batch create's answer (/api/v1/hf/orders/multi), in the request's order."""

    success: bool
    orderId: str | None = None
    clientOid: str | None = None
    failMsg: Text = None


@attrs.frozen
class CancelAllFailure:
    symbol: str
    error: Text = None


@attrs.frozen
class CancelAllResult:
    """DELETE /api/v1/hf/orders/cancelAll: the markets whose orders it canceled, and not."""

    succeedSymbols: list[str]
    failedSymbols: list[CancelAllFailure]


@attrs.frozen
class OpenSymbols:
    symbols: list[str]


@attrs.frozen
class HfOrder:
    id: str
    symbol: str
    type: str
    side: str
    size: Decimal
    dealSize: Decimal
    dealFunds: Decimal
    remainSize: Decimal
    cancelledSize: Decimal
    fee: Decimal
    feeCurrency: str
    active: bool
    inOrderBook: bool
    cancelExist: bool
    createdAt: int
    lastUpdatedAt: int
    price: Decimal | None = None
    funds: Decimal | None = None
    clientOid: str | None = None
    timeInForce: str | None = None
    postOnly: bool | None = None


@attrs.frozen
class HfFill:
    id: int
    orderId: str
    tradeId: int
    symbol: str
    side: str
    liquidity: str
    price: Decimal
    size: Decimal
    funds: Decimal
    fee: Decimal
    feeCurrency: str
    createdAt: int
    feeRate: Decimal | None = None


@attrs.frozen
class LedgerItem:
    id: str
    currency: str
    amount: Decimal
    fee: Decimal
    bizType: str
    direction: str
    createdAt: int
    balance: Decimal | None = None
    context: str | None = None


@attrs.frozen
class AlteredOrder:
    """POST /api/v1/hf/orders/alter: the replacement's id and the original clientOid."""

    newOrderId: str
    clientOid: str | None = None


@attrs.frozen
class DeadCancel:
    """POST /api/v1/hf/orders/dead-cancel-all: seconds since the epoch (empty when unset)."""

    currentTime: int | None = None
    triggerTime: int | None = None


@attrs.frozen
class DeadCancelSetting:
    """GET /api/v1/hf/orders/dead-cancel-all/query (empty data: not set); seconds."""

    timeout: int
    triggerTime: int
    symbols: str | None = None
    currentTime: int | None = None


@attrs.frozen
class PartialCancel:
    """DELETE /api/v1/hf/orders/cancel/{orderId}: the order and the size it canceled."""

    orderId: str
    cancelSize: Decimal


@attrs.frozen
class OcoPlaced:
    orderId: str


@attrs.frozen
class OcoCanceled:
    cancelledOrderIds: list[str]


@attrs.frozen
class OcoLeg:
    id: str
    symbol: str
    side: str
    price: Decimal
    stopPrice: Decimal
    size: Decimal
    status: str


@attrs.frozen
class OcoOrder:
    """An OCO pair: the detail form (/api/v3/oco/order/details/{id}) adds `orders`, its legs."""

    orderId: str
    symbol: str
    status: str
    clientOid: str | None = None
    orderTime: int | None = None
    orders: list[OcoLeg] | None = None
