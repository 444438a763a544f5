"""Stop orders enforced on a local venue (unified.sim.stops): a stop waits outside the book
holding funds, fires on a public trade that reaches its price in its direction, is then an
ordinary order under its own id, and funds are conserved throughout."""

from __future__ import annotations

import pytest

from unified.models import OrderStatus, OrderType, Side, Trigger
from unified.sim.book import Engine, EngineError
from unified.sim.stops import CANCELLED, NEW, TRIGGERED, SimStop, stop_book
from unified.sim.triggers import run_due

from .helpers import D, engine, held, limit, trade_at


def stop_loss(e: Engine, *, stop: str = "90", price: str | None = "89", amount: str = "0.01",
              who: str = "a", client_id: str | None = "s1", id: str = "vs1") -> SimStop:
    """Sell 0.01 BTC at 89 once the price falls to 90 (a market sell without a price)."""
    return stop_book(e).place(
        who, "BTC/USDT", Side.SELL, OrderType.LIMIT if price else OrderType.MARKET, id=id,
        stop_price=D(stop), trigger=Trigger.BELOW, amount=D(amount),
        price=D(price) if price else None, client_id=client_id)


def test_a_waiting_stop_holds_its_funds_outside_the_book() -> None:
    e, _ = engine()
    totals = e.totals()
    stop = stop_loss(e)
    assert held(e, "a", "BTC") == D("0.01") and e.totals() == totals
    assert "vs1" not in e.orders and e.depth("BTC/USDT", 5) == ([], [])
    assert stop_book(e).waiting("a") == [stop] and stop.status == NEW


def test_a_buy_stop_holds_price_times_amount_plus_the_fee() -> None:
    e, _ = engine()
    market = e.markets["BTC/USDT"]
    stop_book(e).place("a", "BTC/USDT", Side.BUY, OrderType.LIMIT, id="vs2",
                       stop_price=D(120), trigger=Trigger.ABOVE, amount=D("0.01"), price=D(121))
    assert held(e, "a", "USDT") == D(121) * D("0.01") * (1 + max(market.maker_fee,
                                                                market.taker_fee))


@pytest.mark.parametrize(("trigger", "stop", "prices", "fires_at"), [
    (Trigger.BELOW, "90", ["95", "90.1", "90"], 2),  # falls to it
    (Trigger.BELOW, "90", ["95", "85"], 1),  # through it
    (Trigger.ABOVE, "110", ["105", "109.9", "110"], 2),  # rises to it
    (Trigger.ABOVE, "110", ["100", "95"], None),  # never
])
def test_it_fires_on_the_first_trade_that_reaches_it_in_its_direction(
        trigger: Trigger, stop: str, prices: list[str], fires_at: int | None) -> None:
    e, _ = engine()
    side = Side.SELL if trigger is Trigger.BELOW else Side.BUY
    placed = stop_book(e).place("a", "BTC/USDT", side, OrderType.LIMIT, id="vs3",
                                stop_price=D(stop), trigger=trigger, amount=D("0.01"),
                                price=D(stop), client_id="c3")
    for i, price in enumerate(prices):
        trade_at(e, price)
        assert placed.status == (TRIGGERED if fires_at is not None and i >= fires_at else NEW)
    if fires_at is not None:
        order = e.orders["vs3"]  # an ordinary order now, under the stop's id and client id
        assert (order.side, order.price, order.amount, order.client_id) == (
            side, D(stop), D("0.01"), "c3")
        assert e.get_by_client_id("a", "c3") is order


def test_trades_before_it_was_placed_do_not_fire_it() -> None:
    e, _ = engine()
    limit(e, "b", Side.BUY, "0.001", "80")
    e.place("c", "BTC/USDT", Side.SELL, OrderType.MARKET, amount=D("0.001"))  # trades at 80
    stop = stop_loss(e)  # placed after that trade, before any due run
    run_due(e)
    assert stop.status == NEW


def test_firing_gives_the_hold_back_and_the_order_holds_again_conserving_funds() -> None:
    e, _ = engine()
    stop = stop_loss(e, price="95")  # rests above the market once fired
    totals = e.totals()
    trade_at(e, "90")
    assert stop.status == TRIGGERED and e.totals() == totals
    order = e.orders[stop.id]
    assert order.is_open and order.held == D("0.01") and held(e, "a", "BTC") == D("0.01")


def test_a_market_stop_fires_into_the_book() -> None:
    e, _ = engine()
    stop = stop_loss(e, price=None, amount="0.002")
    limit(e, "b", Side.BUY, "0.01", "89")  # what it will sell into
    trade_at(e, "90")
    assert stop.status == TRIGGERED
    assert e.orders[stop.id].status is OrderStatus.FILLED


def test_cancel_gives_the_hold_back_and_it_never_fires() -> None:
    e, _ = engine()
    stop = stop_loss(e)
    book = stop_book(e)
    assert book.cancel("a", "s1", by_client=True) is stop
    assert stop.status == CANCELLED and held(e, "a", "BTC") == 0
    trade_at(e, "80")
    assert "vs1" not in e.orders and book.waiting("a") == []
    with pytest.raises(EngineError, match="already CANCELLED"):
        book.cancel("a", "vs1")


def test_a_stop_refused_at_its_trigger_ends_cancelled() -> None:
    e, _ = engine()
    # a market buy by amount holds nothing while it waits: its owner spends the money meanwhile
    stop = stop_book(e).place("a", "BTC/USDT", Side.BUY, OrderType.MARKET, id="vs4",
                              stop_price=D(110), trigger=Trigger.ABOVE, amount=D("0.01"))
    assert held(e, "a", "USDT") == 0
    e.deposit("a", "USDT", -e.wallet("a", "USDT").available, kind="withdrawal")
    limit(e, "b", Side.SELL, "0.1", "111")  # what it would buy from
    trade_at(e, "110")
    assert stop.status == CANCELLED and "vs4" not in e.orders


@pytest.mark.parametrize("bad", [
    {"stop_price": D("90.05")}, {"stop_price": D(0)}, {"amount": D("0.00001")},
    {"amount": D(1000)},  # more than the account holds
])
def test_bad_stops_are_refused_and_hold_nothing(bad: dict[str, object]) -> None:
    e, _ = engine()
    args: dict[str, object] = {"id": "vs9", "stop_price": D(90), "trigger": Trigger.BELOW,
                               "amount": D("0.01"), "price": D(89), **bad}
    with pytest.raises(EngineError):
        stop_book(e).place("a", "BTC/USDT", Side.SELL, OrderType.LIMIT, **args)  # type: ignore[arg-type]
    assert held(e, "a", "BTC") == 0 and stop_book(e).waiting("a") == []


def test_a_client_id_is_used_once() -> None:
    e, _ = engine()
    stop_loss(e)
    with pytest.raises(EngineError, match="already used"):
        stop_loss(e, id="vs2")
