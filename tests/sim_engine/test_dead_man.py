"""The dead-man switch on a local venue (unified.sim.triggers; KuCoin's Set / Get DCP): it fires
at its trigger time and not before, on its symbols only, through the engine's own cancel."""

from __future__ import annotations

from datetime import timedelta

import pytest

from unified.models import OrderStatus, Side
from unified.sim import events as ev
from unified.sim import triggers
from unified.sim.book import EngineError
from unified.sim.triggers import run_due

from .helpers import call, engine, held, kucoin, limit


def test_it_fires_exactly_at_the_trigger_time_on_its_symbols_only() -> None:
    e, clock = engine()
    btc = [limit(e, "a", Side.BUY, "0.01", "90"), limit(e, "a", Side.SELL, "0.01", "110")]
    eth = limit(e, "a", Side.BUY, "0.1", "9", "ETH/USDT")
    others = limit(e, "b", Side.BUY, "0.01", "90")
    totals = e.totals()
    seen: list[ev.EngineEvent] = []
    e.events.listen(seen.append)
    switch = triggers.arm(e, "a", 10, ("BTC/USDT",))
    assert (switch.set_at, switch.fires_at) == (clock.now(), clock.now() + timedelta(seconds=10))
    clock.advance(9.999)
    run_due(e)
    assert all(o.is_open for o in [*btc, eth, others]) and not seen
    clock.advance(0.001)  # exactly the trigger time
    run_due(e)
    assert [o.status for o in btc] == [OrderStatus.CANCELED] * 2
    assert eth.is_open and others.is_open  # another symbol, another account
    assert triggers.switch_of(e, "a") is None  # unset once fired
    # as an owner's cancel: canceled events, holds released
    assert sorted(x.order.id for x in seen if isinstance(x, ev.OrderChanged)
                  and x.kind == ev.CANCELED) == sorted(o.id for o in btc)
    assert any(isinstance(x, ev.BalanceChanged) and x.reason == "release" for x in seen)
    assert held(e, "a", "BTC") == 0
    assert held(e, "a", "USDT") == eth.held
    assert e.totals() == totals
    clock.advance(100)
    run_due(e)
    assert eth.is_open  # it fired once


def test_no_symbols_means_every_symbol() -> None:
    e, clock = engine()
    orders = [limit(e, "a", Side.BUY, "0.01", "90"),
              limit(e, "a", Side.BUY, "0.1", "9", "ETH/USDT")]
    triggers.arm(e, "a", 5)
    clock.advance(5)
    run_due(e)
    assert not any(o.is_open for o in orders)
    assert held(e, "a", "USDT") == 0


def test_arming_again_postpones_it_and_the_last_setting_wins() -> None:
    e, clock = engine()
    btc = limit(e, "a", Side.BUY, "0.01", "90")
    eth = limit(e, "a", Side.BUY, "0.1", "9", "ETH/USDT")
    triggers.arm(e, "a", 10, ("BTC/USDT",))
    clock.advance(8)
    triggers.arm(e, "a", 10, ("ETH/USDT",))  # from now: fires at 18, on ETH only
    clock.advance(2)
    run_due(e)
    assert btc.is_open and eth.is_open
    clock.advance(7.5)
    run_due(e)
    assert eth.is_open
    clock.advance(0.5)
    run_due(e)
    assert btc.is_open and not eth.is_open


def test_clearing_it_and_accounts_apart() -> None:
    e, clock = engine()
    mine, theirs = limit(e, "a", Side.BUY, "0.01", "90"), limit(e, "b", Side.BUY, "0.01", "90")
    triggers.arm(e, "a", 10)
    triggers.arm(e, "b", 20)
    triggers.disarm(e, "a")
    clock.advance(15)
    run_due(e)
    assert mine.is_open and theirs.is_open
    clock.advance(5)
    run_due(e)
    assert mine.is_open and not theirs.is_open


def test_orders_placed_after_arming_go_too() -> None:
    e, clock = engine()
    triggers.arm(e, "a", 10)
    clock.advance(5)
    late = limit(e, "a", Side.BUY, "0.01", "90")
    clock.advance(5)
    run_due(e)
    assert late.status is OrderStatus.CANCELED


# ---------------------------------------------------------------- KuCoin's Set / Get DCP


def test_kucoin_set_and_get_dcp() -> None:
    sim = kucoin()
    now = int(sim.now().timestamp())
    assert call(sim, "fetch_cancel_all_orders_after").body == {"code": "200000", "data": {}}
    armed = call(sim, "cancel_all_orders_after",
                 body={"timeout": 5, "symbols": "BTC-USDT,ETH-USDT"}).body
    assert armed == {"code": "200000", "data": {"currentTime": now, "triggerTime": now + 5}}
    assert call(sim, "fetch_cancel_all_orders_after").body == {"code": "200000", "data": {
        "timeout": 5, "symbols": "BTC-USDT,ETH-USDT", "currentTime": now,
        "triggerTime": now + 5}}
    assert call(sim, "fetch_cancel_all_orders_after", account="other").body["data"] == {}
    call(sim, "cancel_all_orders_after", body={"timeout": 30})
    shown = call(sim, "fetch_cancel_all_orders_after").body["data"]
    assert (shown["timeout"], shown["symbols"], shown["triggerTime"]) == (30, "", now + 30)
    assert call(sim, "cancel_all_orders_after", body={"timeout": -1}).body["data"] == {}
    assert call(sim, "fetch_cancel_all_orders_after").body["data"] == {}


def test_kucoin_dcp_fires_before_the_request_that_finds_it_due() -> None:
    sim = kucoin()
    placed = call(sim, "create_order", body={
        "clientOid": "dcp1", "side": "buy", "symbol": "BTC-USDT", "type": "limit",
        "price": "20000", "size": "0.001"}).body["data"]
    call(sim, "cancel_all_orders_after", body={"timeout": 5, "symbols": "BTC-USDT"})
    sim.clock.advance(5)  # type: ignore[attr-defined]
    assert call(sim, "fetch_cancel_all_orders_after").body["data"] == {}  # fired, unset
    order = sim.engine.orders[placed["orderId"]]
    assert order.status is OrderStatus.CANCELED and order.held == 0
    listed = call(sim, "fetch_open_orders", query={"symbol": "BTC-USDT"}).body["data"]
    assert listed == []


@pytest.mark.parametrize("body", [{"timeout": 4}, {"timeout": 86401}, {"timeout": 0},
                                  {"timeout": "5"}, {"timeout": True}, {},
                                  {"timeout": 5, "symbols": "NOPE-USDT"}])
def test_kucoin_dcp_refuses_bad_settings(body: dict[str, object]) -> None:
    sim = kucoin()
    with pytest.raises(EngineError):
        call(sim, "cancel_all_orders_after", body=body)
    assert triggers.switch_of(sim.engine, "user") is None


def test_the_switch_needs_a_positive_timeout() -> None:
    e, _ = engine()
    with pytest.raises(ValueError):
        triggers.arm(e, "a", 0)
    with pytest.raises(EngineError):
        triggers.arm(e, "a", 5, ("NOPE/USDT",))
    assert triggers.switch_of(e, "a") is None
