"""OKCoinJapan WebSocket frame codec (adapters/okcoinjp/ws.py) on the venue's documented
payloads (okcoinjp-v3-rest-ws.md, "WebSocketAPI"), deflate round trips and junk frames."""

from __future__ import annotations

import itertools
import json
import zlib
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from adapters.okcoinjp import ws, ws_frames
from unified.errors import ConfigurationError, DecodeError
from unified.models import OrderBook, Side
from unified.streams.checksummed import ChecksummedBook
from unified.venue import Credentials

from ..conftest import DATA as REFERENCE
from .histories import DATA

D = Decimal


def deflate(text: str | bytes) -> bytes:
    """What the venue sends: raw DEFLATE (no zlib header or trailer)."""
    packer = zlib.compressobj(wbits=-15)
    data = text.encode() if isinstance(text, str) else text
    return packer.compress(data) + packer.flush()


def unified(venue_symbol: str) -> str:
    return venue_symbol.replace("-", "/")


# WebSocketAPI > Subscription, "response:" after the example send
SUBSCRIBED = '{"event":"subscribe","channel":"spot/ticker:ETH-JPY"}'
SUB_TICKER = ('{"table":"spot/ticker","data":[{"instrument_id":"ETH-JPY","last":"8.8",'
              '"best_bid":"3","best_ask":"8.1","open_24h":"5.1","high_24h":"8.8","low_24h":"3",'
              '"base_volume_24h":"13.77340909","quote_volume_24h":"78.49886361",'
              '"timestamp":"2018-12-20T03:13:41.664Z"}]}')
# WebSocketAPI > Unsubscription, response
UNSUBSCRIBED = '{"event":"unsubscribe","channel":"spot/candle60s:BTC-JPY"}'
# WebSocketAPI > Login, response
LOGGED_IN = '{"event":"login","success":true}'
# WebSocketAPI > Command Format, failure response format, with a code of the "error code" table
CHANNEL_MISSING = ('{"event":"error","message":"Channel spot/tickr:BTC-JPY doesn\'t exist",'
                   '"errorCode":30040}')
# WebSocketAPI > Public-Ticker, Example Response
TICKER: dict[str, Any] = {"table": "spot/ticker", "data": [{
    "instrument_id": "ETH-JPY", "last": "146.24", "last_qty": "0.082483", "best_bid": "146.24",
    "best_bid_size": "0.006822", "best_ask": "146.25", "best_ask_size": "80.541709",
    "open_24h": "147.17", "high_24h": "147.48", "low_24h": "143.88",
    "base_volume_24h": "117387.58", "quote_volume_24h": "17159427.21",
    "timestamp": "2019-12-11T02:31:40.436Z"}]}
# WebSocketAPI > Public-Trade, Example Response
TRADE: dict[str, Any] = {"table": "spot/trade", "data": [{
    "instrument_id": "ETH-JPY", "price": "162.12", "side": "buy", "size": "11.085",
    "timestamp": "2019-05-06T06:51:24.389Z", "trade_id": "1210447366"}]}


# -- inflate ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["pong", SUBSCRIBED, json.dumps(TICKER), "",
                                  (DATA / "okcoinjp_ws_depth_partial.json").read_text(),
                                  '{"x":"日本円"}'])
def test_deflate_round_trip(text: str) -> None:
    assert ws.inflate(deflate(text)) == text


def test_inflate_takes_a_sync_flushed_stream() -> None:
    # a stream without its final block (Z_SYNC_FLUSH) still yields its whole text
    packer = zlib.compressobj(wbits=-15)
    frame = packer.compress(SUBSCRIBED.encode()) + packer.flush(zlib.Z_SYNC_FLUSH)
    assert ws.inflate(frame) == SUBSCRIBED


@pytest.mark.parametrize("frame", [
    b"\xff\xff\xff\xff", zlib.compress(b"pong"),  # a zlib header is not raw DEFLATE
    deflate("pong") + b"junk", deflate(b"\xff\xfe"),
])
def test_junk_binary_frames_are_decode_errors(frame: bytes) -> None:
    with pytest.raises(DecodeError):
        ws.inflate(frame)


def test_inflate_refuses_a_bomb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ws_frames, "MAX_INFLATED_BYTES", 1000)
    with pytest.raises(DecodeError):
        ws.inflate(deflate("0" * 5000))


def test_inflate_refuses_text() -> None:
    with pytest.raises(DecodeError):
        ws.inflate("pong")  # type: ignore[arg-type]


# -- uplink -------------------------------------------------------------------------------------


def test_subscribe_and_unsubscribe_match_the_doc() -> None:
    # WebSocketAPI > Subscription / Unsubscription, "send:"
    assert json.loads(ws.encode_subscribe(["spot/ticker:ETH-JPY", "spot/candle60s:ETH-JPY"])) \
        == {"op": "subscribe", "args": ["spot/ticker:ETH-JPY", "spot/candle60s:ETH-JPY"]}
    assert json.loads(ws.encode_unsubscribe(["spot/ticker:BTC-JPY", "spot/candle60s:BTC-JPY"])) \
        == {"op": "unsubscribe", "args": ["spot/ticker:BTC-JPY", "spot/candle60s:BTC-JPY"]}
    assert ws.channel(ws.DEPTH, "ETH-JPY") == "spot/depth:ETH-JPY"
    for bad in [[], [""]]:
        with pytest.raises(ConfigurationError):
            ws.encode_subscribe(bad)


@pytest.mark.parametrize("name, instrument", [("ticker", "BTC-JPY"), ("spot/ticker", ""),
                                              ("spot/ticker", "A:B"), ("spot/x:y", "BTC-JPY")])
def test_bad_channels(name: str, instrument: str) -> None:
    with pytest.raises(ConfigurationError):
        ws.channel(name, instrument)


def test_batches_stay_within_4096_bytes() -> None:
    channels = [ws.channel(ws.DEPTH, f"C{i:04d}-JPY") for i in range(600)]
    groups = ws.batches(channels + channels[:5])
    assert [c for g in groups for c in g] == channels  # order kept, duplicates dropped
    assert len(groups) > 1
    for group in groups:
        assert len(json.dumps(group, separators=(",", ":")).encode()) <= ws.MAX_ARGS_BYTES
        json.loads(ws.encode_subscribe(group))  # each is a valid request
    # greedy: every group but the last is full (the next channel would not have fitted)
    for group, nxt in itertools.pairwise(groups):
        assert len(json.dumps([*group, nxt[0]], separators=(",", ":")).encode()) \
            > ws.MAX_ARGS_BYTES
    with pytest.raises(ConfigurationError):
        ws.encode_subscribe(channels)
    with pytest.raises(ConfigurationError):
        ws.batches([])
    with pytest.raises(ConfigurationError):
        ws.batches(["spot/ticker:" + "X" * 5000])


def test_login_matches_the_golden_vector() -> None:
    # tests/data/reference/signing-vectors.json, okcoinjp_v3.websocket_login (made with the
    # venue's own SDK, not with this project's signer)
    vectors = json.loads((REFERENCE / "signing-vectors.json").read_text())["okcoinjp_v3"]
    creds = Credentials(**vectors["credentials"])
    login = vectors["websocket_login"]
    now = datetime(2019, 3, 18, 7, 26, 50, 123000, tzinfo=UTC)
    assert ws.login_timestamp(now) == login["timestamp"] == "1552894010.123"
    assert login["prehash"] == login["timestamp"] + "GET" + "/users/self/verify"
    assert ws.login_sign(creds.secret, login["timestamp"]) == login["sign"]
    assert json.loads(ws.encode_login(creds, now)) == {"op": "login", "args": [
        creds.api_key, creds.passphrase, "1552894010.123", login["sign"]]}


def test_login_timestamp_pads_milliseconds() -> None:
    assert ws.login_timestamp(datetime(2019, 3, 18, 7, 26, 50, 7000, tzinfo=UTC)) \
        == "1552894010.007"


def test_login_needs_a_passphrase() -> None:
    with pytest.raises(ConfigurationError) as info:
        ws.encode_login(Credentials("key", "secret-value"), datetime.now(UTC))
    assert "secret-value" not in str(info.value)


# -- downlink -----------------------------------------------------------------------------------


def test_events() -> None:
    assert ws.decode_frame(deflate("pong")) == ws.Pong()
    assert ws.decode_frame("pong") == ws.Pong()
    assert ws.decode_frame(deflate(SUBSCRIBED)) == ws.Subscribed(channel="spot/ticker:ETH-JPY")
    assert ws.decode(UNSUBSCRIBED) == ws.Unsubscribed(channel="spot/candle60s:BTC-JPY")
    assert ws.decode(LOGGED_IN) == ws.LoggedIn(success=True)
    error = ws.decode(CHANNEL_MISSING)
    assert isinstance(error, ws.Error) and error.code == "30040"
    assert "doesn't exist" in error.message


def test_error_with_the_docs_spelling() -> None:
    # WebSocketAPI > error code: {"event":"error"," message":" ","errorCode":""}
    error = ws.decode('{"event":"error"," message":"Invalid sign","errorCode":"30013"}')
    assert error == ws.Error(code="30013", message="Invalid sign")


@pytest.mark.parametrize("text", [
    "", "ping", "PONG", "[]", "{}", '{"event":"subscribed","channel":"x"}',
    '{"event":"subscribe"}', '{"event":"error","message":"m"}', '{"event":"login"}',
    '{"event":"login","success":"yes"}', '{"table":"spot/ticker"}',
    '{"table":"spot/ticker","data":{"a":1}}', '{"table":"spot/ticker","data":[1]}',
    '{"table":"spot/ticker","data":[],"x":Infinity}',
])
def test_junk_text_frames_are_decode_errors(text: str) -> None:
    with pytest.raises(DecodeError):
        ws.decode_frame(text)
    with pytest.raises(DecodeError):
        ws.decode_frame(deflate(text))


def _push(payload: dict[str, Any] | str) -> ws.Push:
    text = payload if isinstance(payload, str) else json.dumps(payload)
    event = ws.decode_frame(deflate(text))
    assert isinstance(event, ws.Push)
    return event


def test_depth_partial_example_verifies_in_the_checksummed_book() -> None:
    push = _push((DATA / "okcoinjp_ws_depth_partial.json").read_text())
    ((instrument, depth),) = ws.depths(push)
    assert instrument == "ETH-JPY" and depth.partial and depth.checksum == 468410539
    assert depth.bids[0] == ["5", "7", 4]  # the venue's strings, untouched
    assert depth.timestamp == datetime(2018, 12, 18, 7, 27, 13, 655000, tzinfo=UTC)
    book = ChecksummedBook("ETH/JPY")
    result = book.feed(depth)
    assert isinstance(result, OrderBook)
    assert result.bids[0].price == D("5") and result.asks[0].price == D("8.8")


def test_depth_update_example() -> None:
    push = _push((DATA / "okcoinjp_ws_depth_update.json").read_text())
    ((instrument, depth),) = ws.depths(push)
    assert instrument == "BTC-JPY" and not depth.partial
    assert depth.checksum == -1200119424 and depth.bids == [["3983", "789", 0, 3]]


def test_depth_push_with_several_instruments_and_string_checksum() -> None:
    entry = {"instrument_id": "BTC-JPY", "asks": [], "bids": [], "checksum": "-5",
             "timestamp": "2018-12-04T09:38:36.300Z"}
    push = _push({"table": "spot/depth", "action": "update",
                  "data": [entry, {**entry, "instrument_id": "ETH-JPY"}]})
    assert [(i, d.checksum) for i, d in ws.depths(push)] == [("BTC-JPY", -5), ("ETH-JPY", -5)]


GOOD_DEPTH = json.loads((DATA / "okcoinjp_ws_depth_update.json").read_text())


@pytest.mark.parametrize("mutate", [
    lambda m: m.pop("action"), lambda m: m.update(action="snapshot"),
    lambda m: m.update(table="spot/depth5"), lambda m: m["data"][0].pop("checksum"),
    lambda m: m["data"][0].update(checksum=1.5), lambda m: m["data"][0].update(checksum=True),
    lambda m: m["data"][0].update(bids="3983"), lambda m: m["data"][0].update(asks=["1"]),
    lambda m: m["data"][0].pop("timestamp"), lambda m: m["data"][0].pop("instrument_id"),
])
def test_malformed_depth_is_a_decode_error(mutate: Any) -> None:
    message = json.loads(json.dumps(GOOD_DEPTH))
    mutate(message)
    with pytest.raises(DecodeError):
        ws.depths(_push(message))


def test_ticker_example() -> None:
    (t,) = ws.tickers(_push(TICKER), unified)
    assert t.symbol == "ETH/JPY"
    assert t.timestamp == datetime(2019, 12, 11, 2, 31, 40, 436000, tzinfo=UTC)
    assert (t.last, t.bid, t.ask, t.bid_size, t.ask_size) == (
        D("146.24"), D("146.24"), D("146.25"), D("0.006822"), D("80.541709"))
    assert (t.open, t.high, t.low, t.base_volume, t.quote_volume) == (
        D("147.17"), D("147.48"), D("143.88"), D("117387.58"), D("17159427.21"))
    assert t.raw == TICKER["data"][0]


def test_the_subscription_examples_ticker_lacks_sizes() -> None:
    (t,) = ws.tickers(_push(SUB_TICKER), unified)
    assert t.bid == D("3") and t.bid_size is None and t.ask_size is None


def test_trade_example() -> None:
    (tr,) = ws.trades(_push(TRADE), unified)
    assert (tr.id, tr.symbol, tr.side, tr.price, tr.amount) == (
        "1210447366", "ETH/JPY", Side.BUY, D("162.12"), D("11.085"))
    assert tr.timestamp == datetime(2019, 5, 6, 6, 51, 24, 389000, tzinfo=UTC)


@pytest.mark.parametrize("field, value", [("side", "bid"), ("side", None), ("price", 162.12),
                                          ("size", "x"), ("timestamp", "yesterday")])
def test_malformed_trade_is_a_decode_error(field: str, value: Any) -> None:
    entry = {**TRADE["data"][0], field: value}
    with pytest.raises(DecodeError):
        ws.trades(ws.Push(table="spot/trade", action=None, data=(entry,)), unified)


def test_a_float_in_a_ticker_is_refused() -> None:
    # JSON numbers with a fraction arrive as Decimal (never float); a real float is refused
    entry = {**TICKER["data"][0], "last": 146.24}
    with pytest.raises(DecodeError):
        ws.tickers(ws.Push(table="spot/ticker", action=None, data=(entry,)), unified)


def test_wrong_table_is_a_decode_error() -> None:
    with pytest.raises(DecodeError):
        ws.tickers(_push(TRADE), unified)
    with pytest.raises(DecodeError):
        ws.trades(_push(TICKER), unified)
    with pytest.raises(DecodeError):
        ws.depths(_push(TICKER))


@pytest.mark.parametrize(("code", "error"), [
    ("30040", "VenueError"), ("30041", "AuthenticationError"), ("30043", "VenueUnavailable"),
    ("30027", "AuthenticationError"),
])
def test_websocket_error_events_map_through_the_spec_error_table(code: str, error: str) -> None:
    from adapters.okcoinjp import ws as okcj_ws
    from unified.spec import load_spec
    from unified.tables import Tables

    event = okcj_ws.decode(f'{{"event":"error","message":"x","errorCode":{code}}}')
    assert isinstance(event, okcj_ws.Error) and event.code == code
    mapped = Tables(load_spec("okcoinjp")).errors.classify(
        http_status=None, code=event.code, message=event.message)
    assert type(mapped).__name__ == error and mapped.code == code
