"""KuCoin futures orders, fills and every encoder's exact request; signing by spot's recipe."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from adapters.kucoin_futures import account_codec as account
from adapters.kucoin_futures import market_codec as market
from adapters.kucoin_futures import orders_codec as orders
from adapters.kucoin_futures.endpoints import ADAPTER
from unified.convert import to_ms
from unified.derivative_models import StopPriceType
from unified.errors import ConfigurationError, DecodeError, OrderNotFound
from unified.models import Liquidity, OrderStatus, OrderType, Side, TimeInForce, Trigger
from unified.venue import Credentials, PlacedOrder, RequestParts
from unified.wire import WireRequest, encode_json

from .test_kucoin_futures import CTX, SPEC, data, utc

LINEAR = CTX.markets["BTC/USDT:USDT"]
INVERSE = CTX.markets["BTC/USD:BTC"]


# ---------------------------------------------------------------- orders


def test_an_open_order() -> None:
    order = orders.decode_order(CTX, data("futures_get_api_v1_orders_order_id.json"))
    assert (order.id, order.client_order_id, order.symbol, order.side, order.type,
            order.status, order.price, order.amount, order.filled, order.remaining,
            order.average, order.cost, order.time_in_force, order.post_only, order.stop_price,
            order.created_at) == (
        "236655147005071361", "5c52e11203aa677f33e493fb", "BTC/USDT:USDT", Side.BUY,
        OrderType.LIMIT, OrderStatus.OPEN, Decimal("0.1"), Decimal(1), Decimal(0), Decimal(1),
        None, Decimal(0), TimeInForce.GTC, False, None, utc(1729236185949))


def test_the_order_lists_items() -> None:
    (listed,) = data("futures_get_api_v1_orders.json")["items"]
    order = orders.decode_order(CTX, listed)
    assert (order.symbol, order.amount, order.price) == ("PEOPLE/USDT:USDT", Decimal(10),
                                                         Decimal("0.05"))
    by_client = orders.decode_order(CTX, data("futures_get_api_v1_orders_byClientOid.json"))
    assert (by_client.id, by_client.symbol) == ("250444645610336256", "XRP/USDT:USDT")


def detail(**changes: Any) -> dict[str, Any]:
    item: dict[str, Any] = dict(data("futures_get_api_v1_orders_order_id.json"))
    item.update(changes)
    return item


@pytest.mark.parametrize(("changes", "status"), [
    ({"status": "open", "filledSize": 0}, OrderStatus.OPEN),
    ({"status": "open", "filledSize": 3, "size": 5}, OrderStatus.PARTIALLY_FILLED),
    ({"status": "done", "filledSize": 5, "size": 5, "isActive": False}, OrderStatus.FILLED),
    ({"status": "done", "filledSize": 2, "size": 5, "cancelExist": True}, OrderStatus.CANCELED),
    ({"status": "done", "filledSize": 0, "size": 5, "cancelExist": True}, OrderStatus.CANCELED),
])
def test_states_from_status_and_sizes(changes: dict[str, Any], status: OrderStatus) -> None:
    order = orders.decode_order(CTX, detail(**changes))
    assert order.status is status
    assert order.filled == Decimal(changes["filledSize"])


def test_a_filled_order_reports_its_value_and_average() -> None:
    order = orders.decode_order(CTX, detail(status="done", size=2, filledSize=2,
                                            filledValue="135.3", avgDealPrice="67650"))
    assert (order.status, order.cost, order.average, order.remaining) == (
        OrderStatus.FILLED, Decimal("135.3"), Decimal(67650), Decimal(0))


def test_market_and_stop_orders() -> None:
    placed_market = orders.decode_order(CTX, detail(type="market", price=None,
                                                    timeInForce=""))
    assert (placed_market.type, placed_market.price, placed_market.time_in_force) == (
        OrderType.MARKET, None, None)
    stop = orders.decode_order(CTX, detail(stop="down", stopPrice=Decimal("60000.5"),
                                           stopPriceType="MP"))
    assert stop.stop_price == Decimal("60000.5")
    for bad in ({"status": "active"}, {"stop": "sideways", "stopPrice": 1},
                {"stop": "up", "stopPrice": None}, {"side": "hold"}, {"size": "one"}):
        with pytest.raises(DecodeError):
            orders.decode_order(CTX, detail(**bad))


def test_fills() -> None:
    (item,) = data("futures_get_api_v1_fills.json")["items"]
    fill = orders.decode_fill(CTX, item)
    assert (fill.id, fill.order_id, fill.symbol, fill.side, fill.price, fill.amount,
            fill.cost, fill.liquidity, fill.timestamp) == (
        "1828954878212", "284486580251463680", "BTC/USDT:USDT", Side.BUY, Decimal("86275.1"),
        Decimal(1), Decimal("86.2751"), Liquidity.TAKER,
        datetime(2025, 2, 27, 7, 8, 8, 244000, tzinfo=UTC))
    assert fill.fee is not None and (fill.fee.cost, fill.fee.currency, fill.fee.rate) == (
        Decimal("0.05176506"), "USDT", Decimal("0.00060"))


def test_create_and_cancel_answers() -> None:
    assert orders.decode_placed(CTX, data("futures_post_api_v1_orders.json")) == PlacedOrder(
        id="234125150956625920", client_order_id="5c52e11203aa677f33e493fb")
    assert orders.decode_canceled(CTX, data("futures_delete_api_v1_orders_orderId.json")).id \
        == "235303670076489728"
    assert orders.decode_canceled(CTX, data(
        "futures_delete_api_v1_orders_client_order_clientOid.json")).id == \
        "017485b0-2957-4681-8a14-5d46b35aee0d"
    with pytest.raises(OrderNotFound):
        orders.decode_canceled(CTX, {"cancelledOrderIds": []})
    for name in ("futures_delete_api_v3_orders.json", "futures_delete_api_v1_stopOrders.json"):
        assert orders.decode_cancel_all(CTX, data(name)) == ["235919172150824960",
                                                             "235919172150824961"]


# ---------------------------------------------------------------- encoders


def create_args(**changes: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "symbol": "XBTUSDTM", "market": LINEAR, "side": Side.BUY, "type": OrderType.LIMIT,
        "amount": Decimal(3), "price": Decimal("67000.5"), "client_order_id": "c1",
        "time_in_force": None, "post_only": False, "cost": None, "leverage": Decimal(5),
        "reduce_only": False, "close_order": False, "stop_price_type": None,
    }
    args.update(changes)
    return args


def test_create_bodies() -> None:
    assert orders.encode_create(CTX, create_args()).body == {
        "clientOid": "c1", "side": "buy", "symbol": "XBTUSDTM", "type": "limit",
        "leverage": "5", "size": 3, "price": "67000.5"}
    body = orders.encode_create(CTX, create_args(time_in_force=TimeInForce.IOC, post_only=True,
                                                 leverage=Decimal("2.5"))).body
    assert (body["timeInForce"], body["postOnly"], body["leverage"]) == ("IOC", True, "2.5")
    assert orders.encode_create(CTX, create_args(
        type=OrderType.MARKET, price=None, side=Side.SELL, leverage=None, reduce_only=True,
        amount=Decimal("2.000"))).body == {
        "clientOid": "c1", "side": "sell", "symbol": "XBTUSDTM", "type": "market", "size": 2,
        "reduceOnly": True}
    closing = orders.encode_create(CTX, create_args(close_order=True, leverage=None)).body
    assert closing["closeOrder"] is True and "leverage" not in closing
    # the JSON sent: size a JSON integer, the prices and the leverage strings
    assert encode_json(orders.encode_create(CTX, create_args()).body) == (
        b'{"clientOid":"c1","side":"buy","symbol":"XBTUSDTM","type":"limit","leverage":"5",'
        b'"size":3,"price":"67000.5"}')


@pytest.mark.parametrize("amount", [Decimal("1.5"), Decimal(0), Decimal(-2)])
def test_sizes_are_whole_lots(amount: Decimal) -> None:
    with pytest.raises(ConfigurationError):
        orders.encode_create(CTX, create_args(amount=amount))


@pytest.mark.parametrize(("trigger", "kind", "stop", "word"), [
    (Trigger.ABOVE, None, "up", "TP"), (Trigger.BELOW, StopPriceType.LAST, "down", "TP"),
    (Trigger.BELOW, StopPriceType.INDEX, "down", "IP"),
    (Trigger.ABOVE, StopPriceType.MARK, "up", "MP"),
])
def test_stop_bodies(trigger: Trigger, kind: StopPriceType | None, stop: str, word: str) -> None:
    body = orders.encode_stop(CTX, create_args(stop_price=Decimal("66000"), trigger=trigger,
                                               stop_price_type=kind)).body
    assert {k: body[k] for k in ("stop", "stopPrice", "stopPriceType", "size", "price")} == {
        "stop": stop, "stopPrice": "66000", "stopPriceType": word, "size": 3,
        "price": "67000.5"}


def ref(**args: Any) -> dict[str, Any]:
    return {"symbol": "XBTUSDTM", "market": LINEAR, **args}


def test_order_references_and_lists() -> None:
    assert orders.id_path(CTX, ref(id="42")) == RequestParts(path_params={"id": "42"})
    assert orders.client_id_path(CTX, ref(id="c1")) == RequestParts(
        path_params={"id": "c1"}, query=[("symbol", "XBTUSDTM")])
    assert orders.client_id_query(CTX, ref(id="c1")).query == [("clientOid", "c1")]
    assert orders.encode_open(CTX, ref()).query == [("status", "active"),
                                                    ("symbol", "XBTUSDTM")]
    assert orders.encode_closed(CTX, ref(since_ms=1, until_ms=2)).query == [
        ("status", "done"), ("symbol", "XBTUSDTM"), ("startAt", "1"), ("endAt", "2")]
    assert orders.encode_fills(CTX, ref(since_ms=5, until_ms=None)).query == [
        ("symbol", "XBTUSDTM"), ("startAt", "5")]
    assert orders.market_query(CTX, ref()).query == [("symbol", "XBTUSDTM")]
    assert orders.market_query(CTX, {"market": None}).query == []


def test_market_data_requests() -> None:
    assert market.encode_book(CTX, ref(limit=None)).path_params == {"size": "20"}
    assert market.encode_book(CTX, ref(limit=21)).path_params == {"size": "100"}
    assert market.symbol_path(CTX, ref()).path_params == {"symbol": "XBTUSDTM"}
    since = datetime(2024, 10, 10, tzinfo=UTC)
    assert market.encode_candles(CTX, ref(timeframe="60", since=since, limit=3,
                                          timeframe_seconds=3600)).query == [
        ("symbol", "XBTUSDTM"), ("granularity", "60"), ("from", str(to_ms(since))),
        ("to", str(to_ms(since) + 3 * 3600 * 1000))]
    assert market.encode_candles(CTX, ref(timeframe="1")).query == [
        ("symbol", "XBTUSDTM"), ("granularity", "1")]
    assert market.encode_index(CTX, ref()).query == [("symbol", ".KXBTUSDT"), ("maxCount", "1")]
    assert market.encode_funding_history(CTX, ref(since_ms=10, until_ms=20)).query == [
        ("symbol", "XBTUSDTM"), ("from", "10"), ("to", "20")]
    with pytest.raises(ConfigurationError):
        market.encode_funding_history(CTX, ref(since_ms=None, until_ms=20))


def test_account_requests() -> None:
    assert account.encode_balance(CTX, {"account": None, "currency": "BTC"}).query == [
        ("currency", "XBT")]
    assert account.encode_balance(CTX, {"account": None, "currency": "USDT"}).query == [
        ("currency", "USDT")]
    assert account.encode_ledger(CTX, {"currency": "BTC", "since_ms": 1, "until_ms": 2}).query \
        == [("currency", "XBT"), ("startAt", "1"), ("endAt", "2")]
    assert account.symbol_query(CTX, ref()).query == [("symbol", "XBTUSDTM")]
    assert account.encode_add_margin(CTX, ref(amount=Decimal("1.50"), client_id="m1",
                                              currency="USDT")).body == {
        "symbol": "XBTUSDTM", "margin": "1.50", "bizNo": "m1"}
    assert account.encode_auto_deposit(CTX, ref(enabled=False)).body == {
        "symbol": "XBTUSDTM", "status": False}


# ---------------------------------------------------------------- signing


def expected_sign(secret: str, message: str) -> str:
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


@pytest.mark.parametrize("vector", SPEC.signing.vectors, ids=lambda v: v["method"])
def test_spot_vectors_reproduce_through_the_futures_signer(vector: Any) -> None:
    path, _, query = vector["path_and_query"].partition("?")
    request = WireRequest(vector["method"], "https://x", path, query, vector["body"].encode())
    signed = ADAPTER.sign(request, Credentials("key", vector["secret"], vector["passphrase"]),
                          datetime.fromtimestamp(int(vector["timestamp"]) / 1000, UTC))
    assert signed.headers["KC-API-SIGN"] == vector["sign"]
    assert signed.headers["KC-API-PASSPHRASE"] == vector["expected_passphrase"]
    assert signed.headers["KC-API-KEY-VERSION"] == "2"


def test_a_futures_request_signs_its_path_query_and_body() -> None:
    creds = Credentials("key", "test-secret-abcdef", "test-passphrase")
    now = datetime(2024, 10, 18, 7, 23, 5, 949000, tzinfo=UTC)
    body = encode_json(orders.encode_create(CTX, create_args()).body)
    post = ADAPTER.sign(WireRequest("POST", "https://api-futures.kucoin.com", "/api/v1/orders",
                                    "", body), creds, now)
    assert post.headers["KC-API-TIMESTAMP"] == "1729236185949"
    assert post.headers["KC-API-SIGN"] == expected_sign(
        "test-secret-abcdef", "1729236185949POST/api/v1/orders" + body.decode())
    get = ADAPTER.sign(WireRequest("GET", "https://api-futures.kucoin.com", "/api/v1/orders",
                                   "status=active&symbol=XBTUSDTM", b""), creds, now)
    assert get.headers["KC-API-SIGN"] == expected_sign(
        "test-secret-abcdef", "1729236185949GET/api/v1/orders?status=active&symbol=XBTUSDTM")
    other = ADAPTER.sign(WireRequest("GET", "https://api-futures.kucoin.com", "/api/v1/orders",
                                     "status=done&symbol=XBTUSDTM", b""), creds, now)
    assert other.headers["KC-API-SIGN"] != get.headers["KC-API-SIGN"]
