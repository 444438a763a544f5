"""KuCoin's WebSocket order API, sans-IO: the signed URL, the session handshake, frames (from
KuCoin's order API page), and the order options checked before anything is sent."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from adapters.kucoin import wsapi
from unified import registry
from unified.errors import ConfigurationError, DecodeError, NotSupported
from unified.models import MarginMode, OrderType, TimeInForce
from unified.order_options import OrderOptions, SelfTradePrevention, extras
from unified.streams.rpc import Answer, Pong, Session, Welcome
from unified.venue import Credentials

CREDS = Credentials("key-123", "secret-xyz", "my-passphrase")
NOW = datetime(2025, 3, 17, 1, 46, 23, 882000, tzinfo=UTC)
KUCOIN = registry.get("kucoin").spec


def b64hmac(secret: str, text: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), text.encode(), hashlib.sha256)
                            .digest()).decode()


@pytest.mark.parametrize(("origin", "base"), [
    ("https://api.kucoin.com", "wss://wsapi.kucoin.com/v1/private"),
    ("http://127.0.0.1:8123", "ws://127.0.0.1:8123/v1/private"),
    ("https://sandbox.example", "wss://sandbox.example/v1/private"),
])
def test_the_connect_url_is_signed_as_the_docs_say(origin: str, base: str) -> None:
    url = wsapi.connect_url(origin, CREDS, NOW)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == base
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["apikey"] == "key-123"
    assert query["timestamp"] == "1742175983882"
    assert query["sign"] == b64hmac("secret-xyz", "key-123" + "1742175983882")
    assert query["passphrase"] == b64hmac("secret-xyz", "my-passphrase")


def test_the_session_challenge_is_signed_as_received() -> None:
    text = '{"sessionId":"92f2aec4-d87e-47cc-917d-4e7c93911bdc", "timestamp": 1742175983882}'
    session = wsapi.decode(text)
    assert isinstance(session, Session)
    assert session.session_id == "92f2aec4-d87e-47cc-917d-4e7c93911bdc"
    assert wsapi.session_reply(session, CREDS) == b64hmac("secret-xyz", text)
    assert "secret" not in repr(session)


def test_documented_frames_decode() -> None:
    welcome = wsapi.decode('{"sessionId":"92f2aec4", "data": "welcome", '
                           '"pingInterval": 18000, "pingTimeout": 10000}')
    assert welcome == Welcome(session_id="92f2aec4", ping_interval_s=18.0, ping_timeout_s=10.0)
    assert wsapi.decode('{"id": "ping-123", "op": "pong", "timestamp": 1}') == Pong(id="ping-123")
    ok = wsapi.decode(json.dumps({
        "id": "request-001", "op": "spot.order", "code": "200000",
        "data": {"orderId": "670fd33bf9406e0007ab3945", "clientOid": "5c52e11203aa677f33e493fb"},
        "inTime": 1695190491421, "outTime": 1695190491420}))
    assert isinstance(ok, Answer) and ok.ok and ok.id == "request-001"
    assert ok.data["orderId"] == "670fd33bf9406e0007ab3945" and ok.raw["inTime"] == 1695190491421
    refused = wsapi.decode('{"code":"400003","msg":"KC-API-KEY not exists.",'
                           '"inTime":1741589088843,"outTime":1741589088848}')
    assert isinstance(refused, Answer) and not refused.ok and refused.id is None
    assert refused.message == "KC-API-KEY not exists."
    for bad in ("[1]", '{"what": 1}', "not json",
                '{"sessionId": "x", "data": "welcome", "pingInterval": 0, "pingTimeout": 1}'):
        with pytest.raises(DecodeError):
            wsapi.decode(bad)


def test_requests_name_the_venue_op_and_carry_the_rest_parameters() -> None:
    frame = json.loads(wsapi.encode_request("7", "create_sync", {"symbol": "BTC-USDT"}))
    assert frame == {"id": "7", "op": "spot.sync_order", "args": {"symbol": "BTC-USDT"}}
    assert set(wsapi.ORDER_API.ops) == {"create", "create_sync", "edit", "cancel",
                                        "cancel_sync", "margin_create", "margin_cancel"}
    ping = json.loads(wsapi.ORDER_API.ping("ping-1", NOW))
    assert ping == {"id": "ping-1", "op": "ping", "timestamp": 1742175983882}


def options(**given: Any) -> OrderOptions:
    return given  # type: ignore[return-value]


def test_order_options_reach_the_venue_fields() -> None:
    out = extras(KUCOIN, options(cancel_after=60, iceberg=True, visible_size=Decimal("0.1"),
                                 stp=SelfTradePrevention.CANCEL_OLDEST, tags="t1", remark="r",
                                 client_timestamp=NOW, allow_max_time_window=500),
                 OrderType.LIMIT, TimeInForce.GTT)
    assert out == {"cancel_after": 60, "iceberg": True, "visible_size": Decimal("0.1"),
                   "stp": "CO", "tags": "t1", "remark": "r", "client_timestamp": NOW,
                   "allow_max_time_window": 500}
    margin = extras(KUCOIN, options(margin_mode=MarginMode.ISOLATED, auto_borrow=True),
                    OrderType.LIMIT, None)
    assert margin == {"margin_mode": MarginMode.ISOLATED, "auto_borrow": True,
                      "auto_repay": False}


@pytest.mark.parametrize(("given", "tif", "error"), [
    ({"cancel_after": 5}, None, ConfigurationError),          # cancel_after without GTT
    ({}, TimeInForce.GTT, ConfigurationError),               # GTT without cancel_after
    ({"hidden": True, "iceberg": True, "visible_size": Decimal(1)}, None, ConfigurationError),
    ({"iceberg": True}, None, ConfigurationError),           # iceberg without visible_size
    ({"visible_size": Decimal(1)}, None, ConfigurationError),
    ({"tags": "x" * 21}, None, ConfigurationError),
    ({"remark": 5}, None, ConfigurationError),
    ({"stp": "CO"}, None, ConfigurationError),               # a SelfTradePrevention, not text
    ({"allow_max_time_window": 100}, None, ConfigurationError),
    ({"client_timestamp": datetime(2025, 1, 1)}, None, ConfigurationError),  # naive
    ({"auto_borrow": True}, None, ConfigurationError),       # needs margin_mode
    ({"margin_mode": "cross"}, None, ConfigurationError),
    ({"colour": "red"}, None, ConfigurationError),           # no such option
    ({"hidden": "yes"}, None, ConfigurationError),
    # the docs' field tables: cancelAfter's exclusive maximum, ASCII texts, an iceberg's
    # clientTimestamp ("Required when iceberg is specified") and visible size (its maximum)
    ({"cancel_after": 2592000}, TimeInForce.GTT, ConfigurationError),
    ({"tags": "café"}, None, ConfigurationError),
    ({"remark": "ré"}, None, ConfigurationError),
    ({"iceberg": True, "visible_size": Decimal("0.1")}, None, ConfigurationError),
    ({"iceberg": True, "visible_size": Decimal("1.01"), "client_timestamp": NOW}, None,
     ConfigurationError),
])
def test_bad_order_options_are_refused_before_sending(given: dict[str, Any],
                                                      tif: TimeInForce | None,
                                                      error: type[Exception]) -> None:
    with pytest.raises(error):
        extras(KUCOIN, options(**given), OrderType.LIMIT, tif, Decimal(1))


def test_the_documented_limits_themselves_are_accepted() -> None:
    assert extras(KUCOIN, options(cancel_after=2591999), OrderType.LIMIT,
                  TimeInForce.GTT) == {"cancel_after": 2591999}
    iceberg = extras(KUCOIN, options(iceberg=True, visible_size=Decimal(1),
                                     client_timestamp=NOW), OrderType.LIMIT, None, Decimal(1))
    assert iceberg["visible_size"] == Decimal(1)
    assert extras(KUCOIN, options(tags="t" * 20, remark="~"), OrderType.LIMIT, None) == {
        "tags": "t" * 20, "remark": "~"}


def test_venues_without_the_fields_refuse_them() -> None:
    okcoinjp = registry.get("okcoinjp").spec
    with pytest.raises(NotSupported):
        extras(okcoinjp, options(hidden=True), OrderType.LIMIT, None)
    assert extras(okcoinjp, options(post_only=True), OrderType.LIMIT, None) == {}
    with pytest.raises(ConfigurationError):
        extras(KUCOIN, options(hidden=True), OrderType.MARKET, None)
