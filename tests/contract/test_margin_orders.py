"""Margin orders (DESIGN 3c: create_order(margin_mode=)) against every local venue, over real
HTTP: placed into the venue's margin system with its borrow options, apart from spot (listed by
mode, looked up and canceled through the ordinary calls), a lost answer found by client id over
REST and WebSocket alike. A venue without them refuses before sending. Never branches on a
venue name: ex.supports("create_margin_order")."""

from __future__ import annotations

import pytest

import unified
from adapters.kucoin import sim_orders
from unified import (
    ConfigurationError,
    MarginMode,
    NotSupported,
    OrderStatus,
    OrderType,
    Side,
    Trigger,
)

from ..conftest import VENUES, run
from .harness import Session, sent, session
from .test_faults import manual_time

MARGIN = [v for v in VENUES if "create_margin_order" in unified.registry.get(v).spec.endpoints]
OTHERS = [v for v in VENUES if v not in MARGIN]


async def margin_buy(s: Session, mode: MarginMode = MarginMode.CROSS, **more: object
                     ) -> unified.Order:
    return await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                   s.price("0.9"), margin_mode=mode, **more)  # type: ignore[arg-type]


def trade_type(s: Session, order_id: str) -> str:
    shown: str = sim_orders.shown(s.sim.engine, order_id)["tradeType"]
    return shown


def test_some_venue_has_margin_orders() -> None:
    assert MARGIN  # else the tests below would test nothing


@pytest.mark.parametrize("venue", OTHERS)
def test_a_venue_without_margin_orders_refuses_before_sending(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            before = sent(s)
            with pytest.raises(NotSupported):
                await margin_buy(s)
            with pytest.raises(NotSupported):
                await s.ex.fetch_open_orders(s.symbol, margin_mode=MarginMode.CROSS)
            assert sent(s) == before
    run(scenario())


@pytest.mark.parametrize("venue", MARGIN)
def test_bad_margin_arguments_are_refused_before_sending(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            before = sent(s)
            for kwargs, error in (
                ({"margin_mode": "cross"}, ConfigurationError),
                ({"auto_borrow": True}, ConfigurationError),  # needs margin_mode
                ({"margin_mode": MarginMode.CROSS, "auto_repay": 1}, ConfigurationError),
                ({"margin_mode": MarginMode.CROSS, "test": True}, NotSupported),
                ({"margin_mode": MarginMode.CROSS, "stop_price": s.price("0.8"),
                  "trigger": Trigger.BELOW}, ConfigurationError),
            ):
                with pytest.raises(error):
                    await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                            s.price("0.9"), **kwargs)  # type: ignore[arg-type]
            with pytest.raises(ConfigurationError):  # listed by market
                await s.ex.fetch_open_orders(margin_mode=MarginMode.CROSS)
            assert sent(s) == before
    run(scenario())


@pytest.mark.parametrize("venue", MARGIN)
@pytest.mark.parametrize(("mode", "shown"), [(MarginMode.CROSS, "MARGIN_TRADE"),
                                              (MarginMode.ISOLATED, "MARGIN_ISOLATED_TRADE")])
def test_a_margin_order_lives_apart_from_spot(venue: str, mode: MarginMode, shown: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            placed = await margin_buy(s, mode, auto_borrow=True, client_order_id="mrg1")
            assert trade_type(s, placed.id) == shown
            assert await s.ex.fetch_open_orders(s.symbol) == []  # not a spot order
            other = next(m for m in MarginMode if m is not mode)
            assert await s.ex.fetch_open_orders(s.symbol, margin_mode=other) == []
            (listed,) = await s.ex.fetch_open_orders(s.symbol, margin_mode=mode)
            assert (listed.id, listed.status, listed.price) == (
                placed.id, OrderStatus.OPEN, s.price("0.9"))
            for found in (await s.ex.fetch_order(placed.id, s.symbol),
                          await s.ex.fetch_order_by_client_id("mrg1", s.symbol)):
                assert (found.id, found.client_order_id) == (placed.id, "mrg1")
            canceled = await s.ex.cancel_order(placed.id, s.symbol)
            assert canceled.status in (OrderStatus.CANCELING, OrderStatus.CANCELED)
            assert not s.sim.engine.orders[placed.id].is_open
            assert await s.ex.fetch_open_orders(s.symbol, margin_mode=mode) == []
    run(scenario())


@pytest.mark.parametrize("venue", MARGIN)
def test_cancel_a_margin_order_by_client_id_from_another_client(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            placed = await margin_buy(s, client_order_id="mrg2")
            async with unified.connect(venue, credentials=s.sim.credentials,
                                       base_url=s.sim.base_url) as other:
                after = await other.cancel_order_by_client_id("mrg2", s.symbol)
            assert (after.id, after.status) == (placed.id, OrderStatus.CANCELED)
    run(scenario())


@pytest.mark.parametrize("venue", MARGIN)
@pytest.mark.parametrize("fault", ["drop_after", "reset", "status"])
def test_a_lost_margin_create_places_exactly_one(venue: str, fault: str) -> None:
    """drop_after: placed, found by client id; reset / 502 before acting: sent once more."""
    async def scenario() -> None:
        async with session(venue, **manual_time()) as s:
            s.sim.faults.add(fault, op="create_margin_order", status=502)
            placed = await margin_buy(s, client_order_id="mrgL1")
            at_venue = [o for o in s.orders_at_venue() if o.client_id == "mrgL1"]
            assert len(at_venue) == 1 and at_venue[0].id == placed.id
            assert trade_type(s, placed.id) == "MARGIN_TRADE"
            assert s.sim.requests["create_margin_order"] == (1 if fault == "drop_after" else 2)
            assert s.ex.pending() == []
    run(scenario())


@pytest.mark.parametrize("venue", [v for v in MARGIN
                                   if unified.registry.get(v).spec.capability("ws_order_api")])
def test_a_lost_margin_answer_over_websocket_is_found_over_rest(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue, **manual_time()) as s:
            assert s.sim.order_api is not None
            fault = s.sim.order_api.faults.add("drop_after_accept")
            order = await s.ex.create_order_ws(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                               s.price("0.9"), client_order_id="mrgW1",
                                               margin_mode=MarginMode.CROSS)
            assert fault.acted.is_set()
            assert order.client_order_id == "mrgW1" and order.status is OrderStatus.OPEN
            assert len([o for o in s.orders_at_venue() if o.client_id == "mrgW1"]) == 1
            assert s.sim.requests["fetch_margin_order_by_client_id"] >= 1
    run(scenario())
