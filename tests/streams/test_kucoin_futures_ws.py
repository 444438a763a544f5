"""KuCoin futures WebSocket dialect (adapters/kucoin_futures/ws.py) on the venue's documented
pushes: each example below is the `x-response-example` of its topic in
kucoin-openapi/ws/openapi-futures-public.json / -private.json (the spec's escaping undone)."""

from __future__ import annotations

import itertools
import json
from decimal import Decimal
from typing import Any

import pytest

from adapters.kucoin_futures import ws
from unified.derivative_models import Position, PositionSide
from unified.errors import ConfigurationError, DecodeError
from unified.models import (
    Fill,
    Liquidity,
    MarginMode,
    Order,
    OrderStatus,
    Side,
    Ticker,
    Trade,
)
from unified.streams import dialect
from unified.streams.dialect import BalanceChange, Item, Want
from unified.streams.sequenced import Delta, SequencedBook, Snapshot

from ..venues.test_kucoin_futures import CTX

D = Decimal

LEVEL2 = ('{"topic":"/contractMarket/level2:XBTUSDTM","type":"message","subject":"level2",'
          '"sn":1709400450243,"data":{"sequence":1709400450243,"change":"90631.2,sell,2",'
          '"timestamp":1731897467182}}')
TICKER = ('{"topic":"/contractMarket/ticker:XBTUSDTM","type":"message","subject":"ticker",'
          '"sn":1793133570931,"data":{"symbol":"XBTUSDTM","sequence":1793133570931,'
          '"side":"sell","size":1,"price":"90147.7","bestBidSize":2186,'
          '"bestBidPrice":"90147.7","bestAskPrice":"90147.8","tradeId":"1793133570931",'
          '"bestAskSize":275,"ts":1731679215637000000}}')
EXECUTION = ('{"topic":"/contractMarket/execution:XBTUSDTM","type":"message","subject":"match",'
             '"sn":1794100537695,"data":{"symbol":"XBTUSDTM","sequence":1794100537695,'
             '"side":"buy","size":2,"price":"90503.9","takerOrderId":"247822202957807616",'
             '"makerOrderId":"247822167163555840","tradeId":"1794100537695",'
             '"ts":1731898619520000000}}')
ORDER = ('{"topic":"/contractMarket/tradeOrders:XBTUSDTM","type":"message",'
         '"subject":"symbolOrderChange","userId":"633559791e1cbc0001f319bc",'
         '"channelType":"private","data":{"symbol":"XBTUSDTM","side":"buy","canceledSize":"0",'
         '"orderId":"247899236673269761","liquidity":"maker","marginMode":"ISOLATED",'
         '"type":"open","orderTime":1731916985768138917,"size":"1","filledSize":"0",'
         '"price":"91670","remainSize":"1","status":"open","ts":1731916985789000000}}')
WALLET = ('{"topic":"/contractAccount/wallet","type":"message","subject":"walletBalance.change",'
          '"id":"673b0bb925b4bc0001fadfef","userId":"633559791e1cbc0001f319bc",'
          '"channelType":"private","data":{"crossPosMargin":"0","isolatedOrderMargin":"18.1188",'
          '"holdBalance":"0","equity":"81.273621258","version":"1337",'
          '"availableBalance":"26.144281178","isolatedPosMargin":"36.80984008",'
          '"walletBalance":"81.072921258","isolatedFundingFeeMargin":"0","crossUnPnl":"0",'
          '"totalCrossMargin":"26.144281178","currency":"USDT","isolatedUnPnl":"0.2007",'
          '"crossOrderMargin":"0","timestamp":"1731916996764"}}')
POSITION = ('{"topic":"/contract/position:XBTUSDTM","type":"message","data":{"symbol":"XBTUSDTM",'
            '"maintMarginReq":0.005,"riskLimit":500000,"realLeverage":4.9685590767,'
            '"crossMode":false,"delevPercentage":0.10,"openingTimestamp":1731916913097,'
            '"autoDeposit":true,"currentTimestamp":1731924561514,"currentQty":1,'
            '"currentCost":91.5306,"currentComm":0.09179284,"unrealisedCost":91.6945,'
            '"realisedCost":-0.07210716,"isOpen":true,"markPrice":91839.79,"markValue":91.83979,'
            '"posCost":91.6945,"posCross":0,"posInit":18.3389,"posComm":0.06602004,"posLoss":0,'
            '"posMargin":18.40492004,"posFunding":0,"posMaint":0.5634627025,'
            '"maintMargin":18.55021004,"avgEntryPrice":91694.5,"liquidationPrice":73853.0426625,'
            '"bankruptPrice":73355.6,"settleCurrency":"USDT","changeReason":"positionChange",'
            '"riskLimitLevel":2,"realisedGrossCost":-0.1639,"realisedGrossPnl":0.1639,'
            '"realisedPnl":0.07210716,"unrealisedPnl":0.14529,"unrealisedPnlPcnt":0.0016,'
            '"unrealisedRoePcnt":0.0079,"leverage":4.9685590767,"marginMode":"ISOLATED",'
            '"positionSide":"BOTH"},"subject":"position.change",'
            '"userId":"633559791e1cbc0001f319bc","channelType":"private"}')


def decode(frame: str) -> list[Any]:
    return ws.STREAMS.decode(frame, CTX)


def value(frame: str) -> Any:
    (item,) = decode(frame)
    assert isinstance(item, Item)
    return item.value


def frame(text: str, **data: Any) -> str:
    """A documented push with some of its data fields changed."""
    body = json.loads(text)
    body["data"].update(data)
    return json.dumps(body)


def test_level2_change_is_one_sequenced_delta() -> None:
    (item,) = decode(LEVEL2)
    assert isinstance(item, Item) and (item.kind, item.symbol) == ("book", "BTC/USDT:USDT")
    assert item.value == Delta(start=1709400450243, end=1709400450243, bids=[],
                               asks=[["90631.2", "2", "1709400450243"]],
                               timestamp=item.value.timestamp)
    assert item.value.timestamp is not None and item.value.timestamp.tzinfo is not None


def test_level2_deltas_keep_a_book_on_its_snapshot() -> None:
    book = SequencedBook("BTC/USDT:USDT")
    deltas = [value(frame(LEVEL2, sequence=n, change=change)) for n, change in [
        (100, "90000,buy,5"), (101, "90000,buy,5"), (102, "90010,sell,3"),
        (103, "90000,buy,0")]]
    for delta in deltas:
        book.apply(delta)  # buffered until the snapshot
    book.seed(Snapshot(sequence=101, bids=[["90000", "5"], ["89990", "1"]],
                       asks=[["90020", "2"]]))
    built = book.book()
    assert built is not None and built.sequence == 103
    assert [(lv.price, lv.amount) for lv in built.bids] == [(D("89990"), D(1))]
    assert [(lv.price, lv.amount) for lv in built.asks] == [(D("90010"), D(3)),
                                                            (D("90020"), D(2))]


@pytest.mark.parametrize("change", ["90631.2,sell", "90631.2,short,2", "", 5])
def test_a_malformed_change_is_a_decode_error(change: Any) -> None:
    with pytest.raises(DecodeError):
        decode(frame(LEVEL2, change=change))


def test_ticker_carries_the_last_trade_and_the_best_prices() -> None:
    t = value(TICKER)
    assert isinstance(t, Ticker)
    assert (t.symbol, t.last, t.bid, t.ask, t.bid_size, t.ask_size) == (
        "BTC/USDT:USDT", D("90147.7"), D("90147.7"), D("90147.8"), D(2186), D(275))
    assert t.timestamp is not None and t.timestamp.microsecond == 637000


def test_execution_is_a_public_trade() -> None:
    tr = value(EXECUTION)
    assert tr == Trade(id="1794100537695", symbol="BTC/USDT:USDT", timestamp=tr.timestamp,
                       side=Side.BUY, price=D("90503.9"), amount=D(2))


def test_order_push_is_the_order_and_says_what_it_lacks() -> None:
    (item,) = decode(ORDER)
    assert isinstance(item, Item) and item.kind == "orders"
    order = item.value
    assert isinstance(order, Order)
    assert (order.id, order.symbol, order.side, order.status, order.price, order.amount,
            order.filled, order.remaining) == ("247899236673269761", "BTC/USDT:USDT", Side.BUY,
                                               OrderStatus.OPEN, D(91670), D(1), D(0), D(1))
    # orderTime in the example is nanoseconds (the schema says milliseconds): both are read
    assert order.created_at is not None and order.created_at.year == 2024
    assert {"fee", "time_in_force", "type"} <= item.unreported


def test_a_match_push_is_an_order_change_and_a_fill_valued_like_rest() -> None:
    match = frame(ORDER, type="match", status="open", filledSize="1", remainSize="0",
                  matchPrice="91670", matchSize="1", tradeId="1794100537695",
                  orderType="limit", clientOid="bot-1", orderTime=1731916985768)
    order_item, fill_item = decode(match)
    assert isinstance(order_item, Item) and isinstance(fill_item, Item)
    assert order_item.value.status is OrderStatus.FILLED  # the last lot filled
    assert order_item.value.client_order_id == "bot-1"
    assert "type" not in order_item.unreported and "cost" in order_item.unreported
    fill = fill_item.value
    assert isinstance(fill, Fill) and fill_item.kind == "my_trades"
    # XBTUSDTM: multiplier 0.001 BTC a contract, so one contract at 91670 is worth 91.67 USDT
    assert (fill.id, fill.order_id, fill.price, fill.amount, fill.cost, fill.liquidity) == (
        "1794100537695", "247899236673269761", D(91670), D(1), D("91.670"), Liquidity.MAKER)


@pytest.mark.parametrize(("kind", "status", "filled", "expected"), [
    ("canceled", "done", "0", OrderStatus.CANCELED),
    ("filled", "done", "1", OrderStatus.FILLED),
    ("update", "open", "0", OrderStatus.OPEN),
])
def test_order_states(kind: str, status: str, filled: str, expected: OrderStatus) -> None:
    pushed = frame(ORDER, type=kind, status=status, filledSize=filled)
    assert value(pushed).status is expected


def test_unknown_order_status_is_a_decode_error() -> None:
    with pytest.raises(DecodeError):
        decode(frame(ORDER, status="pending"))


def test_position_push_is_an_exact_position() -> None:
    (item,) = decode(POSITION)
    assert isinstance(item, Item) and (item.kind, item.symbol) == ("positions", "BTC/USDT:USDT")
    p = item.value
    assert isinstance(p, Position)
    assert (p.side, p.contracts, p.entry_price, p.mark_price, p.liquidation_price) == (
        PositionSide.LONG, D(1), D("91694.5"), D("91839.79"), D("73853.0426625"))
    # JSON numbers in the push, read as the decimals they spell (never through float)
    assert (p.leverage, p.margin, p.unrealized_pnl, p.realized_pnl) == (
        D("4.9685590767"), D("18.40492004"), D("0.14529"), D("0.07210716"))
    assert p.margin_mode is MarginMode.ISOLATED and p.contract_size == D("0.001")


def test_a_closed_position_is_pushed_flat_and_a_short_by_its_sign() -> None:
    assert value(frame(POSITION, currentQty=0, isOpen=False)).contracts == 0
    short = value(frame(POSITION, currentQty=-3))
    assert (short.side, short.contracts) == (PositionSide.SHORT, D(3))


def test_a_funding_settlement_note_yields_nothing() -> None:
    body = json.loads(POSITION)
    body["subject"] = "position.settlement"
    body["data"] = {"fundingTime": 1551770400000, "qty": 100, "markPrice": 3610.85,
                    "fundingRate": -0.002966, "fundingFee": -296, "ts": 1547697294838004923,
                    "settleCurrency": "XBT"}
    assert decode(json.dumps(body)) == []


# "Position Change Events caused by mark price" (KuCoin's legacy futures docs): the
# mark-dependent figures alone, no symbol and no currentQty (the docs' changeReason absent).
MARK_ONLY = {"markPrice": 7947.83, "markValue": 0.00251640, "maintMargin": 0.00252044,
             "realLeverage": 10.06, "unrealisedPnl": -0.00014735, "unrealisedRoePcnt": -0.0553,
             "unrealisedPnlPcnt": -0.0553, "delevPercentage": 0.52,
             "currentTimestamp": 1558087175068, "settleCurrency": "XBT"}


@pytest.mark.parametrize("extra", [{}, {"changeReason": "markPriceChange"}])
@pytest.mark.parametrize("topic", ["/contract/position:XBTUSDTM", "/contract/positionAll"])
def test_a_mark_price_note_yields_nothing(topic: str, extra: dict[str, Any]) -> None:
    body = json.loads(POSITION)
    body["topic"], body["data"] = topic, {**MARK_ONLY, **extra}
    assert decode(json.dumps(body)) == []


@pytest.mark.parametrize("data", [
    {**MARK_ONLY, "symbol": "XBTUSDTM"},  # a contract named: a whole position, wanting its size
    {**MARK_ONLY, "currentQty": 1},  # a size, so a position: wanting its symbol
    {k: v for k, v in MARK_ONLY.items() if k != "markPrice"},  # not even a mark price
    {"symbol": "XBTUSDTM"},
])
def test_a_partial_position_is_still_unreadable(data: dict[str, Any]) -> None:
    body = json.loads(POSITION)
    body["data"] = data
    with pytest.raises(dialect.Unreadable):
        decode(json.dumps(body))


def test_wallet_push_is_the_settle_currencys_balance() -> None:
    (item,) = decode(WALLET)
    assert isinstance(item, Item) and item.kind == "balance"
    assert item.value == BalanceChange(currency="USDT", total=D("81.072921258"),
                                       available=D("26.144281178"), held=D("54.92864008"),
                                       timestamp=item.value.timestamp)
    assert value(frame(WALLET, currency="XBT")).currency == "BTC"


def test_control_frames_and_token_expiry() -> None:
    assert decode('{"id":"a","type":"welcome"}') == [dialect.Welcome()]
    assert decode('{"id":"1","type":"pong"}') == [dialect.Pong()]
    assert decode('{"id":"7","type":"ack"}') == [dialect.Acked(ref="7")]
    (refused,) = decode('{"id":"x","type":"error","code":401,"data":"token is expired"}')
    assert isinstance(refused, dialect.Refused) and refused.token_expired


def test_a_push_on_a_topic_never_subscribed_is_a_decode_error() -> None:
    with pytest.raises(DecodeError):
        decode(LEVEL2.replace("/contractMarket/level2", "/contractMarket/level2Depth5"))


def test_wire_keys_and_subscriptions() -> None:
    keys = ws.STREAMS.wire_keys
    assert keys(Want("book", "XBTUSDTM"), []) == ["/contractMarket/level2:XBTUSDTM"]
    assert keys(Want("ticker", "XBTUSDTM"), []) == ["/contractMarket/ticker:XBTUSDTM"]
    assert keys(Want("trades", "XBTUSDTM"), []) == ["/contractMarket/execution:XBTUSDTM"]
    assert keys(Want("orders", "XBTUSDTM"), []) == keys(Want("my_trades", None), []) == [
        "/contractMarket/tradeOrders"]
    assert keys(Want("balance", None), []) == ["/contractAccount/wallet"]
    assert keys(Want("positions", None), []) == ["/contract/positionAll"]
    assert keys(Want("positions", "XBTUSDTM"), []) == ["/contract/position:XBTUSDTM"]
    with pytest.raises(ConfigurationError):
        keys(Want("book", None), [])
    refs = itertools.count(1)
    out = ws.STREAMS.subscribe(["/contractMarket/level2:XBTUSDTM", "/contract/positionAll",
                                "/contract/positionAll"], lambda: next(refs))
    assert [json.loads(o.frame) for o in out] == [
        {"id": "1", "type": "subscribe", "topic": "/contractMarket/level2:XBTUSDTM",
         "privateChannel": False, "response": True},
        {"id": "2", "type": "subscribe", "topic": "/contract/positionAll",
         "privateChannel": True, "response": True}]
    assert [o.refs for o in out] == [("1",), ("2",)]
    (off,) = ws.STREAMS.unsubscribe(["/contract/position:XBTUSDTM"], lambda: "9")
    assert json.loads(off.frame)["privateChannel"] is True


def test_the_endpoint_comes_from_the_bullet() -> None:
    answer = {"token": "secret-token", "instanceServers": [
        {"endpoint": "wss://ws-api-futures.kucoin.com/", "encrypt": True,
         "protocol": "websocket", "pingInterval": 18000, "pingTimeout": 10000}]}
    end = ws.STREAMS.endpoint("https://api-futures.kucoin.com", True, answer, "c1")
    assert end.url.startswith("wss://ws-api-futures.kucoin.com/?token=secret-token")
    assert (end.ping_interval_s, end.ping_timeout_s, end.welcome) == (18.0, 10.0, True)
    assert "secret-token" not in repr(end)


@pytest.mark.parametrize(("text", "kind", "symbol"), [
    (frame(LEVEL2, change=5), "book", "BTC/USDT:USDT"),
    (frame(TICKER, price="x"), "ticker", "BTC/USDT:USDT"),
    (frame(POSITION, currentQty="lots"), "positions", "BTC/USDT:USDT"),
])
def test_an_unreadable_push_names_its_stream(text: str, kind: str, symbol: str) -> None:
    with pytest.raises(dialect.Unreadable) as unreadable:
        decode(text)
    assert (unreadable.value.kind, unreadable.value.symbol) == (kind, symbol)
