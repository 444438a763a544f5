"""OCO pairs enforced on a local venue (unified.sim.oco): the limit leg is a real order, the
stop leg fires on a public trade through its stop price, one cancels the other, funds are
conserved, and everything happens in the venue's due work."""

from __future__ import annotations

from decimal import Decimal

import pytest

from unified.models import OrderStatus, OrderType, Side
from unified.sim.book import Engine, EngineError
from unified.sim.oco import CANCELLED, DONE, NEW, TRIGGERED, SimOco, oco_book
from unified.sim.triggers import run_due

from .helpers import D, call, engine, held, kucoin, limit, trade_at


def sell_pair(e: Engine, size: str = "0.01", *, price: str = "110", stop: str = "90",
              limit_price: str = "89", client_id: str = "p1", who: str = "a") -> SimOco:
    """Take profit at 110, or once 90 trades, sell at 89."""
    return oco_book(e).place(who, "BTC/USDT", Side.SELL, price=D(price), size=D(size),
                             stop_price=D(stop), limit_price=D(limit_price),
                             client_id=client_id)


def test_the_limit_leg_is_a_real_order_holding_funds() -> None:
    e, _ = engine()
    pair = sell_pair(e)
    leg = e.orders[pair.leg_ids[0]]
    assert (leg.account, leg.side, leg.price, leg.amount, leg.is_open) == (
        "a", Side.SELL, D(110), D("0.01"), True)
    assert held(e, "a", "BTC") == D("0.01")
    assert pair.leg_ids[1] not in e.orders  # the stop leg waits, holding nothing
    assert (pair.status, pair.leg_status) == (NEW, [NEW, NEW])


def test_a_filled_limit_leg_cancels_the_stop_leg() -> None:
    e, _ = engine()
    pair = sell_pair(e)
    limit(e, "b", Side.BUY, "0.01", "110")  # takes the limit leg
    run_due(e)
    assert (pair.status, pair.leg_status) == (DONE, [DONE, CANCELLED])
    trade_at(e, "80")  # through the stop, too late: nothing fires
    assert [o for o in e.open_orders("a")] == [] and pair.placed_id is None


def test_a_trade_through_the_stop_fires_it() -> None:
    e, _ = engine()
    pair = sell_pair(e, limit_price="95")  # once fired, rests above the market
    trade_at(e, "90.1")  # not yet: above the stop
    assert pair.status == NEW
    totals = e.totals()
    limit(e, "b", Side.BUY, "0.001", "90")
    e.place("c", "BTC/USDT", Side.SELL, OrderType.MARKET, amount=D("0.001"))  # trades at 90
    assert pair.status == NEW  # only the due work fires it
    run_due(e)
    assert e.totals() == totals  # a cancel and a placement: nothing made or lost
    assert (pair.status, pair.leg_status) == (TRIGGERED, [CANCELLED, TRIGGERED])
    assert e.orders[pair.leg_ids[0]].status is OrderStatus.CANCELED
    assert pair.placed_id is not None
    placed = e.orders[pair.placed_id]
    assert (placed.side, placed.price, placed.amount, placed.is_open) == (
        Side.SELL, D(95), D("0.01"), True)
    assert held(e, "a", "BTC") == D("0.01")
    limit(e, "b", Side.BUY, "0.01", "95")
    run_due(e)
    assert (pair.status, pair.leg_status) == (DONE, [CANCELLED, DONE])


def test_a_buy_pair_fires_at_or_above_its_stop() -> None:
    e, _ = engine()
    pair = oco_book(e).place("a", "BTC/USDT", Side.BUY, price=D(90), size=D("0.01"),
                             stop_price=D(110), limit_price=D(120), client_id="b1")
    trade_at(e, "109.9")
    assert pair.status == NEW
    limit(e, "b", Side.SELL, "0.001", "110")
    e.place("c", "BTC/USDT", Side.BUY, OrderType.MARKET, amount=D("0.001"))
    run_due(e)
    assert pair.placed_id is not None
    placed = e.orders[pair.placed_id]
    assert (placed.side, placed.price, placed.amount) == (Side.BUY, D(120), D("0.01"))
    assert pair.status == TRIGGERED  # nothing left to buy from: it rests at 120


def test_a_partly_filled_limit_leg_leaves_the_stop_armed_for_the_rest() -> None:
    e, _ = engine()
    pair = sell_pair(e)
    limit(e, "b", Side.BUY, "0.004", "110")
    run_due(e)
    assert (pair.status, oco_book(e).stop_size(pair)) == (NEW, D("0.006"))
    trade_at(e, "90")
    assert pair.placed_id is not None
    leg, placed = e.orders[pair.leg_ids[0]], e.orders[pair.placed_id]
    assert (leg.status, leg.filled, leg.canceled_amount) == (OrderStatus.CANCELED, D("0.004"),
                                                             D("0.006"))
    assert (placed.amount, placed.price) == (D("0.006"), D(89))
    assert oco_book(e).stop_size(pair) == D("0.006")


def test_a_fired_order_that_crosses_trades_at_once() -> None:
    e, _ = engine()
    pair = sell_pair(e)
    limit(e, "b", Side.BUY, "0.05", "89.5")  # a deep bid above the limit price
    trade_at(e, "90")
    assert pair.placed_id is not None
    assert e.orders[pair.placed_id].status is OrderStatus.FILLED
    assert (pair.status, pair.leg_status) == (DONE, [CANCELLED, DONE])  # one due run


def test_cancelling_the_pair_cancels_its_live_legs() -> None:
    e, _ = engine()
    book = oco_book(e)
    pair = sell_pair(e)
    cancelled, ids = book.cancel("a", pair.id)
    assert (cancelled, ids) == (pair, list(pair.leg_ids))
    assert (pair.status, pair.leg_status) == (CANCELLED, [CANCELLED, CANCELLED])
    assert e.orders[pair.leg_ids[0]].status is OrderStatus.CANCELED
    assert held(e, "a", "BTC") == 0
    with pytest.raises(EngineError) as again:
        book.cancel("a", pair.id)
    assert again.value.kind == "not_cancelable"
    trade_at(e, "80")
    assert e.open_orders("a") == []


def test_cancelling_a_triggered_pair_cancels_the_fired_order() -> None:
    e, _ = engine()
    book = oco_book(e)
    pair = sell_pair(e, limit_price="95", client_id="t1")
    trade_at(e, "90")
    assert pair.status == TRIGGERED and pair.placed_id is not None
    _, ids = book.cancel("a", "t1", by_client=True)
    assert ids == [pair.leg_ids[1]]
    assert e.orders[pair.placed_id].status is OrderStatus.CANCELED
    assert (pair.status, pair.leg_status) == (CANCELLED, [CANCELLED, CANCELLED])
    assert held(e, "a", "BTC") == 0


def test_an_owner_cancel_of_a_leg_ends_the_pair() -> None:
    e, _ = engine()
    pair = sell_pair(e)
    e.cancel("a", pair.leg_ids[0])
    run_due(e)
    assert (pair.status, pair.leg_status) == (CANCELLED, [CANCELLED, CANCELLED])
    trade_at(e, "80")
    assert e.open_orders("a") == []


def test_insufficient_funds_refuse_the_pair() -> None:
    e, _ = engine()
    e.deposit("poor", "BTC", D("0.005"))
    book = oco_book(e)
    with pytest.raises(EngineError) as refused:
        sell_pair(e, who="poor")
    assert refused.value.kind == "insufficient_funds"
    assert book.listed("poor", None) == [] and e.open_orders("poor") == []
    assert held(e, "poor", "BTC") == 0
    e.deposit("poor", "BTC", D("0.005"))
    assert sell_pair(e, who="poor").status == NEW  # the client id was not taken


def test_a_refused_trigger_cancels_the_pair_and_keeps_funds() -> None:
    e, _ = engine()
    e.deposit("lean", "USDT", D("1"))  # buys 0.01 at 90 with fees; not at 120
    pair = oco_book(e).place("lean", "BTC/USDT", Side.BUY, price=D(90), size=D("0.01"),
                             stop_price=D(100), limit_price=D(120), client_id="l1")
    totals = e.totals()
    limit(e, "b", Side.SELL, "0.001", "100")
    e.place("c", "BTC/USDT", Side.BUY, OrderType.MARKET, amount=D("0.001"))
    run_due(e)
    assert (pair.status, pair.leg_status, pair.placed_id) == (CANCELLED,
                                                              [CANCELLED, CANCELLED], None)
    assert e.totals() == totals
    assert e.wallet("lean", "USDT").available == D(1) and held(e, "lean", "USDT") == 0


def test_pairs_fire_in_creation_order() -> None:
    e, _ = engine()
    first = sell_pair(e, limit_price="95", client_id="f1")
    second = sell_pair(e, limit_price="96", client_id="f2")
    trade_at(e, "90")
    assert first.placed_id is not None and second.placed_id is not None
    assert e.orders[first.placed_id].seq < e.orders[second.placed_id].seq
    assert oco_book(e).listed("a", "BTC/USDT") == [second, first]  # newest first


def test_a_repeated_client_id_is_refused() -> None:
    e, _ = engine()
    sell_pair(e, client_id="same")
    with pytest.raises(EngineError) as refused:
        sell_pair(e, client_id="same")
    assert refused.value.kind == "duplicate_client_id"
    assert len(e.open_orders("a")) == 1


# ---------------------------------------------------------------- KuCoin's OCO answers


def test_kucoin_details_show_each_leg() -> None:
    sim = kucoin()
    placed = call(sim, "create_oco_order", body={
        "clientOid": "k1", "side": "sell", "symbol": "BTC-USDT", "price": "33000",
        "size": "0.001", "stopPrice": "29000", "limitPrice": "29500"}).body["data"]
    pair = oco_book(sim.engine).get("user", placed["orderId"])
    sim.engine.deposit("b", "USDT", D(100_000))
    sim.engine.deposit("c", "BTC", D(1))
    sim.engine.place("b", "BTC/USDT", Side.BUY, OrderType.LIMIT, amount=D("0.0004"),
                     price=D(33000))  # a partial fill of the limit leg
    sim.engine.place("b", "BTC/USDT", Side.BUY, OrderType.LIMIT, amount=D("0.001"),
                     price=D(29000))
    call(sim, "create_order", account="c", body={
        "clientOid": "c1", "side": "sell", "symbol": "BTC-USDT", "type": "market",
        "size": "0.001"})  # trades at 29000: the stop fires after this request
    details = call(sim, "fetch_oco_order", match={"id": pair.id}).body["data"]
    assert details["status"] == TRIGGERED
    assert details["orders"] == [
        {"id": pair.leg_ids[0], "symbol": "BTC-USDT", "side": "sell", "price": "33000",
         "stopPrice": "33000", "size": "0.001", "status": CANCELLED},
        {"id": pair.leg_ids[1], "symbol": "BTC-USDT", "side": "sell", "price": "29500",
         "stopPrice": "29000", "size": "0.0006", "status": TRIGGERED},
    ]
    assert pair.placed_id is not None
    assert sim.engine.orders[pair.placed_id].amount == Decimal("0.0006")
    cancelled = call(sim, "cancel_oco_order_by_client_id", match={"id": "k1"}).body
    assert cancelled == {"code": "200000", "data": {"cancelledOrderIds": [pair.leg_ids[1]]}}
    again = call(sim, "cancel_oco_order", match={"id": pair.id}).body
    assert again == {"code": "400100", "msg": "order_not_exist_or_not_allow_to_cancel"}


def test_kucoin_refuses_a_pair_it_cannot_fund() -> None:
    sim = kucoin()
    with pytest.raises(EngineError) as refused:
        call(sim, "create_oco_order", body={
            "clientOid": "k2", "side": "sell", "symbol": "BTC-USDT", "price": "33000",
            "size": "1000", "stopPrice": "29000", "limitPrice": "29500"})
    answer = sim.personality.render_error(sim, None, refused.value)  # type: ignore[arg-type]
    assert answer.body == {"code": "200004", "msg": "Balance insufficient!"}
    assert oco_book(sim.engine).listed("user", None) == []
