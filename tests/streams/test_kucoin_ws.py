"""KuCoin WebSocket frame codec (adapters/kucoin/ws.py) on the venue's documented payloads."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.kucoin import ws
from unified.errors import ConfigurationError, DecodeError
from unified.models import Fill, Liquidity, Order, OrderStatus, OrderType, Side, Ticker, Trade
from unified.spec import load_spec
from unified.streams import dialect
from unified.streams.book import Status
from unified.streams.dialect import BalanceChange, Item, Want
from unified.streams.sequenced import Delta, SequencedBook, Snapshot
from unified.tables import Tables
from unified.venue import Context, Credentials

from ..conftest import DATA as REFERENCE
from .histories import DATA, example

D = Decimal

# kucoin-openapi/examples/post_api_v1_bullet_public.json, response.data (from the official
# spec's x-response-example for POST /api/v1/bullet-public)
BULLET: dict[str, Any] = {
    "token": "2neAiuYvAU61ZDXANAGAsiL4-iAExhsBXZxftpOeh_55i3Ysy2q2LEsEWU64mdzUOPusi34M_wGoSf7iN"
             "yEWJ93g2WHl-j4M7tCZ_S21PuIByWXUJFDywtiYB9J6i9GjsxUuhPw3Blq6rhZlGykT3Vp1phUafnulOOpt"
             "s-MEmEF-3bpfetLOAq79RbGaLlE4JBvJHl5Vs9Y=.ymP9jIr6v-vucrZr8761yA==",
    "instanceServers": [{"endpoint": "wss://ws-api-spot.kucoin.com/", "encrypt": True,
                         "protocol": "websocket", "pingInterval": 18000, "pingTimeout": 10000}],
}

# kucoin-openapi/ws/openapi-spot-public.json, x-response-example of
# /ticker/market/ticker:_symbol_,_symbol_ (spec escaping undone)
TICKER = ('{"type":"message","topic":"/market/ticker:BTC-USDT","subject":"trade.ticker",'
          '"data":{"sequence":"1545896668986","price":"0.08","size":"0.011","bestAsk":"0.08",'
          '"bestAskSize":"0.18","bestBid":"0.049","bestBidSize":"0.036","Time":1704873323416}}')

# same file, x-response-example of /trade/market/match:_symbol_,_symbol_
MATCH = ('{"topic":"/market/match:BTC-USDT","type":"message","subject":"trade.l3match",'
         '"data":{"makerOrderId":"671b5007389355000701b1d3","price":"67523",'
         '"sequence":"11067996711960577","side":"buy","size":"0.003","symbol":"BTC-USDT",'
         '"takerOrderId":"671b50161777ff00074c168d","time":"1729843222921000000",'
         '"tradeId":"11067996711960577","type":"match"}}')

# Control frames: shapes from KuCoin's WebSocket "Introduction" page (welcome / ping / pong /
# ack carry an id); the reference copy shows only ping and subscribe, so these are written here.
WELCOME = '{"id":"hQvf8jkno","type":"welcome"}'
PONG = '{"id":"1545910590801","type":"pong"}'
ACK = '{"id":"1545910660739","type":"ack"}'
TOKEN_EXPIRED = '{"id":"hQvf8jkno","type":"error","code":401,"data":"token is expired"}'


def unified(venue_symbol: str) -> str:
    return venue_symbol.replace("-", "/")


# -- bullet -------------------------------------------------------------------------------------


def test_bullet_example_parses() -> None:
    bullet = ws.parse_bullet(BULLET)
    assert bullet.token == BULLET["token"]
    (server,) = bullet.servers
    assert server == ws.InstanceServer(endpoint="wss://ws-api-spot.kucoin.com/", encrypt=True,
                                       protocol="websocket", ping_interval_ms=18000,
                                       ping_timeout_ms=10000)
    assert bullet.token not in repr(bullet)


def test_bullet_the_classic_docs_short_form() -> None:
    # kucoin-classic-rest.md, WebSocket API > Connection: no encrypt/protocol
    bullet = ws.parse_bullet({"token": "xxx", "instanceServers": [
        {"endpoint": "wss://...", "pingInterval": 18000, "pingTimeout": 10000}]})
    assert bullet.servers[0].encrypt is True and bullet.servers[0].protocol == "websocket"


@pytest.mark.parametrize("data", [
    None, [], {}, {"token": "t"}, {"token": "", "instanceServers": BULLET["instanceServers"]},
    {"token": "t", "instanceServers": []},
    {"token": "t", "instanceServers": ["wss://x"]},
    {"token": "t", "instanceServers": [{"endpoint": "wss://x", "pingInterval": 18000}]},
    {"token": "t", "instanceServers": [{"endpoint": "wss://x", "pingInterval": 0,
                                        "pingTimeout": 1}]},
    {"token": "t", "instanceServers": [{"endpoint": "wss://x", "pingInterval": 1.5,
                                        "pingTimeout": 1}]},
])
def test_bad_bullets_are_decode_errors(data: Any) -> None:
    with pytest.raises(DecodeError):
        ws.parse_bullet(data)


def test_connect_url_keeps_the_token_exact() -> None:
    bullet = ws.parse_bullet(BULLET)
    url = ws.connect_url(bullet.servers[0], bullet.token, "abc-1")
    parts = urlsplit(url)
    assert url.startswith("wss://ws-api-spot.kucoin.com/?token=")
    assert parse_qs(parts.query) == {"token": [bullet.token], "connectId": ["abc-1"]}
    plus = ws.connect_url(bullet.servers[0], "a+b/c=", "x")
    assert parse_qs(urlsplit(plus).query)["token"] == ["a+b/c="]
    with pytest.raises(ConfigurationError):
        ws.connect_url(bullet.servers[0], bullet.token, "")


# -- uplink -------------------------------------------------------------------------------------


def test_ping_and_subscribe_match_the_documented_shapes() -> None:
    # kucoin-classic-rest.md, WebSocket API > Ping/Pong and > Subscription Format
    assert json.loads(ws.encode_ping("123")) == {"id": "123", "type": "ping"}
    assert json.loads(ws.encode_subscribe("unique_id", "/market/ticker:BTC-USDT")) == {
        "id": "unique_id", "type": "subscribe", "topic": "/market/ticker:BTC-USDT",
        "privateChannel": False, "response": True}
    assert json.loads(ws.encode_unsubscribe("7", ws.ORDERS, private=True)) == {
        "id": "7", "type": "unsubscribe", "topic": "/spotMarket/tradeOrdersV2",
        "privateChannel": True, "response": True}
    with pytest.raises(ConfigurationError):
        ws.encode_subscribe("1", "market/ticker:BTC-USDT")


def test_topics_batch_at_the_documented_limit() -> None:
    assert ws.topics(ws.TICKER, ["BTC-USDT", "ETH-USDT"]) == ["/market/ticker:BTC-USDT,ETH-USDT"]
    symbols = [f"S{i}-USDT" for i in range(250)]
    batches = ws.topics(ws.LEVEL2, symbols + symbols[:10])  # duplicates cost nothing
    assert [len(t.partition(":")[2].split(",")) for t in batches] == [100, 100, 50]
    assert [s for t in batches for s in t.partition(":")[2].split(",")] == symbols
    assert ws.topics(ws.MATCH, symbols[:3], per_topic=2) == [
        "/market/match:S0-USDT,S1-USDT", "/market/match:S2-USDT"]


@pytest.mark.parametrize("symbols", [[], ["A,B"], ["A:B"], [""]])
def test_topics_refuse_bad_symbols(symbols: list[str]) -> None:
    with pytest.raises(ConfigurationError):
        ws.topics(ws.TICKER, symbols)


def test_topics_refuse_more_than_the_limit() -> None:
    with pytest.raises(ConfigurationError):
        ws.topics(ws.TICKER, ["BTC-USDT"], per_topic=101)


# -- downlink -----------------------------------------------------------------------------------


def test_control_frames() -> None:
    assert ws.decode(WELCOME) == ws.Welcome(id="hQvf8jkno")
    assert ws.decode(PONG) == ws.Pong(id="1545910590801")
    assert ws.decode(ACK.encode()) == ws.Ack(id="1545910660739")


def test_token_expired_error() -> None:
    event = ws.decode(TOKEN_EXPIRED)
    assert isinstance(event, ws.Error)
    assert (event.id, event.code, event.data) == ("hQvf8jkno", "401", "token is expired")
    assert event.token_expired
    other = ws.decode('{"id":"5","type":"error","code":404,"data":"topic does not exist"}')
    assert isinstance(other, ws.Error) and not other.token_expired


@pytest.mark.parametrize("frame", [
    b"", b"\x00\x01", "not json", "[]", '"pong"', "{}", '{"type":"notice","id":"1"}',
    '{"type":"welcome"}', '{"type":"ack","id":1.5}', '{"type":"error","id":"1"}',
    '{"type":"message","topic":"/market/ticker:BTC-USDT","data":{}}',
    '{"type":"pong","id":"1","x":NaN}',
])
def test_junk_frames_are_decode_errors(frame: str | bytes) -> None:
    with pytest.raises(DecodeError):
        ws.decode(frame)


def test_ticker_example() -> None:
    message = ws.decode(TICKER)
    assert isinstance(message, ws.Message)
    t = ws.ticker(message, unified)
    assert t.symbol == "BTC/USDT"
    assert t.timestamp == datetime(2024, 1, 10, 7, 55, 23, 416000, tzinfo=UTC)
    assert (t.last, t.bid, t.ask, t.bid_size, t.ask_size) == (
        D("0.08"), D("0.049"), D("0.08"), D("0.036"), D("0.18"))
    assert t.open is None and t.base_volume is None
    assert t.raw == message.data


# kucoin-openapi/ws/openapi-spot-public.json, x-response-example of /allTickers/market/ticker:all
TICKER_ALL = ('{"topic":"/market/ticker:all","type":"message","subject":"BTC-USDT","data":'
              '{"bestAsk":"67218.7","bestAskSize":"1.92318539","bestBid":"67218.6",'
              '"bestBidSize":"0.01045638","price":"67220","sequence":"14691455768",'
              '"size":"0.00004316","time":1729757723612}}')


def test_all_tickers_example_names_its_symbol_in_the_subject() -> None:
    message = ws.decode(TICKER_ALL)
    assert isinstance(message, ws.Message)
    t = ws.ticker(message, unified)
    assert (t.symbol, t.last, t.bid, t.ask) == ("BTC/USDT", D("67220"), D("67218.6"),
                                                D("67218.7"))
    assert t.timestamp == datetime(2024, 10, 24, 8, 15, 23, 612000, tzinfo=UTC)
    with pytest.raises(DecodeError):
        ws.ticker(_message(ws.TICKER_ALL, "", message.data), unified)


def test_ticker_schema_spelling_of_time() -> None:
    frame = json.loads(TICKER)
    frame["data"]["time"] = frame["data"].pop("Time")
    t = ws.ticker(ws.Message(topic=frame["topic"], subject=frame["subject"], data=frame["data"]),
                  unified)
    assert t.timestamp == datetime(2024, 1, 10, 7, 55, 23, 416000, tzinfo=UTC)


def test_match_example() -> None:
    message = ws.decode(MATCH)
    assert isinstance(message, ws.Message)
    tr = ws.trade(message, unified)
    assert tr.id == "11067996711960577" and tr.symbol == "BTC/USDT" and tr.side is Side.BUY
    assert (tr.price, tr.amount) == (D("67523"), D("0.003"))
    assert tr.timestamp == datetime(2024, 10, 25, 8, 0, 22, 921000, tzinfo=UTC)


def test_level2_example_feeds_the_sequenced_book() -> None:
    message = ws.decode((DATA / "kucoin_ws_level2_increment.json").read_bytes())
    assert isinstance(message, ws.Message)
    symbol, delta = ws.level2_delta(message)
    assert symbol == "BTC-USDT"
    assert (delta.start, delta.end) == (14701689783, 14701689783)
    assert delta.asks == [["67993.3", "1.21427407", "14701689783"]] and delta.bids == []
    assert delta.timestamp == datetime(2024, 10, 25, 0, 33, 45, 625000, tzinfo=UTC)
    book = SequencedBook("BTC/USDT")
    assert book.apply(delta) is Status.UNCHANGED  # buffered until a snapshot
    assert book.seed(Snapshot(sequence=14701689782, bids=[["67990", "1"]], asks=[])) \
        is Status.UPDATED
    ob = book.book()
    assert ob is not None and ob.sequence == 14701689783
    assert [(lv.price, lv.amount) for lv in ob.asks] == [(D("67993.3"), D("1.21427407"))]


def test_level2_snapshot_from_another_day_is_a_gap() -> None:
    # tests/data/streams/SOURCES.md: the two KuCoin examples are from different days
    snapshot = example("kucoin_rest_level2_snapshot.json")
    data = snapshot["response"]["data"]
    message = ws.decode((DATA / "kucoin_ws_level2_increment.json").read_bytes())
    assert isinstance(message, ws.Message)
    _, delta = ws.level2_delta(message)
    book = SequencedBook("BTC/USDT")
    book.apply(delta)
    status = book.seed(Snapshot(sequence=int(data["sequence"]), bids=data["bids"],
                                asks=data["asks"]))
    assert status is Status.RESYNC


def _message(topic: str, subject: str, data: Any) -> ws.Message:
    return ws.Message(topic=topic, subject=subject, data=data)


GOOD_L2 = json.loads((DATA / "kucoin_ws_level2_increment.json").read_text())


@pytest.mark.parametrize("mutate", [
    lambda d: d.pop("changes"), lambda d: d.pop("sequenceStart"), lambda d: d.pop("time"),
    lambda d: d.update(changes=[]), lambda d: d["changes"].update(bids="x"),
    lambda d: d["changes"].update(asks=["67993.3"]), lambda d: d.update(sequenceEnd="x"),
    lambda d: d.pop("symbol"),
])
def test_malformed_level2_is_a_decode_error(mutate: Any) -> None:
    data = json.loads(json.dumps(GOOD_L2["data"]))
    mutate(data)
    with pytest.raises(DecodeError):
        ws.level2_delta(_message(GOOD_L2["topic"], GOOD_L2["subject"], data))


def test_wrong_topic_or_subject_is_a_decode_error() -> None:
    match = ws.decode(MATCH)
    assert isinstance(match, ws.Message)
    with pytest.raises(DecodeError):
        ws.ticker(match, unified)
    with pytest.raises(DecodeError):
        ws.level2_delta(match)
    with pytest.raises(DecodeError):
        ws.trade(_message("/market/match:BTC-USDT", "trade.l3received", match.data), unified)


@pytest.mark.parametrize("field, value", [
    ("side", "short"), ("side", ["buy"]), ("price", 67523.0), ("size", "abc"), ("time", None),
])
def test_malformed_match_is_a_decode_error(field: str, value: Any) -> None:
    data = json.loads(MATCH)["data"]
    data[field] = value
    with pytest.raises(DecodeError):
        ws.trade(_message("/market/match:BTC-USDT", "trade.l3match", data), unified)


def test_ticker_on_a_multi_symbol_topic_is_a_decode_error() -> None:
    data = json.loads(TICKER)["data"]
    with pytest.raises(DecodeError):
        ws.ticker(_message("/market/ticker:BTC-USDT,ETH-USDT", "trade.ticker", data), unified)
    data.pop("Time")
    with pytest.raises(DecodeError):
        ws.ticker(_message("/market/ticker:BTC-USDT", "trade.ticker", data), unified)


# -- the dialect (STREAMS) ------------------------------------------------------------------------

TABLES = Tables(load_spec("kucoin"))
CTX = Context("kucoin", TABLES, {}, {})
#: the topic specs, copied byte-identical (tests/data/reference/SOURCES.md)
TOPIC_SPECS = REFERENCE / "kucoin-openapi" / "ws"


def documented_pushes() -> list[tuple[str, str, str]]:
    """(spec file, path, example push) for every topic of the two spot topic specs; the
    examples are JSON text inside JSON, with their quotes escaped once more."""
    out = []
    for name in ("openapi-spot-public.json", "openapi-spot-private.json"):
        spec = json.loads((TOPIC_SPECS / name).read_text())
        for path, item in spec["paths"].items():
            out.append((name, path, item["trace"]["x-response-example"].replace('\\"', '"')))
    return out


PUSHES = {path: text for _, path, text in documented_pushes()}
#: what each documented topic yields; the rest are topics the dialect never subscribes
YIELDS = {
    "/ticker/market/ticker:_symbol_,_symbol_": ["ticker"],
    "/allTickers/market/ticker:all": ["ticker"],
    "/orderbookIncrement/market/level2:_symbol_,_symbol_": ["book"],
    "/trade/market/match:_symbol_,_symbol_": ["trades"],
    "/orderV2/spotMarket/tradeOrdersV2": ["orders"],
    # the V1 topic's documented example is a push of the V2 topic (its "topic" says so)
    "/orderV1/spotMarket/tradeOrders": ["orders"],
    "/account/account/balance": ["balance"],
}


@pytest.mark.parametrize(("name", "path", "text"), documented_pushes(),
                         ids=[p for _, p, _ in documented_pushes()])
def test_every_documented_push_decodes_or_is_refused_as_never_subscribed(
        name: str, path: str, text: str) -> None:
    if path not in YIELDS:
        with pytest.raises(DecodeError, match="never subscribes"):
            ws.STREAMS.decode(text, CTX)
        return
    events = ws.STREAMS.decode(text, CTX)
    assert [e.kind for e in events if isinstance(e, Item)] == YIELDS[path]
    assert ws.STREAMS.decode(text.encode(), CTX) == events  # binary frames alike


def test_the_level2_copy_in_tests_data_is_the_spec_example() -> None:
    copy = json.loads((DATA / "kucoin_ws_level2_increment.json").read_text())
    assert copy == json.loads(PUSHES["/orderbookIncrement/market/level2:_symbol_,_symbol_"])


def test_public_items_carry_unified_symbols() -> None:
    (book,) = ws.STREAMS.decode((DATA / "kucoin_ws_level2_increment.json").read_bytes(), CTX)
    assert isinstance(book, Item) and book.symbol == "BTC/USDT"
    assert isinstance(book.value, Delta) and book.value.end == 14701689783
    (tick,) = ws.STREAMS.decode(TICKER, CTX)
    assert isinstance(tick, Item) and isinstance(tick.value, Ticker)
    assert (tick.kind, tick.symbol, tick.value.last) == ("ticker", "BTC/USDT", D("0.08"))
    (match,) = ws.STREAMS.decode(MATCH, CTX)
    assert isinstance(match, Item) and isinstance(match.value, Trade)
    assert (match.kind, match.symbol, match.value.id) == ("trades", "BTC/USDT",
                                                        "11067996711960577")
    assert not (book.unreported or tick.unreported or match.unreported)


def _one(text: str, kind: str) -> Any:
    items = [e for e in ws.STREAMS.decode(text, CTX) if isinstance(e, Item) and e.kind == kind]
    assert len(items) == 1
    return items[0]


def test_order_v2_received_example() -> None:
    item = _one(PUSHES["/orderV2/spotMarket/tradeOrdersV2"], "orders")
    o = item.value
    assert isinstance(o, Order) and item.symbol == "BTC/USDT"
    assert (o.id, o.client_order_id, o.side, o.type, o.status) == (
        "6720da3fa30a360007f5f832", "5c52e11203aa677f33e493fc", Side.BUY, OrderType.MARKET,
        OrderStatus.OPEN)
    assert (o.price, o.amount, o.filled, o.remaining, o.cost) == (
        None, D("0.00001"), D(0), D("0.00001"), D(0))
    assert o.created_at == datetime(2024, 10, 29, 12, 51, 11, 588000, tzinfo=UTC)
    assert o.updated_at == datetime(2024, 10, 29, 12, 51, 11, 616000, tzinfo=UTC)
    assert item.unreported == {"fee", "time_in_force", "post_only"}


def test_order_v2_open_example() -> None:
    o = _one(PUSHES["/orderV1/spotMarket/tradeOrders"], "orders").value
    assert isinstance(o, Order)
    assert (o.type, o.status, o.price, o.amount, o.filled) == (
        OrderType.LIMIT, OrderStatus.OPEN, D("50000"), D("0.00001"), D(0))


def test_balance_example() -> None:
    item = _one(PUSHES["/account/account/balance"], "balance")
    assert item.symbol is None
    assert item.value == BalanceChange(
        currency="USDT", total=D("21.133773386762"), available=D("20.132773386762"),
        held=D("1.001"), timestamp=datetime(2024, 10, 30, 6, 21, 23, 892000, tzinfo=UTC))


# A taker match of a limit order: written from the Spot_spot_private_orderV2 schema (the topic
# spec documents no example of type "match"; ids and figures are made up).
ORDER_MATCH: dict[str, Any] = {
    "topic": "/spotMarket/tradeOrdersV2", "type": "message", "subject": "orderChange",
    "userId": "633559791e1cbc0001f319bc", "channelType": "private", "data": {
        "canceledSize": "0", "clientOid": "5c52e11203aa677f33e493fb", "filledSize": "0.000004",
        "orderId": "6720ecd9ec71f4000747731a", "orderTime": 1730211033305,
        "orderType": "limit", "originSize": "0.00001", "price": "67600",
        "remainSize": "0.000006", "side": "buy", "size": "0.00001", "status": "match",
        "symbol": "BTC-USDT", "ts": 1730211033335000000, "type": "match",
        "matchPrice": "67523", "matchSize": "0.000004", "tradeId": "11116472408",
        "liquidity": "taker", "feeType": "takerFee"}}


def _order_push(**changes: Any) -> str:
    frame = json.loads(json.dumps(ORDER_MATCH))
    for key, value in changes.items():
        if value is None:
            frame["data"].pop(key, None)
        else:
            frame["data"][key] = value
    return json.dumps(frame)


def test_a_match_yields_the_order_and_the_fill() -> None:
    events = ws.STREAMS.decode(json.dumps(ORDER_MATCH), CTX)
    assert [e.kind for e in events if isinstance(e, Item)] == ["orders", "my_trades"]
    order, fill = (e.value for e in events if isinstance(e, Item))
    assert isinstance(order, Order) and isinstance(fill, Fill)
    assert (order.status, order.filled, order.remaining) == (
        OrderStatus.PARTIALLY_FILLED, D("0.000004"), D("0.000006"))
    assert fill == Fill(id="11116472408", order_id="6720ecd9ec71f4000747731a",
                        symbol="BTC/USDT", side=Side.BUY, price=D("67523"),
                        amount=D("0.000004"), cost=D("0.270092"), fee=None,
                        liquidity=Liquidity.TAKER,
                        timestamp=datetime(2024, 10, 29, 14, 10, 33, 335000, tzinfo=UTC))
    items = [e for e in events if isinstance(e, Item)]
    assert items[0].unreported == {"fee", "time_in_force", "post_only", "cost", "average"}
    assert items[1].unreported == {"fee"}


@pytest.mark.parametrize(("status", "kind", "filled", "canceled", "expected"), [
    ("new", "received", "0", "0", OrderStatus.OPEN),
    ("open", "open", "0", "0", OrderStatus.OPEN),
    ("open", "update", "0", "0.000002", OrderStatus.OPEN),
    ("open", "match", "0.000004", "0", OrderStatus.PARTIALLY_FILLED),
    ("match", "match", "0.000004", "0", OrderStatus.PARTIALLY_FILLED),
    # the match that fills the last of the order: filled at once, not "partially" filled
    ("match", "match", "0.00001", "0", OrderStatus.FILLED),
    ("done", "filled", "0.00001", "0", OrderStatus.FILLED),
    ("done", "canceled", "0", "0.00001", OrderStatus.CANCELED),
    ("done", "canceled", "0.000004", "0.000006", OrderStatus.CANCELED),
    ("done", "update", "0.000004", "0.000006", OrderStatus.CANCELED),
])
def test_order_states_map_through_the_spec_status_table(
        status: str, kind: str, filled: str, canceled: str, expected: OrderStatus) -> None:
    text = _order_push(status=status, type=kind, filledSize=filled, canceledSize=canceled)
    assert _one(text, "orders").value.status is expected
    fills = [e for e in ws.STREAMS.decode(text, CTX) if isinstance(e, Item)
             and e.kind == "my_trades"]
    assert len(fills) == (kind == "match")


def test_numbers_where_the_docs_write_strings_decode_alike() -> None:
    text = json.dumps(ORDER_MATCH).replace('"0.000004"', "0.000004").replace('"67523"', "67523")
    assert '"matchSize": 0.000004' in text
    assert ws.STREAMS.decode(text, CTX) == ws.STREAMS.decode(json.dumps(ORDER_MATCH), CTX)
    texts = _order_push(orderTime="1730211033305", ts="1730211033335000000")
    assert ws.STREAMS.decode(texts, CTX) == ws.STREAMS.decode(json.dumps(ORDER_MATCH), CTX)


def _balance_push(**changes: Any) -> str:
    frame = json.loads(PUSHES["/account/account/balance"])
    for key, value in changes.items():
        if value is None:
            frame["data"].pop(key)
        else:
            frame["data"][key] = value
    return json.dumps(frame)


@pytest.mark.parametrize("event", ["main.deposit", "margin.hold", "isolated_v2.setted",
                                   "option.other"])
def test_other_accounts_balance_changes_yield_nothing(event: str) -> None:
    assert ws.STREAMS.decode(_balance_push(relationEvent=event), CTX) == []


# An isolated-margin pair's account is named after its pair; some events name no account but
# "other"; a wallet of a kind never heard of is still not the spot trade account.
@pytest.mark.parametrize("event", ["isolated_BTC-USDT.hold", "isolated_BTC-USDT.setted",
                                   "isolated_BTC-USDT.transfer", "isolated_BTC-USDT.other",
                                   "other", "wallet.hold"])
def test_any_account_but_the_trade_account_yields_nothing(event: str) -> None:
    assert ws.STREAMS.decode(_balance_push(relationEvent=event), CTX) == []
    # ... read no further than its account: its figures are not ours to judge
    text = _balance_push(relationEvent=event, currency=None, total=None, hold=None)
    assert ws.STREAMS.decode(text, CTX) == []


@pytest.mark.parametrize("event", ["trade.hold", "trade_hf.setted"])
@pytest.mark.parametrize("missing", ["currency", "total", "available", "hold", "time"])
def test_a_trade_account_push_without_its_figures_is_unreadable(event: str,
                                                                 missing: str) -> None:
    with pytest.raises(dialect.Unreadable):
        ws.STREAMS.decode(_balance_push(relationEvent=event, **{missing: None}), CTX)


def test_the_hf_trade_account_is_the_spot_balance() -> None:
    (item,) = ws.STREAMS.decode(_balance_push(relationEvent="trade_hf.setted"), CTX)
    assert isinstance(item, Item) and item.kind == "balance"


@pytest.mark.parametrize("text", [
    _order_push(orderId=None), _order_push(side="short"), _order_push(status="cancelled"),
    _order_push(type="trade"), _order_push(orderType="stop"), _order_push(matchSize=None),
    _order_push(tradeId=None), _order_push(filledSize="abc"), _order_push(ts=None),
    _order_push(orderTime="yesterday"), _order_push(symbol="BTCUSDT"),
    json.dumps({**ORDER_MATCH, "subject": "orderUpdate"}),
    json.dumps({**ORDER_MATCH, "data": []}),
    _balance_push(total="x"), _balance_push(relationEvent=None),
    _balance_push(relationEvent=""), _balance_push(relationEvent=".hold"),
    _balance_push(relationEvent=7), _balance_push(time=None),
    _balance_push(currency=None),
    '{"type":"message","topic":"/market/candles:BTC-USDT_1hour","subject":"trade.candles.update",'
    '"data":{}}',
    '{"type":"message","topic":"/market/level2:BTC-USDT","subject":"trade.l2update","data":[]}',
    "", "null", '{"type":"pong"}',
])
def test_malformed_pushes_are_decode_errors(text: str) -> None:
    with pytest.raises(DecodeError):
        ws.STREAMS.decode(text, CTX)


def test_control_frames_through_the_dialect() -> None:
    assert ws.STREAMS.decode(WELCOME, CTX) == [dialect.Welcome()]
    assert ws.STREAMS.decode(PONG, CTX) == [dialect.Pong()]
    assert ws.STREAMS.decode(ACK, CTX) == [dialect.Acked(ref="1545910660739")]
    assert ws.STREAMS.decode(TOKEN_EXPIRED, CTX) == [dialect.Refused(
        ref="hQvf8jkno", code="401", message="token is expired", token_expired=True)]
    (other,) = ws.STREAMS.decode(
        '{"id":"5","type":"error","code":404,"data":"topic /market/x:Y is not found"}', CTX)
    assert other == dialect.Refused(ref="5", code="404",
                                    message="topic /market/x:Y is not found")


def test_error_codes_go_through_the_spec_error_table() -> None:
    (refused,) = ws.STREAMS.decode(
        '{"id":"9","type":"error","code":"400003","data":"KC-API-KEY not exists"}', CTX)
    assert isinstance(refused, dialect.Refused) and refused.code == "400003"
    error = TABLES.errors.classify(http_status=None, code=refused.code,
                                   message=refused.message)
    assert type(error).__name__ == "AuthenticationError"


def test_endpoint_from_the_bullet() -> None:
    assert ws.STREAMS.endpoint_op(False) == "ws_token_public"
    assert ws.STREAMS.endpoint_op(True) == "ws_token_private"
    bullet = ws.parse_bullet(BULLET)
    for origin in ("https://api.kucoin.com", "http://127.0.0.1:8080"):
        endpoint = ws.STREAMS.endpoint(origin, True, bullet, "conn-1")
        assert endpoint.url == ws.connect_url(bullet.servers[0], bullet.token, "conn-1")
        assert (endpoint.ping_interval_s, endpoint.ping_timeout_s, endpoint.welcome) == (
            18.0, 10.0, True)
        assert bullet.token not in repr(endpoint)
    # the first server is used; an undecoded answer is read as the bullet
    two = {**BULLET, "instanceServers": [
        {"endpoint": "ws://127.0.0.1:9000/ws", "pingInterval": 5000, "pingTimeout": 2500},
        *BULLET["instanceServers"]]}
    local = ws.STREAMS.endpoint("http://127.0.0.1:9000", False, two, "c")
    assert local.url.startswith("ws://127.0.0.1:9000/ws?token=")
    assert (local.ping_interval_s, local.ping_timeout_s) == (5.0, 2.5)
    with pytest.raises(DecodeError):
        ws.STREAMS.endpoint("https://api.kucoin.com", False, None, "c")


def test_no_login_frame_and_the_ping() -> None:
    assert ws.STREAMS.login(Credentials("k", "s", "p"), datetime.now(UTC)) is None
    assert json.loads(ws.STREAMS.ping("42")) == {"id": "42", "type": "ping"}


@pytest.mark.parametrize(("want", "keys"), [
    (Want("book", "BTC-USDT"), ["/market/level2:BTC-USDT"]),
    (Want("ticker", "BTC-USDT"), ["/market/ticker:BTC-USDT"]),
    (Want("trades", "ETH-BTC"), ["/market/match:ETH-BTC"]),
    (Want("orders", None), ["/spotMarket/tradeOrdersV2"]),
    (Want("orders", "BTC-USDT"), ["/spotMarket/tradeOrdersV2"]),
    (Want("my_trades", None), ["/spotMarket/tradeOrdersV2"]),
    (Want("balance", None), ["/account/balance"]),
])
def test_wire_keys(want: Want, keys: list[str]) -> None:
    assert ws.STREAMS.wire_keys(want, ["BTC-USDT", "ETH-BTC"]) == keys


@pytest.mark.parametrize("want", [Want("book", None), Want("ticker", None),
                                  Want("trades", "A,B"), Want("book", "A:B")])
def test_public_wants_need_one_symbol(want: Want) -> None:
    with pytest.raises(ConfigurationError):
        ws.STREAMS.wire_keys(want, ["BTC-USDT"])


def _counter() -> Any:
    return itertools.count(1).__next__


def test_subscribe_merges_topics_within_the_limit() -> None:
    symbols = [f"S{i}-USDT" for i in range(250)]
    keys = [f"/market/level2:{s}" for s in symbols] + [
        "/market/ticker:BTC-USDT", ws.ORDERS, "/market/ticker:ETH-USDT", ws.BALANCE,
        "/market/level2:S3-USDT", ws.ORDERS]
    out = ws.STREAMS.subscribe(keys, _counter())
    frames = [json.loads(o.frame) for o in out]
    assert [f["topic"].partition(":")[0] for f in frames] == [
        ws.LEVEL2, ws.LEVEL2, ws.LEVEL2, ws.TICKER, ws.ORDERS, ws.BALANCE]
    assert [len(f["topic"].partition(":")[2].split(",")) for f in frames[:3]] == [100, 100, 50]
    assert frames[3]["topic"] == "/market/ticker:BTC-USDT,ETH-USDT"
    assert [f["privateChannel"] for f in frames] == [False] * 4 + [True] * 2
    assert all(f["type"] == "subscribe" and f["response"] is True for f in frames)
    assert [o.refs for o in out] == [(f["id"],) for f in frames] == [
        (str(i),) for i in range(1, 7)]
    unsub = ws.STREAMS.unsubscribe(["/market/match:BTC-USDT", ws.BALANCE], _counter())
    assert [json.loads(o.frame) for o in unsub] == [
        {"id": "1", "type": "unsubscribe", "topic": "/market/match:BTC-USDT",
         "privateChannel": False, "response": True},
        {"id": "2", "type": "unsubscribe", "topic": "/account/balance",
         "privateChannel": True, "response": True}]
    assert ws.STREAMS.subscribe([], _counter()) == []


@pytest.mark.parametrize("key", ["/market/level2", "market/level2:BTC-USDT",
                                 "/market/candles:BTC-USDT_1hour", "/spotMarket/tradeOrders",
                                 "/market/level2:", "/market/level2:A:B"])
def test_subscribe_refuses_foreign_keys(key: str) -> None:
    with pytest.raises(ConfigurationError):
        ws.STREAMS.subscribe([key], _counter())


_KEY = st.one_of(
    st.tuples(st.sampled_from([ws.LEVEL2, ws.TICKER, ws.MATCH]),
              st.integers(0, 320)).map(lambda p: f"{p[0]}:S{p[1]}-USDT"),
    st.sampled_from([ws.ORDERS, ws.BALANCE]))


@given(st.lists(_KEY, max_size=400))
def test_subscribe_covers_every_key_once_within_the_limit(keys: list[str]) -> None:
    out = ws.STREAMS.subscribe(keys, _counter())
    covered: list[str] = []
    for outgoing in out:
        frame = json.loads(outgoing.frame)
        assert outgoing.refs == (frame["id"],)
        prefix, _, names = frame["topic"].partition(":")
        assert frame["privateChannel"] is (prefix in ws.PRIVATE_TOPICS)
        if names:
            assert len(names.split(",")) <= ws.MAX_SYMBOLS_PER_TOPIC
            covered += [f"{prefix}:{n}" for n in names.split(",")]
        else:
            covered.append(prefix)
    assert sorted(covered) == sorted(set(keys))
    assert len({o.refs for o in out}) == len(out)


@given(st.decimals(allow_nan=False, allow_infinity=False, places=12, min_value=0,
                   max_value=10**12))
def test_balance_figures_are_exact(value: Decimal) -> None:
    text = format(value, "f")
    (item,) = ws.STREAMS.decode(_balance_push(total=text, available=text, hold="0"), CTX)
    assert isinstance(item, Item) and isinstance(item.value, BalanceChange)
    assert item.value.total == value and format(item.value.total, "f") == text


@pytest.mark.parametrize(("frame", "kind", "symbol"), [
    (GOOD_L2 | {"data": "\u0000not-an-object"}, "book", "BTC/USDT"),
    (json.loads(TICKER) | {"data": {"price": "x"}}, "ticker", "BTC/USDT"),
    (json.loads(TICKER_ALL) | {"data": []}, "ticker", "BTC/USDT"),
    (json.loads(MATCH) | {"data": {"side": "short"}}, "trades", "BTC/USDT"),
    (json.loads(MATCH) | {"topic": "/market/match:BTC-USDT,ETH-USDT", "data": 1}, "trades",
     None),
    ({"type": "message", "topic": "/spotMarket/tradeOrdersV2", "subject": "orderChange",
      "data": {"status": "?"}}, "orders", None),
])
def test_an_unreadable_push_names_its_stream(frame: dict[str, Any], kind: str,
                                             symbol: str | None) -> None:
    """A push whose topic was read but whose data was not is told as the Unreadable of that
    topic's stream (and its one market), so that the core resyncs that stream alone."""
    with pytest.raises(dialect.Unreadable) as unreadable:
        ws.STREAMS.decode(json.dumps(frame), CTX)
    assert (unreadable.value.kind, unreadable.value.symbol) == (kind, symbol)


@pytest.mark.parametrize("frame", ['{"type":"message","topic":"/market/level2:BTC-', "[1]",
                                   '{"type":"message","topic":"/nowhere:BTC-USDT",'
                                   '"subject":"x","data":{}}'])
def test_a_frame_naming_no_stream_is_a_plain_decode_error(frame: str) -> None:
    with pytest.raises(DecodeError) as refused:
        ws.STREAMS.decode(frame, CTX)
    assert not isinstance(refused.value, dialect.Unreadable)
