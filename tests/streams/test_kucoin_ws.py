"""KuCoin WebSocket frame codec (adapters/kucoin/ws.py) on the venue's documented payloads."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from adapters.kucoin import ws
from unified.errors import ConfigurationError, DecodeError
from unified.models import Side
from unified.streams.book import Status
from unified.streams.sequenced import SequencedBook, Snapshot

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
