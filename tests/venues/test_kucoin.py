"""KuCoin: the sync create / cancel answers, the HF batch create, cancel-all, the full book, sells
by funds and the markets' quote step, against the documented answers and the local venue."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import unified
from adapters.kucoin import codec
from adapters.kucoin.endpoints import ENDPOINTS
from unified import (
    ConfigurationError,
    DuplicateClientOrderId,
    InsufficientFunds,
    InvalidOrder,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    VenueError,
)
from unified.models import Market
from unified.sim.server import SimVenue
from unified.spec import load_spec
from unified.tables import Tables
from unified.venue import Context, PlacedOrder, ReportedState

from ..conftest import ROOT, run
from ..contract.harness import Session, sent, session
from ..replay.test_sim_shapes import mismatches

SPEC = load_spec("kucoin")
BTC_USDT = Market(symbol="BTC/USDT", venue_symbol="BTC-USDT", base="BTC", quote="USDT",
                  price_increment=Decimal("0.1"), amount_increment=Decimal("0.00000001"),
                  min_amount=Decimal("0.00001"), min_cost=Decimal("0.1"), active=True,
                  cost_increment=Decimal("0.000001"))
CTX = Context("kucoin", Tables(SPEC), {"BTC/USDT": BTC_USDT}, {"BTC-USDT": BTC_USDT})
EXAMPLES = ROOT / "adapters" / "kucoin" / "examples"


def example(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EXAMPLES / name).read_text())
    return loaded


def data(name: str) -> Any:
    return example(name)["response"]["data"]


# ---------------------------------------------------------------- the documented answers


def test_the_sync_create_answer_reports_the_state() -> None:
    state = codec.decode_placed(CTX, data("post_api_v1_hf_orders_sync.json"))
    assert isinstance(state, ReportedState)
    assert (state.id, state.client_order_id, state.status, state.filled) == (
        "67111a7cb7cbdf000703e1f6", "5c52e11203aa677f33e493f", OrderStatus.OPEN, 0)
    assert state.created_at is not None and state.updated_at is not None
    plain = codec.decode_placed(CTX, data("post_api_v1_hf_orders.json"))  # the plain form
    assert type(plain) is PlacedOrder and plain.id == "670fd33bf9406e0007ab3945"


@pytest.mark.parametrize(("answer", "status"), [
    ({"status": "open", "dealSize": "0"}, OrderStatus.OPEN),
    ({"status": "open", "dealSize": "0.4"}, OrderStatus.PARTIALLY_FILLED),
    ({"status": "done", "dealSize": "1"}, OrderStatus.FILLED),
    ({"status": "done", "dealSize": "0.4", "canceledSize": "0.6"}, OrderStatus.CANCELED),
    ({"status": "done", "dealSize": "0", "canceledSize": "0"}, OrderStatus.CANCELED),
])
def test_sync_states_are_named_from_status_and_sizes(answer: dict[str, str],
                                                     status: OrderStatus) -> None:
    payload = {"orderId": "1", "remainSize": "0", "canceledSize": "0", **answer}
    state = codec.decode_canceled(CTX, payload)
    assert isinstance(state, ReportedState) and state.status is status
    assert state.filled == Decimal(answer["dealSize"])


def test_the_sync_cancel_answers_decode() -> None:
    by_id = codec.decode_canceled(CTX, data("delete_api_v1_hf_orders_sync_orderId.json"))
    assert isinstance(by_id, ReportedState) and by_id.status is OrderStatus.CANCELED
    assert by_id.id == "671128ee365ccb0007534d45"
    by_client = codec.decode_canceled(
        CTX, data("delete_api_v1_hf_orders_sync_client_order_clientOid.json"))
    assert isinstance(by_client, ReportedState) and by_client.status is OrderStatus.CANCELED
    assert (by_client.id, by_client.client_order_id) == ("", "5c52e11203aa677f33e493fb")
    with pytest.raises(unified.DecodeError):
        codec.decode_canceled(CTX, {"status": "gone", "dealSize": "0", "remainSize": "0",
                                    "canceledSize": "0", "orderId": "1"})


def test_batch_items_are_placed_or_refused_in_place() -> None:
    placed, refused = codec.decode_batch(CTX, data("post_api_v1_hf_orders_multi.json"))
    assert (placed.id, placed.client_order_id, placed.error) == (
        "6710d8336afcdb0007319c27", "client order id 12", None)
    assert isinstance(refused.error, InvalidOrder)
    assert "0.1 USDT" in refused.error.message
    words = {"Balance insufficient!": InsufficientFunds,
             "validation.createOrder.clientOidDuplicated": DuplicateClientOrderId}
    for message, error in words.items():
        (item,) = codec.decode_batch(CTX, [{"success": False, "failMsg": message}])
        assert isinstance(item.error, error)
    with pytest.raises(unified.DecodeError):
        codec.decode_batch(CTX, {"orderList": []})


def test_the_batch_body_takes_five_limit_orders_at_most() -> None:
    one = {"symbol": "BTC-USDT", "market": BTC_USDT, "type": OrderType.LIMIT, "side": Side.BUY,
           "amount": Decimal("0.001"), "price": Decimal("20000"), "cost": None,
           "client_order_id": "a1", "time_in_force": None, "post_only": False}
    body = codec.encode_batch(CTX, {"orders": [one] * 5}).body
    assert [o["clientOid"] for o in body["orderList"]] == ["a1"] * 5
    for orders in ([one] * 6, [{**one, "type": OrderType.MARKET, "price": None}]):
        with pytest.raises(unified.NotSupported):
            codec.encode_batch(CTX, {"orders": orders})


def test_a_market_sell_by_cost_sends_funds() -> None:
    body = codec.encode_create(CTX, {
        "symbol": "BTC-USDT", "type": OrderType.MARKET, "side": Side.SELL, "amount": None,
        "price": None, "cost": Decimal("25.5"), "client_order_id": "a1",
        "time_in_force": None, "post_only": False}).body
    assert (body["side"], body["funds"]) == ("sell", "25.5") and "size" not in body


def test_markets_carry_the_quote_step() -> None:
    markets = codec.decode_markets(CTX, data("get_api_v2_symbols.json"))
    assert markets[0].cost_increment == Decimal("0.000001")


@pytest.mark.parametrize(("name", "expected"), [
    ("delete_api_v1_hf_orders.json", None),
    ("delete_api_v1_hf_orders_cancelAll.json", []),
    ("get_api_v1_hf_orders_active_symbols.json", ["ETH/USDT", "BTC/USDT"]),
])
def test_the_plain_answers_decode(name: str, expected: Any) -> None:
    doc = json.loads((EXAMPLES / "acks" / name).read_text())
    decoded = unified.connect("kucoin")._pipe.decode(doc["op"], doc["response"]["data"])
    assert decoded == expected


def test_a_venue_wide_cancel_all_names_the_markets_it_refused() -> None:
    (error,) = codec.decode_cancel_everywhere(CTX, {
        "succeedSymbols": ["ETH-USDT"], "failedSymbols": [{"symbol": "BTC-USDT",
                                                          "error": "system busy"}]})
    assert isinstance(error, VenueError) and "BTC-USDT" in error.message


# ---------------------------------------------------------------- the local KuCoin


def answer_of(s: Session, op: str) -> Any:
    return s.sim.answers[op]


def test_the_local_venue_answers_in_the_documented_shapes() -> None:
    async def scenario() -> dict[str, Any]:
        async with session("kucoin") as s:
            ex, symbol = s.ex, s.symbol
            s.sim.engine.seed_book(levels=120)
            await ex._pipe.fetch("fetch_order_book_full", await ex._markets.args(symbol))
            await ex.create_orders([OrderRequest(type=OrderType.LIMIT, side=Side.BUY,
                                                 amount=s.amount, price=s.price("0.9"))], symbol)
            await ex.cancel_all_orders(symbol)
            await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, s.amount, s.price("0.9"))
            await ex.cancel_all_orders()
            one = await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                        s.price("0.9"))
            await ex.cancel_order(one.id, symbol)
            two = await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                        s.price("0.9"))
            assert two.client_order_id is not None
            await ex.cancel_order_by_client_id(two.client_order_id, symbol)
            return dict(s.sim.answers)

    answers = run(scenario())
    checked = 0
    for path in [*EXAMPLES.glob("*.json"), *(EXAMPLES / "acks").glob("*.json")]:
        doc = json.loads(Path(path).read_text())
        if doc["expect"].startswith("error:") or doc["op"] not in answers:
            continue
        checked += 1
        assert not mismatches(doc["response"], answers[doc["op"]]), path.name
    assert checked >= 10
    for op in ("create_order", "cancel_order", "create_orders", "cancel_all_orders",
               "cancel_all_orders_everywhere", "fetch_open_order_symbols",
               "fetch_order_book_full"):
        assert op in answers, op


def test_the_full_book_is_signed_and_deeper_than_100() -> None:
    async def scenario() -> None:
        async with session("kucoin") as s:
            s.sim.engine.seed_book(levels=160)
            args = await s.ex._markets.args(s.symbol)
            before = sent(s)
            book = await s.ex._pipe.fetch("fetch_order_book_full", args)
            assert sent(s) - before == 1
            assert len(book.bids) >= 160 and len(book.asks) >= 160
            assert book.bids[0].price < book.asks[0].price
            async with unified.connect("kucoin", base_url=s.sim.base_url) as anonymous:
                with pytest.raises(ConfigurationError, match="credentials"):
                    await anonymous._pipe.fetch("fetch_order_book_full", args)
            assert sent(s) - before == 1  # refused before sending
    run(scenario())


def test_a_refused_batch_item_is_its_typed_error_in_place() -> None:
    async def scenario() -> None:
        async with session("kucoin") as s:
            price = s.price("0.9")
            orders = [OrderRequest(type=OrderType.LIMIT, side=Side.BUY, amount=s.amount,
                                   price=price, client_order_id="dup1"),
                      OrderRequest(type=OrderType.LIMIT, side=Side.BUY, amount=s.amount,
                                   price=price, client_order_id="dup1"),
                      OrderRequest(type=OrderType.LIMIT, side=Side.BUY,
                                   amount=s.amount * 10**9, price=price)]
            first, second, third = await s.ex.create_orders(orders, s.symbol)
            assert isinstance(first, unified.Order) and first.client_order_id == "dup1"
            assert isinstance(second, DuplicateClientOrderId)
            assert isinstance(third, InsufficientFunds)
            assert s.sim.requests["create_orders"] == 1 and len(s.orders_at_venue()) == 1
    run(scenario())


def test_the_plain_forms_are_still_served() -> None:
    """Bots that place with POST /api/v1/hf/orders (ids only) keep working on the local venue."""
    async def scenario() -> None:
        async with session("kucoin") as s:
            args = await s.ex._markets.args(
                s.symbol, type=OrderType.LIMIT, side=Side.BUY, amount=s.amount,
                price=s.price("0.9"), cost=None, client_order_id="plain1",
                time_in_force=None, post_only=False)
            placed = await s.ex._pipe.fetch("create_order_ack", args)
            assert type(placed) is PlacedOrder and placed.client_order_id == "plain1"
            canceled = await s.ex._pipe.fetch("cancel_order_ack", await s.ex._markets.args(
                s.symbol, id=placed.id))
            assert type(canceled) is PlacedOrder and canceled.id == placed.id
            assert s.orders_at_venue()[0].status is OrderStatus.CANCELED
    run(scenario())


def test_a_second_local_venue_has_no_open_symbols() -> None:
    async def scenario() -> None:
        async with SimVenue("kucoin") as sim, unified.connect(
                "kucoin", credentials=sim.credentials, base_url=sim.base_url) as ex:
            await ex.load_markets()
            assert await ex._pipe.fetch("fetch_open_order_symbols") == []
    run(scenario())


def test_cancel_all_everywhere_asks_which_markets_first() -> None:
    """Venue-wide: the waiting stop orders (one request: none), the markets with open orders
    (one request), their open orders, then one cancelAll (weight 30) only if any market holds
    one."""
    async def scenario() -> None:
        async with session("kucoin") as s:
            assert await s.ex.cancel_all_orders() == []
            assert s.sim.requests == {"load_markets": 1, "fetch_open_order_symbols": 1,
                                      "iter_open_stop_orders": 1}
            placed = await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                             s.price("0.9"))
            (canceled,) = await s.ex.cancel_all_orders()
            assert (canceled.id, canceled.status) == (placed.id, OrderStatus.CANCELING)
            assert s.sim.requests["cancel_all_orders_everywhere"] == 1
            assert s.sim.requests["fetch_open_orders"] == 1  # only the market named
    run(scenario())


# ---------------------------------------------------------------- DESIGN 3d on KuCoin


def test_the_alter_body_and_its_new_id() -> None:
    """POST /api/v1/hf/orders/alter: orderId, newPrice / newSize as text; answers newOrderId."""
    body = codec.encode_alter(CTX, {"symbol": "BTC-USDT", "id": "670fd33bf9406e0007ab3945",
                                    "price": Decimal("30000"), "amount": None}).body
    assert body == {"symbol": "BTC-USDT", "orderId": "670fd33bf9406e0007ab3945",
                    "newPrice": "30000"}
    placed = codec.decode_altered(CTX, data("post_api_v1_hf_orders_alter.json"))
    assert placed == PlacedOrder(id="67112258f9406e0007408827",
                                 client_order_id="client order id 12")


def test_the_dead_man_body_clears_with_minus_one() -> None:
    """Set DCP: timeout -1 (unset) or 5..86400; symbols comma separated; triggerTime in s."""
    assert codec.encode_dead_cancel(CTX, {"seconds": 0, "symbols": []}).body == {"timeout": -1}
    assert codec.encode_dead_cancel(CTX, {"seconds": 5, "symbols": ["BTC-USDT", "ETH-USDT"]}
                                    ).body == {"timeout": 5, "symbols": "BTC-USDT,ETH-USDT"}
    fires = codec.decode_dead_cancel(CTX, data("post_api_v1_hf_orders_dead_cancel_all.json"))
    assert fires is not None and int(fires.timestamp()) == 1729656593
    assert codec.decode_dead_cancel(CTX, {}) is None


def test_oco_answers_decode_with_their_legs() -> None:
    pair = codec.decode_oco(CTX, data("get_api_v3_oco_order_details_orderId.json"))
    assert (pair.id, pair.status, pair.symbol) == ("674c3b6e688dea0007c7bab2",
                                                   OrderStatus.OPEN, "BTC/USDT")
    assert [(leg.id, leg.price, leg.raw["stopPrice"]) for leg in pair.legs] == [
        ("vs93gpqc7dn6h3fa003sfelj", Decimal("94000"), "94000.00000000000000000000"),
        ("vs93gpqc7dn6h3fa003sfelk", Decimal("96000"), "98000.00000000000000000000")]
    plain = codec.decode_oco(CTX, data("get_api_v3_oco_client_order_clientOid.json"))
    assert plain.legs == ()
    for status, unified_status in (("DONE", OrderStatus.FILLED),
                                   ("TRIGGERED", OrderStatus.OPEN),
                                   ("CANCELLED", OrderStatus.CANCELED)):
        assert CTX.tables.oco_status.decode(status) is unified_status
    with pytest.raises(unified.DecodeError):
        CTX.tables.oco_status.decode("EXPIRED")  # never a silent default


def test_the_oco_body_sends_every_required_field() -> None:
    body = codec.encode_oco(CTX, {
        "symbol": "BTC-USDT", "side": Side.BUY, "amount": Decimal("0.1"),
        "price": Decimal("94000"), "stop_price": Decimal("98000"),
        "limit_price": Decimal("96000"), "client_order_id": "c1"}).body
    assert body == {"symbol": "BTC-USDT", "side": "buy", "price": "94000", "size": "0.1",
                    "stopPrice": "98000", "limitPrice": "96000", "clientOid": "c1",
                    "tradeType": "TRADE"}


def test_edit_test_create_and_oco_on_the_wire() -> None:
    """One alter then one lookup of the new id; a test create is one request to
    /api/v1/hf/orders/test and places nothing; an OCO create then its detail lookup."""
    async def scenario() -> None:
        async with session("kucoin") as s:
            old = await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                          s.price("0.9"), client_order_id="keep-me")
            before = dict(s.sim.requests)
            new = await s.ex.edit_order(old.id, s.symbol, price=s.price("0.8"))
            assert new.id != old.id and new.client_order_id == "keep-me"
            assert s.sim.requests["edit_order"] == 1
            assert s.sim.requests["fetch_order"] == before.get("fetch_order", 0) + 1
            found = await s.ex.fetch_order_by_client_id("keep-me", s.symbol)
            assert found.id == new.id  # the replacement carries the client id
            tested = await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.SELL, s.amount,
                                             s.price("1.2"), test=True)
            with pytest.raises(unified.OrderNotFound):
                await s.ex.fetch_order(tested.id, s.symbol)  # "cannot be queried"
            pair = await s.ex.create_oco_order(s.symbol, Side.SELL, s.amount, s.price("1.2"),
                                               s.price("0.8"), s.price("0.79"))
            assert s.sim.requests["create_oco_order"] == 1
            assert s.sim.requests["fetch_oco_order"] == 1
            assert len(pair.legs) == 2 and s.sim.requests.get("fetch_oco_order_by_client_id") \
                is None  # looked up by client id only when an answer is lost
    run(scenario())


# ------------------------------------------------ a lookup of an order the venue does not know

NULL = b'{"code": "200000", "data": null}'
#: the by-id / by-clientOid lookups; an answer of data null says the venue knows no such order
LOOKUPS = ("fetch_order", "fetch_order_by_client_id", "fetch_margin_order",
           "fetch_margin_order_by_client_id", "fetch_stop_order")


@pytest.mark.parametrize("op", LOOKUPS)
def test_a_lookup_answered_null_is_order_not_found(op: str) -> None:
    decode = ENDPOINTS[op].decode
    assert decode is not None
    with pytest.raises(unified.OrderNotFound):
        decode(CTX, None)


def test_a_null_item_of_a_listing_is_still_a_decode_error() -> None:
    with pytest.raises(unified.DecodeError) as caught:
        codec.decode_order(CTX, None)
    assert not isinstance(caught.value, unified.OrderNotFound)


def test_unknown_orders_answered_null_are_not_found_through_the_client() -> None:
    """fetch_order asks the ordinary, stop and margin lookups in turn (each past
    OrderNotFound only); a create whose answer was lost is looked up by client id, found
    missing, then sent again: once placed."""
    async def scenario() -> None:
        async with session("kucoin") as s:
            for op in LOOKUPS:
                s.sim.faults.add("status", op=op, status=200, body=NULL)
            with pytest.raises(unified.OrderNotFound):
                await s.ex.fetch_order("6717422bd51c29000775ea03", s.symbol)
            with pytest.raises(unified.OrderNotFound):
                await s.ex.fetch_order_by_client_id("never-sent", s.symbol)
            assert not s.sim.faults.pending  # each lookup was asked, and answered null
            s.sim.faults.add("reset", op="create_order")  # lost before the venue acted
            s.sim.faults.add("status", op="fetch_order_by_client_id", status=200, body=NULL)
            order = await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                            s.price("0.9"), client_order_id="lost-once")
            assert [o.client_id for o in s.orders_at_venue()] == ["lost-once"]
            assert order.client_order_id == "lost-once"
            assert s.sim.requests["create_order"] == 2
    run(scenario())
