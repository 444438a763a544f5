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
from hypothesis import given
from hypothesis import strategies as st

from adapters.okcoinjp import ws, ws_frames
from unified.errors import ConfigurationError, DecodeError
from unified.models import (
    Fill,
    Order,
    OrderBook,
    OrderStatus,
    OrderType,
    Side,
    Ticker,
    TimeInForce,
    Trade,
)
from unified.spec import load_spec
from unified.streams import dialect
from unified.streams.checksummed import ChecksummedBook, Depth
from unified.streams.dialect import BalanceChange, Endpoint, Item, Want
from unified.tables import Tables
from unified.venue import Context, Credentials

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
    '{"event":"subscribe"}', '{"event":"login"}',
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
    lambda m: m["data"][0].update(timestamp="yesterday"),
    lambda m: m["data"][0].pop("instrument_id"),
])
def test_malformed_depth_is_a_decode_error(mutate: Any) -> None:
    message = json.loads(json.dumps(GOOD_DEPTH))
    mutate(message)
    with pytest.raises(DecodeError):
        ws.depths(_push(message))


def test_a_depth_entry_without_its_time_still_builds_the_book() -> None:
    """The time is diagnostic (the checksum orders the book): absent or empty, it is None;
    the rows and the checksum stay strict."""
    partial = json.loads((DATA / "okcoinjp_ws_depth_partial.json").read_text())
    for absent in (None, ""):
        entry = {k: v for k, v in partial["data"][0].items() if k != "timestamp"}
        if absent is not None:
            entry["timestamp"] = absent
        ((_, depth),) = ws.depths(_push({**partial, "data": [entry]}))
        assert depth.timestamp is None and depth.checksum == 468410539
        book = ChecksummedBook("ETH/JPY").feed(depth)
        assert isinstance(book, OrderBook) and book.timestamp is None
        assert book.bids[0].price == D("5")
        (item,) = _items({**partial, "data": [entry]})
        assert isinstance(item.value, Depth) and item.value.timestamp is None


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


@pytest.mark.parametrize(("frame", "code"), [
    ('{"event":"error","message":"Login failure"}', None),
    ('{"event":"error","message":"Login failure","errorCode":null}', None),
    ('{"event":"error","message":"Login failure","errorCode":""}', None),
    ('{"event":"error","message":"Login failure","error_code":"30027"}', "30027"),
    ('{"event":"error","message":"Login failure","error_code":30027}', "30027"),
    ('{"event":"error","message":"Login failure","errorCode":null,"error_code":"30027"}',
     "30027"),
])
def test_an_error_event_reads_its_code_loosely(frame: str, code: str | None) -> None:
    """errorCode only explains the error: missing, null, "" or spelt error_code, the event is
    still an Error (never a DecodeError, which would resync the whole connection)."""
    assert ws.decode(frame) == ws.Error(code=code, message="Login failure")
    ref = None if code is None else ws.LOGIN_REF
    assert _stream(frame) == [dialect.Refused(ref=ref, code=code, message="Login failure")]


@pytest.mark.parametrize("message", ["Login failure", "login refused", " Login failed"])
def test_a_login_failure_without_a_code_is_an_authentication_error(message: str) -> None:
    # the refusal names no request: the connection fails its pending login with this
    mapped = TABLES.errors.classify(http_status=None, code=None, message=message)
    assert type(mapped).__name__ == "AuthenticationError"
    other = TABLES.errors.classify(http_status=None, code=None, message="something else")
    assert type(other).__name__ == "VenueError"


# -- the dialect (STREAMS) ------------------------------------------------------------------------

TABLES = Tables(load_spec("okcoinjp"))
CTX = Context("okcoinjp", TABLES, {}, {})
MARKETS = ["BTC-JPY", "ETH-JPY", "ETH-BTC"]


def _stream(payload: dict[str, Any] | str, *, compressed: bool = True) -> list[Any]:
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return ws.STREAMS.decode(deflate(text) if compressed else text, CTX)


def _items(payload: dict[str, Any] | str) -> list[Item]:
    events = _stream(payload)
    assert all(isinstance(e, Item) for e in events)
    return [e for e in events if isinstance(e, Item)]


@pytest.mark.parametrize(("origin", "url"), [
    ("https://www.okcoin.jp", "wss://connect.okcoin.jp:443/ws/v3"),
    ("https://WWW.OKCOIN.JP/", "wss://connect.okcoin.jp:443/ws/v3"),
    ("http://127.0.0.1:8080", "ws://127.0.0.1:8080/ws/v3"),
    ("http://localhost:8080/", "ws://localhost:8080/ws/v3"),
    ("https://sandbox.example:8443", "wss://sandbox.example:8443/ws/v3"),
])
def test_endpoint_keeps_the_path_on_the_origin(origin: str, url: str) -> None:
    assert ws.STREAMS.endpoint_op(False) is None and ws.STREAMS.endpoint_op(True) is None
    for private in (False, True):
        endpoint = ws.STREAMS.endpoint(origin, private, None, "c-1")
        assert endpoint == Endpoint(url=url, ping_interval_s=20.0, ping_timeout_s=5.0,
                                    welcome=False)
    # a ping after 20 quiet seconds, answered within 5: inside the venue's 30 s idle cut-off
    assert endpoint.ping_interval_s + endpoint.ping_timeout_s < ws.IDLE_CUTOFF_SECONDS


@pytest.mark.parametrize("origin", ["ftp://x", "https://x/api", "127.0.0.1:8080", "https://",
                                    "wss://connect.okcoin.jp", "https://x?y=1"])
def test_endpoint_refuses_what_is_not_an_origin(origin: str) -> None:
    with pytest.raises(ConfigurationError):
        ws.STREAMS.endpoint(origin, False, None, "c")


def test_login_and_ping_frames() -> None:
    vectors = json.loads((REFERENCE / "signing-vectors.json").read_text())["okcoinjp_v3"]
    creds = Credentials(**vectors["credentials"])
    now = datetime(2019, 3, 18, 7, 26, 50, 123000, tzinfo=UTC)
    login = ws.STREAMS.login(creds, now)
    assert login is not None and login.refs == (ws.LOGIN_REF,)
    assert login.frame == ws.encode_login(creds, now)
    assert json.loads(login.frame)["args"][3] == vectors["websocket_login"]["sign"]
    assert creds.secret not in login.frame
    assert ws.STREAMS.ping("ignored") == "ping"
    with pytest.raises(ConfigurationError):
        ws.STREAMS.login(Credentials("key", "secret"), now)


@pytest.mark.parametrize(("want", "keys"), [
    (Want("book", "BTC-JPY"), ["spot/depth:BTC-JPY"]),
    (Want("ticker", "ETH-JPY"), ["spot/ticker:ETH-JPY"]),
    (Want("trades", "ETH-BTC"), ["spot/trade:ETH-BTC"]),
    (Want("orders", "BTC-JPY"), ["spot/order:BTC-JPY"]),
    (Want("orders", None), ["spot/order:BTC-JPY", "spot/order:ETH-JPY", "spot/order:ETH-BTC"]),
    (Want("my_trades", None), ["spot/order:BTC-JPY", "spot/order:ETH-JPY",
                               "spot/order:ETH-BTC"]),
    (Want("balance", None), ["spot/account:BTC", "spot/account:JPY", "spot/account:ETH"]),
    (Want("balance", "ETH-BTC"), ["spot/account:ETH", "spot/account:BTC"]),
])
def test_wire_keys(want: Want, keys: list[str]) -> None:
    assert ws.STREAMS.wire_keys(want, MARKETS) == keys


@pytest.mark.parametrize(("want", "markets"), [
    (Want("book", None), MARKETS), (Want("ticker", "A:B"), MARKETS),
    (Want("orders", None), []), (Want("balance", None), []),
    (Want("balance", None), ["BTCJPY"]), (Want("balance", "BTC-JPY-1"), MARKETS),
])
def test_wire_keys_refused(want: Want, markets: list[str]) -> None:
    with pytest.raises(ConfigurationError):
        ws.STREAMS.wire_keys(want, markets)


def test_subscribe_batches_and_refs_are_the_channels() -> None:
    channels = [ws.channel(ws.DEPTH, f"C{i:04d}-JPY") for i in range(600)]
    out = ws.STREAMS.subscribe([*channels, channels[0]], lambda: pytest.fail("no ids"))
    assert len(out) > 1
    assert [c for o in out for c in o.refs] == channels
    for o in out:
        frame = json.loads(o.frame)
        assert frame == {"op": "subscribe", "args": list(o.refs)}
        assert len(json.dumps(frame["args"], separators=(",", ":")).encode()) \
            <= ws.MAX_ARGS_BYTES
    (unsub,) = ws.STREAMS.unsubscribe(["spot/ticker:BTC-JPY", "spot/order:BTC-JPY"], None)
    assert json.loads(unsub.frame) == {"op": "unsubscribe",
                                       "args": ["spot/ticker:BTC-JPY", "spot/order:BTC-JPY"]}
    assert unsub.refs == ("spot/ticker:BTC-JPY", "spot/order:BTC-JPY")
    assert ws.STREAMS.subscribe([], None) == [] == ws.STREAMS.unsubscribe([], None)


@given(st.lists(st.tuples(st.sampled_from([ws.DEPTH, ws.TICKER, ws.TRADE, ws.ORDER]),
                          st.text("ABCXYZ019", min_size=1, max_size=40)), max_size=300))
def test_subscribe_covers_every_channel_once_within_the_byte_limit(
        pairs: list[tuple[str, str]]) -> None:
    keys = [f"{name}:{instrument}-JPY" for name, instrument in pairs]
    out = ws.STREAMS.subscribe(keys, None)
    assert [c for o in out for c in o.refs] == list(dict.fromkeys(keys))
    for o in out:
        args = json.loads(o.frame)["args"]
        assert args == list(o.refs)
        assert len(json.dumps(args, separators=(",", ":")).encode()) <= ws.MAX_ARGS_BYTES


def test_answers_through_the_dialect() -> None:
    assert _stream("pong") == [dialect.Pong()] == _stream("pong", compressed=False)
    assert _stream(SUBSCRIBED) == [dialect.Acked(ref="spot/ticker:ETH-JPY")]
    assert _stream(UNSUBSCRIBED) == [dialect.Acked(ref="spot/candle60s:BTC-JPY")]
    assert _stream(LOGGED_IN) == [dialect.LoggedIn()]
    assert _stream('{"event":"login","success":false}') == [dialect.Refused(
        ref="login", code=None, message="login refused")]


@pytest.mark.parametrize(("frame", "refused"), [
    (CHANNEL_MISSING, dialect.Refused(ref="spot/tickr:BTC-JPY", code="30040",
                                      message="Channel spot/tickr:BTC-JPY doesn't exist")),
    # the error table's wording, "{0} Channel : {1} doesn't exist"
    ('{"event":"error","message":"spot/tickr Channel : BTC-JPY doesn\'t exist",'
     '"errorCode":30040}',
     dialect.Refused(ref="spot/tickr:BTC-JPY", code="30040",
                     message="spot/tickr Channel : BTC-JPY doesn't exist")),
    ('{"event":"error","message":"no such thing","errorCode":30040}',
     dialect.Refused(ref=None, code="30040", message="no such thing")),
    ('{"event":"error"," message":"Invalid sign","errorCode":"30013"}',
     dialect.Refused(ref="login", code="30013", message="Invalid sign")),
    ('{"event":"error","message":"Login failure","errorCode":30027}',
     dialect.Refused(ref="login", code="30027", message="Login failure")),
    ('{"event":"error","message":"Timestamp request expired","errorCode":30008}',
     dialect.Refused(ref="login", code="30008", message="Timestamp request expired")),
    ('{"event":"error","message":"User not logged in","errorCode":30041}',
     dialect.Refused(ref=None, code="30041", message="User not logged in")),
    ('{"event":"error","message":"Already logged in","errorCode":30042}', dialect.LoggedIn()),
])
def test_error_events(frame: str, refused: Any) -> None:
    assert _stream(frame) == [refused]
    if isinstance(refused, dialect.Refused):
        assert not refused.token_expired


@pytest.mark.parametrize(("code", "error"), [
    ("30040", "VenueError"), ("30041", "AuthenticationError"), ("30013", "AuthenticationError"),
    ("30008", "ClockSkew"), ("30026", "RateLimited"), ("30043", "VenueUnavailable"),
])
def test_refused_codes_map_through_the_spec_error_table(code: str, error: str) -> None:
    (refused,) = _stream(f'{{"event":"error","message":"m","errorCode":"{code}"}}')
    assert isinstance(refused, dialect.Refused) and refused.code == code
    mapped = TABLES.errors.classify(http_status=None, code=refused.code,
                                    message=refused.message)
    assert type(mapped).__name__ == error


def test_public_examples_through_the_dialect() -> None:
    (book,) = _items((DATA / "okcoinjp_ws_depth_partial.json").read_text())
    assert (book.kind, book.symbol) == ("book", "ETH/JPY")
    assert isinstance(book.value, Depth) and book.value.partial
    (update,) = _items((DATA / "okcoinjp_ws_depth_update.json").read_text())
    assert isinstance(update.value, Depth) and not update.value.partial
    (tick,) = _items((DATA / "okcoinjp_ws_ticker.json").read_text())
    assert isinstance(tick.value, Ticker) and tick.symbol == "ETH/JPY"
    assert tick.value == ws.tickers(_push(TICKER), unified)[0]
    (trade,) = _items((DATA / "okcoinjp_ws_trade.json").read_text())
    assert isinstance(trade.value, Trade) and trade.kind == "trades"
    assert trade.value.id == "1210447366"
    (sub_tick,) = _items(SUB_TICKER)
    assert sub_tick.value.bid_size is None  # type: ignore[union-attr]


ORDER = json.loads((DATA / "okcoinjp_ws_order.json").read_text())
ACCOUNT = json.loads((DATA / "okcoinjp_ws_account.json").read_text())


def test_order_example() -> None:
    (item,) = _items(ORDER)
    o = item.value
    assert isinstance(o, Order) and (item.kind, item.symbol) == ("orders", "LTC/JPY")
    assert (o.id, o.client_order_id, o.side, o.type, o.status) == (
        "3576398568830976", None, Side.BUY, OrderType.LIMIT, OrderStatus.OPEN)
    assert (o.price, o.amount, o.filled, o.remaining, o.cost, o.average) == (
        D("5.826"), D("0.1"), D(0), D("0.1"), D(0), None)
    assert (o.time_in_force, o.post_only, o.fee) == (TimeInForce.GTC, False, None)
    assert o.created_at == o.updated_at == datetime(2019, 9, 24, 6, 45, 11, 394000, tzinfo=UTC)
    assert not item.unreported


def _order(**changes: Any) -> dict[str, Any]:
    entry = {**ORDER["data"][0]}
    for key, value in changes.items():
        if value is None:
            entry.pop(key, None)
        else:
            entry[key] = value
    return {"table": "spot/order", "data": [entry]}


FILLED = dict(filled_size="0.04", filled_notional="0.23304", last_fill_px="5.826",
              last_fill_qty="0.04", last_fill_id="1210447367",
              last_fill_time="2019-09-24T06:46:02.007Z", state="1", status="part_filled",
              timestamp="2019-09-24T06:46:02.007Z", client_oid="bot1")


def test_a_push_reporting_a_fill_yields_the_order_and_the_fill() -> None:
    order, fill = _items(_order(**FILLED))
    assert (order.kind, fill.kind) == ("orders", "my_trades")
    o, f = order.value, fill.value
    assert isinstance(o, Order) and isinstance(f, Fill)
    assert (o.status, o.filled, o.remaining, o.cost, o.average, o.client_order_id) == (
        OrderStatus.PARTIALLY_FILLED, D("0.04"), D("0.06"), D("0.23304"), D("5.826"), "bot1")
    assert o.created_at == datetime(2019, 9, 24, 6, 45, 11, 394000, tzinfo=UTC)
    assert o.updated_at == datetime(2019, 9, 24, 6, 46, 2, 7000, tzinfo=UTC)
    assert f == Fill(id="1210447367", order_id="3576398568830976", symbol="LTC/JPY",
                     side=Side.BUY, price=D("5.826"), amount=D("0.04"), cost=D("0.23304"),
                     fee=None, liquidity=None,
                     timestamp=datetime(2019, 9, 24, 6, 46, 2, 7000, tzinfo=UTC))
    assert fill.unreported == {"fee", "liquidity"} and not order.unreported


@pytest.mark.parametrize(("state", "status"), [
    ("-2", OrderStatus.REJECTED), ("-1", OrderStatus.CANCELED), ("0", OrderStatus.OPEN),
    ("1", OrderStatus.PARTIALLY_FILLED), ("2", OrderStatus.FILLED), ("3", OrderStatus.PENDING),
    ("4", OrderStatus.CANCELING),
])
def test_order_states_map_through_the_spec_status_table(state: str,
                                                        status: OrderStatus) -> None:
    (item,) = _items(_order(state=state))
    assert isinstance(item.value, Order) and item.value.status is status
    # without `state`, the older `status` text is read, as REST answers are
    (old,) = _items(_order(state=None, status="cancelled"))
    assert isinstance(old.value, Order) and old.value.status is OrderStatus.CANCELED


def test_numbers_where_the_docs_write_strings_decode_alike() -> None:
    text = json.dumps(_order(**FILLED))
    for figure in ("0.04", "0.23304", "5.826", "1210447367"):
        text = text.replace(f'"{figure}"', figure)
    assert '"last_fill_qty": 0.04' in text
    assert _items(text) == _items(_order(**FILLED))


def test_the_empty_fill_fields_mean_no_fill() -> None:
    for changes in ({}, {"last_fill_id": None, "last_fill_px": None, "last_fill_qty": None,
                         "last_fill_time": None}, {"last_fill_id": 0}):
        assert [i.kind for i in _items(_order(**changes))] == ["orders"]


def test_a_fill_without_its_trade_id_makes_the_push_unreadable() -> None:
    """The User Orders example has no last_fill_id: a push reporting an execution (a size, a
    price, a real time) without it cannot make a Fill, which is delivered once by its trade
    id; no id is made up. The orders stream's Unreadable: the core reconciles the private
    streams through REST, which has the fill with its id."""
    no_id = {k: v for k, v in _order(**FILLED)["data"][0].items() if k != "last_fill_id"}
    for entry in (no_id, {**no_id, "last_fill_id": None}):
        with pytest.raises(dialect.Unreadable) as unreadable:
            _stream({"table": "spot/order", "data": [entry]})
        assert (unreadable.value.kind, unreadable.value.symbol) == ("orders", "LTC/JPY")
        assert "last_fill_id" in str(unreadable.value)


def test_a_fill_id_of_0_or_a_size_of_0_is_no_fill() -> None:
    no_id = {k: v for k, v in _order(**FILLED)["data"][0].items() if k != "last_fill_id"}
    for entry in ({**no_id, "last_fill_id": "0"}, {**no_id, "last_fill_id": ""},
                  {**no_id, "last_fill_qty": "0"}, {**no_id, "last_fill_qty": 0},
                  {k: v for k, v in no_id.items() if k != "last_fill_qty"}):
        assert [i.kind for i in _items({"table": "spot/order", "data": [entry]})] == ["orders"]


def test_an_order_push_without_type_is_a_limit_order() -> None:
    # "type: limit,market (defaulted as limit)"
    for entry in ({k: v for k, v in ORDER["data"][0].items() if k != "type"},
                  {**ORDER["data"][0], "type": None}):
        (item,) = _items({"table": "spot/order", "data": [entry]})
        assert isinstance(item.value, Order) and item.value.type is OrderType.LIMIT
        assert item.value.price == D("5.826")


def test_account_example() -> None:
    (item,) = _items(ACCOUNT)
    assert (item.kind, item.symbol) == ("balance", None)
    assert item.value == BalanceChange(currency="JPY", total=D("2.215374581132125"),
                                       available=D("1.632774581132125"), held=D("0.5826"))
    several = {"table": "spot/account", "data": [
        ACCOUNT["data"][0], {"balance": 1, "available": "0.5", "hold": 0.5, "currency": "btc"}]}
    assert [(i.value.currency, i.value.total, i.value.held)  # type: ignore[union-attr]
            for i in _items(several)] == [("JPY", D("2.215374581132125"), D("0.5826")),
                                          ("BTC", D(1), D("0.5"))]


@pytest.mark.parametrize("payload", [
    _order(order_id=None), _order(side="long"), _order(state="9"), _order(type="stop"),
    _order(timestamp=None), _order(timestamp="yesterday"), _order(price="x"),
    _order(instrument_id="LTCJPY"), _order(state=None, status=None),
    _order(last_fill_id="5", last_fill_qty=None), _order(**{**FILLED, "last_fill_px": "0"}),
    _order(**{**FILLED, "last_fill_time": "soon"}),
    {"table": "spot/account", "data": [{"currency": "JPY", "balance": "1", "hold": "0"}]},
    {"table": "spot/account", "data": [{**ACCOUNT["data"][0], "available": "abc"}]},
    {"table": "spot/depth5", "data": []},
    {"table": "spot/candle60s", "data": [{"candle": ["2018-12-20T06:18:00.000Z", "8.8", "8.8",
                                                     "8.8", "8.8", "0"],
                                          "instrument_id": "ETH-JPY"}]},
    {"table": "spot/order", "data": [[]]}, "ping", "",
])
def test_malformed_pushes_are_decode_errors(payload: dict[str, Any] | str) -> None:
    with pytest.raises(DecodeError):
        _stream(payload)


def test_a_frame_that_is_not_deflate_is_a_decode_error() -> None:
    with pytest.raises(DecodeError):
        ws.STREAMS.decode(zlib.compress(b"pong"), CTX)


@pytest.mark.parametrize(("payload", "kind", "symbol"), [
    ({"table": "spot/depth", "action": "update", "data": "\u0000not-a-list"}, "book", None),
    (TICKER | {"data": [{**TICKER["data"][0], "last": ["x"]}]}, "ticker", "ETH/JPY"),
    ({"table": "spot/trade", "data": [{"instrument_id": "ETH-JPY", "side": "short"},
                                      {"instrument_id": "BTC-JPY"}]}, "trades", None),
])
def test_an_unreadable_push_names_its_stream(payload: dict[str, Any], kind: str,
                                             symbol: str | None) -> None:
    """The channel read, its data not: the Unreadable of that channel's stream, and of its one
    instrument when the push names one."""
    with pytest.raises(dialect.Unreadable) as unreadable:
        _stream(payload)
    assert (unreadable.value.kind, unreadable.value.symbol) == (kind, symbol)
