"""OKEx / OKCoin v1: MD5 signing vectors, the status and error tables, HTTP-200 error bodies,
order encoding, v1's answer quirks, and the local v1 venue end to end (both venue ids)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import attrs
import pytest

import unified
from adapters.okex_v1 import codec
from adapters.okex_v1.endpoints import ADAPTER
from adapters.okex_v1.signing import md5_sign
from unified import (
    AmbiguousOutcome,
    AuthenticationError,
    InsufficientFunds,
    InvalidOrder,
    NotSupported,
    OrderNotFound,
    OrderStatus,
    OrderType,
    RateLimited,
    Side,
    VenueUnavailable,
)
from unified.clock import ManualClock
from unified.convert import loads
from unified.errors import DecodeError, PermissionDenied, VenueError
from unified.models import Market
from unified.sim.server import SimVenue
from unified.sim.verify import md5_sorted_params, verify
from unified.spec import load_spec
from unified.tables import Tables
from unified.venue import Context, Credentials, PlacedOrder, VenueRejected
from unified.wire import WireRequest, WireResponse, encode_form

from ..conftest import DATA, run

SPEC = load_spec("okex_v1")
TABLES = Tables(SPEC)
BTC_USDT = Market(symbol="BTC/USDT", venue_symbol="btc_usdt", base="BTC", quote="USDT",
                  price_increment=Decimal("0.0001"), amount_increment=Decimal("0.00000001"),
                  min_amount=Decimal("0.01"), min_cost=None, active=True)
CTX = Context("okex_v1", TABLES, {"BTC/USDT": BTC_USDT}, {"btc_usdt": BTC_USDT})
GOLDEN = json.loads((DATA / "signing-vectors.json").read_text())["okex_v1"]
CODES = json.loads((DATA / "error-codes" / "okex-v1-rest.json").read_text())["codes"]
VENUE_IDS = ["okex_v1", "okcoin_v1"]


def body_of(request: WireRequest) -> dict[str, str]:
    return dict(parse_qsl(request.body.decode(), keep_blank_values=True))


# ---------------------------------------------------------------- signing


def test_spec_vectors_are_the_golden_ones() -> None:
    golden = {(v["endpoint"], v["sign"]) for v in GOLDEN["vectors"]}
    assert {(v["endpoint"], v["sign"]) for v in SPEC.signing.vectors} == golden
    assert SPEC.signing.recipe == "md5_sorted_params" and SPEC.signing.timestamp == "none"


@pytest.mark.parametrize("vector", GOLDEN["vectors"], ids=lambda v: v["endpoint"])
def test_signer_reproduces_the_vectors(vector: dict[str, Any]) -> None:
    params = [*vector["params"].items(), ("api_key", vector["api_key"])]
    assert md5_sign(params, vector["secret"]) == vector["sign"]
    text = "&".join(f"{k}={v}" for k, v in sorted(params)) + f"&secret_key={vector['secret']}"
    assert text == vector["prehash"]
    request = WireRequest("POST", "https://www.okex.com", vector["endpoint"],
                          body="&".join(f"{k}={v}" for k, v in vector["params"].items()).encode())
    signed = ADAPTER.sign(request, Credentials(vector["api_key"], vector["secret"]),
                          datetime.now(UTC))
    form = body_of(signed)
    assert form["sign"] == vector["sign"] and form["api_key"] == vector["api_key"]
    assert signed.headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_sign_covers_raw_values_and_moves_query_parameters_into_the_form() -> None:
    orders_data = '[{"price":"3","amount":"5","type":"sell"}]'
    creds = Credentials("key-1", "secret-1")
    request = WireRequest("POST", "https://www.okex.com", "/api/v1/batch_trade.do",
                          query="current_page=2&page_length=50",
                          body=encode_form([("symbol", "ltc_btc"),
                                                        ("orders_data", orders_data)]))
    signed = ADAPTER.sign(request, creds, datetime.now(UTC))
    assert signed.query == ""  # the venue signs URL parameters too: they travel in the form
    form = body_of(signed)
    assert form["orders_data"] == orders_data and form["current_page"] == "2"
    raw = {k: v for k, v in form.items() if k != "sign"}
    assert form["sign"] == md5_sorted_params(raw, creds.secret)
    key = verify(SPEC.signing, method="POST", path_and_query=signed.path, body=signed.body,
                 headers={}, keys={"key-1": creds}, now=datetime.now(UTC))
    assert key == "key-1"
    assert creds.secret not in signed.body.decode() and creds.secret not in repr(signed)


# ---------------------------------------------------------------- tables


@pytest.mark.parametrize(("value", "status"), [
    (-1, OrderStatus.CANCELED), (0, OrderStatus.OPEN), (1, OrderStatus.PARTIALLY_FILLED),
    (2, OrderStatus.FILLED), (3, OrderStatus.CANCELING), (4, OrderStatus.REJECTED),
    ("5", OrderStatus.PENDING), ("-1", OrderStatus.CANCELED),
])
def test_status_table(value: Any, status: OrderStatus) -> None:
    """order_info.do's legend: 3 cancel request in process, 4 order failed, 5 order placing."""
    assert TABLES.status.decode(value) is status


@pytest.mark.parametrize(("value", "status"), [
    (4, OrderStatus.CANCELING), ("4", OrderStatus.CANCELING), (2, OrderStatus.FILLED),
    (-1, OrderStatus.CANCELED),
])
def test_order_history_numbers_cancel_in_process_4(value: Any, status: OrderStatus) -> None:
    """order_history.do's legend: 4 is "cancel request in process" there, not a failure."""
    row = loads(json.dumps({"amount": 0.1, "avg_price": 0, "create_date": 1418008467000,
                            "deal_amount": 0, "order_id": 10000591, "orders_id": 10000591,
                            "price": 500, "status": value, "symbol": "btc_usdt",
                            "type": "sell"}))
    history, info = (ADAPTER.endpoints[op].decode for op in ("iter_closed_orders",
                                                              "fetch_open_orders"))
    assert history(CTX, row).status is status
    assert (info(CTX, row).status is OrderStatus.REJECTED) == (str(value) == "4")


@pytest.mark.parametrize("value", [6, -2, "cancelled", None])
def test_unknown_status_is_a_decode_error(value: Any) -> None:
    with pytest.raises(DecodeError):
        TABLES.status.decode(value)


def test_the_whole_v1_error_table_is_in_the_spec_in_order() -> None:
    coded = [row.code for row in SPEC.errors if row.code is not None]
    assert coded == [str(c["code"]) for c in CODES] and len(coded) == 149


@pytest.mark.parametrize(("code", "http_status", "cls"), [
    ("10007", 200, AuthenticationError), ("10005", 200, AuthenticationError),
    ("20019", 200, PermissionDenied), ("10001", 200, RateLimited),
    ("1002", 200, InsufficientFunds), ("10010", 200, InsufficientFunds),
    ("10011", 200, InvalidOrder), ("1217", 200, InvalidOrder), ("10009", 200, OrderNotFound),
    ("1050", 200, OrderNotFound), ("1051", 200, OrderNotFound), ("10002", 200, VenueUnavailable),
    ("10008", 200, VenueError), (None, 403, RateLimited), (None, 502, VenueUnavailable),
])
def test_error_classes(code: str | None, http_status: int, cls: type[VenueError]) -> None:
    error = TABLES.errors.classify(http_status=http_status, code=code, message="")
    assert type(error) is cls


def test_retry_hints() -> None:
    frequency = TABLES.errors.classify(http_status=200, code="10001", message="")
    banned = TABLES.errors.classify(http_status=403, code=None, message="HTTP 403")
    assert isinstance(frequency, RateLimited) and frequency.retry_after == 2.0
    assert isinstance(banned, RateLimited) and banned.retry_after == 300.0


def unwrap(body: Any, status: int = 200) -> Any:
    raw = json.dumps(body).encode()
    return codec.unwrap(WireResponse(status, {}, raw), loads(raw))


@pytest.mark.parametrize(("body", "code"), [
    ({"result": False, "error_code": 10009}, "10009"),
    ({"error_code": 20029, "result": False}, "20029"),
    ({"error_code": 1007}, "1007"),
    ({"result": False}, None),
])
def test_errors_arrive_in_http_200_bodies(body: Any, code: str | None) -> None:
    with pytest.raises(VenueRejected) as caught:
        unwrap(body)
    assert caught.value.code == code


def test_refused_cancels_and_http_errors() -> None:
    with pytest.raises(VenueRejected) as caught:
        unwrap({"success": "", "error": "7,8"})
    assert type(TABLES.errors.classify(http_status=200, code=None,
                                       message=caught.value.message)) is OrderNotFound
    with pytest.raises(VenueRejected):
        unwrap(None, status=403)
    with pytest.raises(DecodeError):
        unwrap("oops")
    assert unwrap({"success": "7", "error": "8"}) == {"success": "7", "error": "8"}


# ---------------------------------------------------------------- encoding


def encode(op: str, **args: Any) -> dict[str, str]:
    full = {"symbol": "btc_usdt", "market": BTC_USDT, "post_only": False, "cost": None,
            "price": None, "amount": None, "since": None, "until": None, **args}
    parts = ADAPTER.endpoints[op].encode(CTX, full)
    return dict(parts.body or parts.query)


def test_order_bodies() -> None:
    limit = encode("create_order", type=OrderType.LIMIT, side=Side.SELL,
                   amount=Decimal("0.010"), price=Decimal("30000.5"))
    assert limit == {"symbol": "btc_usdt", "type": "sell", "price": "30000.5", "amount": "0.010"}
    buy = encode("create_order", type=OrderType.MARKET, side=Side.BUY, cost=Decimal("100"))
    assert buy == {"symbol": "btc_usdt", "type": "buy_market", "price": "100"}
    sell = encode("create_order", type=OrderType.MARKET, side=Side.SELL, amount=Decimal("1E-2"))
    assert sell == {"symbol": "btc_usdt", "type": "sell_market", "amount": "0.01"}
    with pytest.raises(NotSupported):
        encode("create_order", type=OrderType.LIMIT, side=Side.BUY, amount=Decimal(1),
               price=Decimal(1), post_only=True)


def test_batch_cancel_and_lookup_limits() -> None:
    order = {"type": OrderType.LIMIT, "side": Side.BUY, "amount": Decimal("0.01"),
             "price": Decimal(1), "post_only": False}
    data = json.loads(encode("create_orders", orders=[order] * 5)["orders_data"])
    assert data[0] == {"type": "buy", "price": "1", "amount": "0.01"} and len(data) == 5
    with pytest.raises(NotSupported):
        encode("create_orders", orders=[order] * 6)
    assert encode("cancel_orders", ids=["1", "2", "3"])["order_id"] == "1,2,3"
    with pytest.raises(NotSupported):
        encode("cancel_orders", ids=["1", "2", "3", "4"])
    with pytest.raises(NotSupported):
        encode("fetch_orders", ids=[str(i) for i in range(51)])
    assert encode("fetch_open_orders")["order_id"] == "-1"


def test_history_and_ledger_send_no_window_and_the_ledger_needs_a_currency() -> None:
    now = datetime.now(UTC)
    assert encode("iter_closed_orders", since=now) == {"symbol": "btc_usdt", "status": "1"}
    assert encode("iter_ledger", currency="USDT", until=now, variant="deposit") == {
        "symbol": "usdt", "type": "0"}
    assert encode("iter_ledger", currency="USDT", variant="withdrawal")["type"] == "1"
    assert SPEC.endpoints["iter_ledger"].variants == ("deposit", "withdrawal")
    assert SPEC.capabilities["history_time_filter"] is False  # the core filters the window
    with pytest.raises(NotSupported):
        encode("iter_ledger", currency=None, variant="deposit")
    with pytest.raises(NotSupported):  # a record type must be chosen: the answer cannot say
        encode("iter_ledger", currency="USDT")


# ---------------------------------------------------------------- decoding


def decode(op: str, body: Any) -> Any:
    return ADAPTER.endpoints[op].decode(CTX, loads(json.dumps(body)))


def test_json_numbers_are_exact_and_asks_come_back_ascending() -> None:
    book = codec.decode_book(CTX, loads(b'{"asks": [[792, 5], [787.27, 0.02]], '
                                        b'"bids": [[786.5, 0.014], [787.1, 0.35]]}'))
    assert [lv.price for lv in book.asks] == [Decimal("787.27"), Decimal("792")]
    assert [lv.price for lv in book.bids] == [Decimal("787.1"), Decimal("786.5")]
    trade = codec.decode_trades(CTX, loads(b'[{"date": "1367130137", "date_ms": '
                                           b'"1367130137000", "price": 787.71, "amount": '
                                           b'0.003, "tid": 230433, "type": "sell"}]'))[0]
    assert (trade.price, trade.amount, trade.id) == (Decimal("787.71"), Decimal("0.003"),
                                                     "230433")
    with pytest.raises(DecodeError):
        codec.decode_trades(CTX, [{"date_ms": "1", "price": 1.5, "amount": 1, "tid": "1",
                                   "type": "sell"}])  # a float never becomes money


def order(**over: Any) -> dict[str, Any]:
    return {"amount": 0.1, "avg_price": 0, "create_date": 1418008467000, "deal_amount": 0,
            "order_id": 10000591, "orders_id": 10000591, "price": 500, "status": 0,
            "symbol": "btc_usdt", "type": "sell", **over}


def test_orders() -> None:
    limit = decode("fetch_order", {"result": True, "orders": [order(status=1,
                                                                     deal_amount=0.04,
                                                                     avg_price=501)]})
    assert (limit.id, limit.side, limit.type, limit.status) == (
        "10000591", Side.SELL, OrderType.LIMIT, OrderStatus.PARTIALLY_FILLED)
    assert (limit.amount, limit.filled, limit.remaining) == (
        Decimal("0.1"), Decimal("0.04"), Decimal("0.06"))
    assert limit.cost == Decimal("20.04") and limit.created_at is not None
    # A market buy's price is what it may spend, its amount no order size.
    buy = codec.decode_order(CTX, loads(json.dumps(order(type="buy_market", price=100,
                                                         amount=0.003, deal_amount=0.003,
                                                         avg_price=30000, status=2))))
    assert (buy.price, buy.amount, buy.remaining) == (None, None, None)
    assert buy.cost == Decimal("90") and buy.average == Decimal("30000")
    with pytest.raises(OrderNotFound):
        decode("fetch_order", {"result": True, "orders": []})
    with pytest.raises(DecodeError):
        codec.decode_order(CTX, order(type="buy_limit"))


def test_batch_and_multi_cancel_answers() -> None:
    placed = decode("create_orders", {"order_info": [
        {"order_id": 41724206}, {"error_code": 10011, "order_id": -1},
        {"error_code": 1002, "order_id": -1}], "result": True})
    assert placed[0] == PlacedOrder(id="41724206")
    assert [type(p.error) for p in placed[1:]] == [InvalidOrder, InsufficientFunds]
    assert all(p.id == "-1" for p in placed[1:])
    canceled = decode("cancel_orders", {"success": "1,2", "error": "3"})
    assert [p.id for p in canceled] == ["1", "2", "3"]
    assert canceled[2].error is not None
    assert isinstance(canceled[2].error, OrderNotFound)
    assert decode("cancel_order", {"result": True, "order_id": "123"}) == PlacedOrder(id="123")


def test_ledger_records_take_the_answers_currency() -> None:
    payload = unwrap({"records": [{"addr": "1CWK", "amount": 0.5, "date": 1418008467000,
                                   "status": 0}], "symbol": "btc"})
    deposits = attrs.evolve(CTX, variant="deposit")
    entry = codec.decode_ledger(deposits, payload["records"][0])
    assert (entry.currency, entry.amount, entry.kind) == ("BTC", Decimal("0.5"),
                                                          "deposit_pending")
    assert entry.id == "deposit:BTC:1418008467000:1CWK:0.5" and entry.raw["addr"] == "1CWK"
    # The same record read as a withdrawal: money left the account; status 0 is pending.
    out = codec.decode_ledger(attrs.evolve(CTX, variant="withdrawal"), payload["records"][0])
    assert (out.amount, out.kind) == (Decimal("-0.5"), "withdrawal_pending")
    assert out.id.startswith("withdrawal:") and out.id != entry.id
    with pytest.raises(DecodeError):  # outside a deposit/withdrawal walk it cannot be read
        codec.decode_ledger(CTX, payload["records"][0])
    with pytest.raises(DecodeError):  # 2 is a withdrawal state, not a deposit state
        codec.decode_ledger(deposits, unwrap({"records": [{"amount": 1, "date": 1,
                                                           "status": 2}], "symbol": "btc"})
                            ["records"][0])


# ---------------------------------------------------------------- the local v1 venue


@pytest.mark.parametrize("venue", VENUE_IDS)
def test_local_venue_round_trip(venue: str) -> None:
    async def scenario() -> None:
        async with SimVenue(venue) as sim, unified.connect(
            venue, credentials=sim.credentials, base_url=sim.base_url
        ) as ex:
            markets = await ex.load_markets()
            assert sim.requests == {}  # static markets: no request
            assert markets["BTC/USDT"].min_amount == Decimal("0.01")
            assert markets["LTC/BTC"].min_amount == Decimal("0.1")
            symbol = "BTC/USDT"
            book = await ex.fetch_order_book(symbol, limit=3)
            assert len(book.asks) == 3 and book.asks[0].price < book.asks[1].price
            bought = await ex.create_order(symbol, OrderType.MARKET, Side.BUY, None,
                                           cost=Decimal("1000"), fetch=True)
            assert bought.status is OrderStatus.FILLED and bought.amount is None
            assert bought.filled > 0 and bought.cost <= Decimal("1000")
            sold = await ex.create_order(symbol, OrderType.MARKET, Side.SELL, Decimal("0.02"),
                                         fetch=True)
            assert sold.status is OrderStatus.FILLED and sold.filled == Decimal("0.02")
            resting = await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, Decimal("0.01"),
                                            Decimal("25000"))
            # one request; trade.do answers the id only: accepted, its state not reported
            assert resting.id.isdigit() and resting.status is OrderStatus.PENDING
            found = await ex._pipe.fetch("fetch_orders", await ex._markets.args(
                symbol, ids=[resting.id, bought.id]))
            assert [o.id for o in found] == [resting.id]  # type=0: unfilled ones only
            # "cancel order request successful, wait to be processed"
            assert (await ex.cancel_order(resting.id, symbol)).status is OrderStatus.CANCELING
            assert (await ex.fetch_order(resting.id, symbol)).status is OrderStatus.CANCELED
            closed = await ex.fetch_closed_orders(symbol)
            assert {o.id for o in closed} == {bought.id, sold.id, resting.id}
            deposits = [e async for e in ex.iter_ledger("USDT")]
            assert [e.kind for e in deposits] == ["deposit"]
            with pytest.raises(OrderNotFound):
                await ex.cancel_order("99999999", symbol)
    run(scenario())


def test_local_venue_batch_and_multi_cancel() -> None:
    async def scenario() -> None:
        async with SimVenue("okex_v1") as sim, unified.connect(
            "okex_v1", credentials=sim.credentials, base_url=sim.base_url
        ) as ex:
            good = {"type": OrderType.LIMIT, "side": Side.BUY, "amount": Decimal("0.01"),
                    "price": Decimal("25000"), "post_only": False}
            tiny = {**good, "amount": Decimal("0.001")}
            args = await ex._markets.args("BTC/USDT", orders=[good, tiny, good])
            placed = await ex._pipe.fetch("create_orders", args)
            assert [p.error is None for p in placed] == [True, False, True]
            assert isinstance(placed[1].error, InvalidOrder) and placed[1].error.code == "10011"
            ids = [placed[0].id, placed[2].id, "424242"]
            canceled = await ex._pipe.fetch("cancel_orders", await ex._markets.args("BTC/USDT",
                                                                              ids=ids))
            assert [p.id for p in canceled] == ids
            assert canceled[2].error is not None
            with pytest.raises(InvalidOrder):  # every item refused: result false
                await ex._pipe.fetch("create_orders", await ex._markets.args("BTC/USDT",
                                                                       orders=[tiny]))
    run(scenario())


def test_local_venue_speaks_v1_errors() -> None:
    async def scenario() -> None:
        async with SimVenue("okex_v1") as sim, unified.connect(
            "okex_v1", credentials=sim.credentials, base_url=sim.base_url
        ) as ex:
            with pytest.raises(InsufficientFunds) as funds:
                await ex.create_order("BTC/USDT", OrderType.LIMIT, Side.BUY, Decimal("100"),
                                      Decimal("29000"))
            assert funds.value.code == "1002" and funds.value.http_status == 200
            with pytest.raises(InvalidOrder):
                await ex.create_order("BTC/USDT", OrderType.LIMIT, Side.BUY, Decimal("0.001"),
                                      Decimal("29000"))
            # A POST whose parameters travel in the URL is not what the venue signed.
            request = WireRequest("POST", sim.base_url, "/api/v1/userinfo.do",
                                  query="symbol=btc_usdt")
            signed = ADAPTER.sign(request, sim.credentials, datetime.now(UTC))
            unsigned = WireRequest("POST", sim.base_url, "/api/v1/userinfo.do",
                                   query="page_length=1", body=signed.body,
                                   headers=signed.headers)
            answer = await ex._pipe.transport.send(unsigned, 5)
            assert answer.status == 200 and loads(answer.body) == {"result": False,
                                                                   "error_code": 10007}
    run(scenario())


def test_ip_ban_is_rate_limited_with_a_long_hint() -> None:
    async def scenario() -> None:
        waits: list[float] = []
        clock = ManualClock(datetime.now(UTC))

        async def sleep(seconds: float) -> None:
            waits.append(seconds)
            clock.advance(seconds)

        async with SimVenue("okex_v1") as sim, unified.connect(
            "okex_v1", credentials=sim.credentials, base_url=sim.base_url, sleep=sleep,
            clock=clock,
        ) as ex:
            sim.faults.add("status", op="fetch_ticker", status=403)
            with pytest.raises(RateLimited) as caught:
                await ex.fetch_ticker("BTC/USDT")
            assert caught.value.retry_after == 300.0 and caught.value.http_status == 403
            assert sim.requests["fetch_ticker"] == 1  # not hammered while banned
            # Banned past max_wait (30 s): the next call is refused at once, unsent, unslept.
            with pytest.raises(RateLimited, match="max_wait") as refused:
                await ex.fetch_ticker("BTC/USDT")
            assert refused.value.retry_after == pytest.approx(300.0)
            assert sim.requests["fetch_ticker"] == 1 and max(waits, default=0) < 30
            clock.advance(300)  # the ban has passed
            sim.faults.add("rate_limit", op="fetch_ticker")  # 10001 in an HTTP 200 body
            ticker = await ex.fetch_ticker("BTC/USDT")
            assert ticker.bid is not None and 2.0 in waits  # a short wait stays silent
    run(scenario())


@pytest.mark.parametrize("fault", ["drop_after", "status"])
def test_lost_create_is_found_by_matching_not_resent(fault: str) -> None:
    async def scenario() -> None:
        async with SimVenue("okex_v1") as sim, unified.connect(
            "okex_v1", credentials=sim.credentials, base_url=sim.base_url
        ) as ex:
            sim.faults.add(fault, op="create_order", status=502)
            placing = ex.create_order("BTC/USDT", OrderType.LIMIT, Side.BUY,
                                      Decimal("0.01"), Decimal("25000"))
            if fault == "status":  # the venue did not act: nothing matches, never resent
                with pytest.raises(AmbiguousOutcome) as lost:
                    await placing
                assert not any(o.account == "user" for o in sim.engine.orders.values())
                assert sim.requests["create_order"] == 1 and lost.value.client_order_id is None
                return
            order = await placing
            mine = [o for o in sim.engine.orders.values() if o.account == "user"]
            assert len(mine) == 1 and order.client_order_id is None
            assert (order.price, order.amount) == (Decimal("25000"), Decimal("0.01"))
            assert order.status is OrderStatus.OPEN  # found by matching (looked up)
            assert sim.requests["create_order"] == 1
            with pytest.raises(NotSupported):
                await ex.fetch_order_by_client_id("x", "BTC/USDT")
    run(scenario())


def test_history_pages_and_its_two_day_horizon() -> None:
    async def scenario() -> None:
        clock = ManualClock(datetime.now(UTC))
        async with SimVenue("okex_v1", clock=clock, enforce_limits=False) as sim, \
                unified.connect("okex_v1", credentials=sim.credentials,
                                base_url=sim.base_url, clock=clock) as ex:
            for i in range(7):
                o = await ex.create_order("BTC/USDT", OrderType.LIMIT, Side.BUY,
                                          Decimal("0.01"), Decimal(25000 - i))
                await ex.cancel_order(o.id, "BTC/USDT")
            pages = [p async for p in ex.iter_closed_orders("BTC/USDT", page_size=3).pages()]
            assert [len(p.items) for p in pages] == [3, 3, 1]
            assert isinstance(pages[-1].cursor, str)  # a sync point, not the end of it
            clock.advance(timedelta(days=2, minutes=1).total_seconds())
            assert await ex.fetch_closed_orders("BTC/USDT") == []
    run(scenario())


def test_a_history_walk_that_grows_between_pages_yields_each_order_once() -> None:
    """order_history.do lists newest first by page number: an order finished between two
    page reads shifts the list, and the last row of one page comes back atop the next."""
    async def scenario() -> None:
        async with SimVenue("okex_v1", enforce_limits=False) as sim, unified.connect(
                "okex_v1", credentials=sim.credentials, base_url=sim.base_url) as ex:
            async def closed_one(i: int) -> str:
                o = await ex.create_order("BTC/USDT", OrderType.LIMIT, Side.BUY,
                                          Decimal("0.01"), Decimal(25000 - i))
                await ex.cancel_order(o.id, "BTC/USDT")
                return o.id

            before = [await closed_one(i) for i in range(7)]
            seen: list[str] = []
            grown: list[str] = []
            async for page in ex.iter_closed_orders("BTC/USDT", page_size=3).pages():
                if not grown:
                    grown.append(await closed_one(7))  # newest first: later rows move down
                seen += [o.id for o in page.items]
            assert sorted(seen) == sorted(before)
            # a saved cursor of a first page, resumed once the list grew: the same rule
            walk = ex.iter_closed_orders("BTC/USDT", page_size=3).pages()
            first = await anext(walk)
            await walk.aclose()
            await closed_one(8)
            rest = [o.id async for o in ex.iter_closed_orders("BTC/USDT", page_size=3,
                                                              cursor=first.cursor)]
            ids = [o.id for o in first.items] + rest
            assert len(ids) == len(set(ids)) and set(ids) == {*before, *grown}

    run(scenario())


def test_ledger_walks_deposits_then_withdrawals_and_resumes_across_the_seam() -> None:
    async def scenario() -> None:
        async with SimVenue("okex_v1") as sim, unified.connect(
            "okex_v1", credentials=sim.credentials, base_url=sim.base_url
        ) as ex:
            for i in range(3):  # the paper account starts with one USDT deposit
                sim.engine.deposit("user", "USDT", Decimal(f"1{i}.5"))
            for i in range(4):
                sim.engine.deposit("user", "USDT", -Decimal(f"2{i}.25"), kind="withdrawal")
            before = sim.requests.get("iter_ledger", 0)
            entries = [e async for e in ex.iter_ledger("USDT", page_size=2)]
            assert sim.requests["iter_ledger"] - before == 6  # type=0: 2+2+0, then type=1: 2+2+0
            kinds = [e.kind for e in entries]
            assert kinds == ["deposit"] * 4 + ["withdrawal"] * 4
            assert sorted(e.amount for e in entries if e.kind == "withdrawal") == [
                Decimal("-23.25"), Decimal("-22.25"), Decimal("-21.25"), Decimal("-20.25")]
            assert len({e.id for e in entries}) == len(entries)
            # Resume from every page's cursor: exactly the rest, across the deposit/withdrawal seam.
            pages = [p async for p in ex.iter_ledger("USDT", page_size=2).pages()]
            for k, page in enumerate(pages):
                rest = [e async for e in ex.iter_ledger("USDT", page_size=2,
                                                        cursor=page.cursor)] \
                    if page.cursor else []
                assert [e.id for e in rest] == [e.id for p in pages[k + 1:] for e in p.items]
    run(scenario())


def test_create_orders_goes_through_batch_trade_in_fives() -> None:
    async def scenario() -> None:
        async with SimVenue("okex_v1") as sim, unified.connect(
            "okex_v1", credentials=sim.credentials, base_url=sim.base_url
        ) as ex:
            wanted = [unified.OrderRequest(type=OrderType.LIMIT, side=Side.SELL,
                                           amount=Decimal("0.01"),
                                           price=Decimal("90000") + i) for i in range(7)]
            results = await ex.create_orders(wanted, "BTC/USDT")
            assert sim.requests.get("create_orders") == 2 and "create_order" not in sim.requests
            assert [r.price for r in results if isinstance(r, unified.Order)] == [
                w.price for w in wanted]
    run(scenario())
