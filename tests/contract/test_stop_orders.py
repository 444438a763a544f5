"""Stop orders (DESIGN 3c) against every local venue, over real HTTP: placed, listed with their
stop price, looked up and canceled by id and client id, fired by the venue's own trades, and a
lost answer found before anything is sent again. A venue without them refuses before sending.
Never branches on a venue name: ex.supports("create_stop_order")."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import unified
from unified import (
    AmbiguousOutcome,
    ConfigurationError,
    InvalidOrder,
    NotSupported,
    OrderStatus,
    OrderType,
    Side,
    Trigger,
)
from unified.sim.server import USER, SimVenue, fund_user
from unified.sim.stops import CANCELLED, NEW, TRIGGERED, stop_book

from ..conftest import VENUES, run
from .harness import Session, sent
from .test_faults import manual_time

WITH_STOPS = [v for v in VENUES if "create_stop_order" in unified.registry.get(v).spec.endpoints]
#: spot stop orders (this suite drives the spot engine's stop book and wallets); a contract
#: venue's stops, on the last, mark or index price, are in test_derivatives.py
STOPS = [v for v in WITH_STOPS if not unified.registry.get(v).spec.capability("derivatives")]
OTHERS = [v for v in VENUES if v not in WITH_STOPS]


@asynccontextmanager
async def quiet(venue: str, **options: Any) -> AsyncIterator[Session]:
    """A local venue with an empty book and tape (so that the test's trades alone move the
    price), its user and two more accounts funded, and a client of it."""
    async with SimVenue(venue, seed=False, clock=options.pop("venue_clock", None)) as sim:
        for who in (USER, "b", "c"):
            fund_user(sim.engine, who)
        async with unified.connect(venue, credentials=sim.credentials, base_url=sim.base_url,
                                   **options) as ex:
            markets = await ex.load_markets()
            yield Session(sim, ex, markets[sim.personality.markets[0].symbol])


def trade_at(s: Session, price: Decimal) -> None:
    """A public trade at `price` between two other accounts (the venue's due work runs at its
    next request)."""
    amount = s.market.min_amount
    s.sim.engine.place("b", s.symbol, Side.BUY, OrderType.LIMIT, amount=amount, price=price)
    s.sim.engine.place("c", s.symbol, Side.SELL, OrderType.MARKET, amount=amount)


def base_held(s: Session) -> Decimal:
    return s.sim.engine.wallet(USER, s.market.base).held


async def stop_loss(s: Session, client_order_id: str | None = None) -> unified.Order:
    """Sell once the price falls to 90% of mid, at 89%."""
    return await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.SELL, s.amount,
                                   s.price("0.89"), stop_price=s.price("0.9"),
                                   trigger=Trigger.BELOW, client_order_id=client_order_id)


@pytest.mark.parametrize("venue", OTHERS)
def test_a_venue_without_stop_orders_refuses_before_sending(venue: str) -> None:
    async def scenario() -> None:
        async with quiet(venue) as s:
            before = sent(s)
            with pytest.raises(NotSupported):
                await stop_loss(s)
            assert sent(s) == before
    run(scenario())


@pytest.mark.parametrize("venue", STOPS)
def test_bad_stop_arguments_are_refused_before_sending(venue: str) -> None:
    async def scenario() -> None:
        async with quiet(venue) as s:
            before = sent(s)
            price, stop = s.price("0.89"), s.price("0.9")
            half_step = s.market.price_increment / 2
            for kwargs, error in (
                ({"stop_price": stop}, ConfigurationError),  # no trigger
                ({"trigger": Trigger.BELOW}, ConfigurationError),  # no stop price
                ({"stop_price": stop, "trigger": "below"}, ConfigurationError),
                ({"stop_price": -stop, "trigger": Trigger.BELOW}, ConfigurationError),
                ({"stop_price": stop + half_step, "trigger": Trigger.BELOW}, InvalidOrder),
                ({"stop_price": stop, "trigger": Trigger.BELOW, "test": True}, NotSupported),
            ):
                with pytest.raises(error):
                    await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.SELL, s.amount,
                                            price, **kwargs)
            assert sent(s) == before and stop_book(s.sim.engine).stops == {}
    run(scenario())


@pytest.mark.parametrize("venue", STOPS)
def test_a_stop_order_waits_listed_with_its_stop_price_holding_funds(venue: str) -> None:
    async def scenario() -> None:
        async with quiet(venue) as s:
            placed = await stop_loss(s, client_order_id="stopA1")
            assert placed.stop_price == s.price("0.9") and placed.client_order_id == "stopA1"
            assert base_held(s) == s.amount  # held while it waits, outside the book
            assert s.sim.engine.depth(s.symbol, 5) == ([], [])
            listed = await s.ex.fetch_open_orders(s.symbol)
            assert [(o.id, o.status, o.stop_price, o.price, o.amount) for o in listed] == [
                (placed.id, OrderStatus.OPEN, s.price("0.9"), s.price("0.89"), s.amount)]
            for found in (await s.ex.fetch_order(placed.id, s.symbol),
                          await s.ex.fetch_order_by_client_id("stopA1", s.symbol)):
                assert (found.id, found.side, found.stop_price, found.status) == (
                    placed.id, Side.SELL, s.price("0.9"), OrderStatus.OPEN)
    run(scenario())


@pytest.mark.parametrize("venue", STOPS)
def test_a_trade_reaching_the_stop_places_it_as_an_ordinary_order(venue: str) -> None:
    async def scenario() -> None:
        async with quiet(venue) as s:
            placed = await stop_loss(s)
            trade_at(s, s.price("0.95"))  # above the stop: it keeps waiting
            assert (await s.ex.fetch_order(placed.id, s.symbol)).stop_price is not None
            trade_at(s, s.price("0.9"))
            order = await s.ex.fetch_order(placed.id, s.symbol)  # the venue fired it first
            assert stop_book(s.sim.engine).stops[placed.id].status == TRIGGERED
            assert (order.id, order.status, order.price, order.amount) == (
                placed.id, OrderStatus.OPEN, s.price("0.89"), s.amount)
            assert order.stop_price is None  # an ordinary order now, resting in the book
            listed = await s.ex.fetch_open_orders(s.symbol)
            assert [(o.id, o.stop_price) for o in listed] == [(placed.id, None)]
    run(scenario())


@pytest.mark.parametrize("venue", STOPS)
@pytest.mark.parametrize("by_client_id", [False, True])
@pytest.mark.parametrize("reported", [True, False])
def test_cancel_a_waiting_stop(venue: str, by_client_id: bool, reported: bool) -> None:
    """By id or client id; reported by this client or not (another client cancels it)."""
    async def scenario() -> None:
        async with quiet(venue) as s:
            placed = await stop_loss(s, client_order_id="stopC1")
            ex = s.ex
            if not reported:
                ex = unified.connect(venue, credentials=s.sim.credentials,
                                     base_url=s.sim.base_url)
            try:
                if by_client_id:
                    after = await ex.cancel_order_by_client_id("stopC1", s.symbol)
                else:
                    after = await ex.cancel_order(placed.id, s.symbol)
            finally:
                if ex is not s.ex:
                    await ex.close()
            assert (after.id, after.status, after.stop_price, after.filled) == (
                placed.id, OrderStatus.CANCELED, s.price("0.9"), 0)
            assert stop_book(s.sim.engine).stops[placed.id].status == CANCELLED
            assert base_held(s) == 0 and await s.ex.fetch_open_orders(s.symbol) == []
            trade_at(s, s.price("0.8"))
            await s.ex.fetch_open_orders(s.symbol)  # a request: the venue's due work runs
            assert placed.id not in s.sim.engine.orders  # never fired
    run(scenario())


@pytest.mark.parametrize("venue", STOPS)
@pytest.mark.parametrize("symbol_given", [True, False])
def test_cancel_all_orders_cancels_the_waiting_stops_too(venue: str, symbol_given: bool
                                                         ) -> None:
    async def scenario() -> None:
        async with quiet(venue) as s:
            stop = await stop_loss(s)
            resting = await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                              s.price("0.5"))
            canceled = await s.ex.cancel_all_orders(s.symbol if symbol_given else None)
            assert {o.id for o in canceled} == {stop.id, resting.id}
            assert next(o for o in canceled if o.id == stop.id).status is OrderStatus.CANCELED
            assert await s.ex.fetch_open_orders(s.symbol) == []
            assert stop_book(s.sim.engine).waiting(USER) == [] and base_held(s) == 0
    run(scenario())


@pytest.mark.parametrize("venue", STOPS)
@pytest.mark.parametrize("fault", ["drop_after", "reset", "status"])
def test_a_lost_stop_create_places_exactly_one(venue: str, fault: str) -> None:
    """drop_after: placed, found by client id; reset / 502 before acting: sent once more."""
    async def scenario() -> None:
        async with quiet(venue, **manual_time()) as s:
            s.sim.faults.add(fault, op="create_stop_order", status=502)
            placed = await stop_loss(s, client_order_id="stopL1")
            at_venue = [x for x in stop_book(s.sim.engine).stops.values()
                        if x.client_id == "stopL1"]
            assert len(at_venue) == 1 and at_venue[0].status == NEW
            assert placed.id == at_venue[0].id and placed.stop_price == s.price("0.9")
            assert s.sim.requests["create_stop_order"] == (1 if fault == "drop_after" else 2)
            assert s.ex.pending() == []
    run(scenario())


@pytest.mark.parametrize("venue", STOPS)
def test_a_stop_create_whose_outcome_stays_unknown_is_recovered_from_the_journal(
        venue: str, tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"

    async def scenario() -> None:
        async with quiet(venue, journal=journal, **manual_time()) as s:
            s.sim.faults.add("drop_after", op="create_stop_order")
            s.sim.faults.add("status", op="fetch_order_by_client_id", status=503, times=50)
            with pytest.raises(AmbiguousOutcome):
                await stop_loss(s, client_order_id="stopR1")
            assert [i.op for i in s.ex.pending()] == ["create_stop_order"]
            s.sim.faults.clear()
            settled = await s.ex.reconcile()
            assert [r.order.client_order_id if r.order else None for r in settled] == ["stopR1"]
            assert s.ex.pending() == [] and len(stop_book(s.sim.engine).stops) == 1
    run(scenario())
