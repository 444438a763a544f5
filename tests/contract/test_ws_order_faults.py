"""The WebSocket order API through its faults (the local venue injects them): an order is never
placed twice and never reported wrongly; what cannot be established is AmbiguousOutcome."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

import unified
from unified import InsufficientFunds, OrderStatus, OrderType, Side, registry
from unified.clock import PacedClock
from unified.errors import AmbiguousOutcome, ConnectionFailed
from unified.sim.server import USER, SimVenue
from unified.sim.ws_api import OrderApi

from ..conftest import run
from .harness import paced

WS = [v for v in registry.venues() if registry.get(v).spec.capability("ws_order_api")]
PATIENCE_S = 20.0


@asynccontextmanager
async def venue(venue_id: str, **options: Any
                ) -> AsyncIterator[tuple[SimVenue, unified.Exchange, str, Decimal]]:
    """The venue, the client, its first market and a price well below the book."""
    async with paced(venue_id, **options) as (sim, ex, symbol):
        book = await ex.fetch_order_book(symbol, limit=1)
        yield sim, ex, symbol, ex.price_to_precision(symbol, book.bids[0].price * Decimal("0.9"))


def at_venue(sim: SimVenue, client_id: str) -> list[Any]:
    return [o for o in sim.engine.orders.values()
            if o.account == USER and o.client_id == client_id]


def order_api(sim: SimVenue) -> OrderApi:
    assert sim.order_api is not None
    return sim.order_api


#: the create operations, over REST and over the order API (as the local venue counts them)
REST_CREATES = ("create_order", "create_margin_order")
WS_CREATES = ("spot.order", "spot.sync_order", "margin.order")


def creates_sent(sim: SimVenue) -> int:
    """Every create that reached the venue, whichever way it came."""
    return (sum(sim.requests.get(op, 0) for op in REST_CREATES)
            + sum(order_api(sim).requests.get(op, 0) for op in WS_CREATES))


@pytest.mark.parametrize("venue_id", WS)
def test_a_lost_create_answer_is_found_by_client_id_not_resent(venue_id: str) -> None:
    async def go() -> None:
        async with venue(venue_id) as (sim, ex, symbol, price):
            api = order_api(sim)
            fault = api.faults.add("drop_after_accept")
            order = await ex.create_order_ws(symbol, OrderType.LIMIT, Side.BUY,
                                             Decimal("0.01"), price, client_order_id="lost1")
            assert fault.acted.is_set()
            assert order.client_order_id == "lost1" and order.status is OrderStatus.OPEN
            assert len(at_venue(sim, "lost1")) == 1
            assert creates_sent(sim) == 1  # one create reached the venue: nothing resent
            assert sim.requests.get("fetch_order_by_client_id", 0) >= 1  # looked up instead
            again = await ex.create_order_ws(symbol, OrderType.LIMIT, Side.BUY,
                                             Decimal("0.01"), price, client_order_id="next2")
            assert again.status is OrderStatus.OPEN  # a new session carries on

    run(go())


@pytest.mark.parametrize("venue_id", WS)
def test_a_late_answer_times_out_and_is_reconciled(venue_id: str) -> None:
    async def go() -> None:
        async with venue(venue_id, timeout=0.5) as (sim, ex, symbol, price):
            fault = sim.order_api.faults.add("delay")  # type: ignore[union-attr]
            order = await ex.create_order_ws(symbol, OrderType.LIMIT, Side.BUY,
                                             Decimal("0.01"), price, client_order_id="late1")
            fault.release()
            assert order.status is OrderStatus.OPEN
            assert len(at_venue(sim, "late1")) == 1

    run(go())


@pytest.mark.parametrize("venue_id", WS)
def test_a_refusal_maps_through_the_error_table(venue_id: str) -> None:
    async def go() -> None:
        async with venue(venue_id) as (sim, ex, symbol, price):
            sim.order_api.faults.add("reject", code="200004",  # type: ignore[union-attr]
                                     msg="Balance insufficient!")
            with pytest.raises(InsufficientFunds):
                await ex.create_order_ws(symbol, OrderType.LIMIT, Side.BUY, Decimal("0.01"),
                                         price, client_order_id="no1")
            assert at_venue(sim, "no1") == []

    run(go())


@pytest.mark.parametrize("venue_id", WS)
def test_an_expired_session_is_opened_again(venue_id: str) -> None:
    async def go() -> None:
        async with venue(venue_id) as (sim, ex, symbol, price):
            await ex.create_order_ws(symbol, OrderType.LIMIT, Side.BUY, Decimal("0.01"), price)
            fault = sim.order_api.faults.add("expire_session")  # type: ignore[union-attr]
            await fault.acted.wait()
            order = await ex.create_order_ws(symbol, OrderType.LIMIT, Side.BUY,
                                             Decimal("0.01"), price, client_order_id="exp1")
            assert len(at_venue(sim, "exp1")) == 1 and order.status is OrderStatus.OPEN
            assert ex._ws_orders.connection.connects == 2

    run(go())


@pytest.mark.parametrize("venue_id", WS)
def test_lost_cancel_is_repeated_and_lost_edit_is_looked_up(venue_id: str) -> None:
    async def go() -> None:
        async with venue(venue_id) as (sim, ex, symbol, price):
            order = await ex.create_order_ws(symbol, OrderType.LIMIT, Side.BUY,
                                             Decimal("0.01"), price, client_order_id="ed1")
            sim.order_api.faults.add("drop_after_accept")  # type: ignore[union-attr]
            edited = await ex.edit_order_ws(order.id, symbol, price=price - 1)
            assert (edited.client_order_id, edited.price) == ("ed1", price - 1)
            assert edited.id != order.id and edited.raw["replaced_order_id"] == order.id
            resting = await ex.fetch_open_orders(symbol)
            assert [o.id for o in resting if o.client_order_id == "ed1"] == [edited.id]
            sim.order_api.faults.add("drop_after_accept")  # type: ignore[union-attr]
            gone = await ex.cancel_order_ws("ed1", symbol, by_client_id=True)
            assert gone.status is OrderStatus.CANCELED
            assert not [o for o in await ex.fetch_open_orders(symbol)
                        if o.client_order_id == "ed1"]

    run(go())


@pytest.mark.parametrize("venue_id", WS)
def test_a_login_refused_as_skewed_resyncs_once_as_rest_does(venue_id: str) -> None:
    """The venue's clock 60 s ahead: the login's timestamp is refused (ClockSkew), the venue
    clock is measured once (one fetch_time, as a REST create would) and the login repeated."""
    async def go() -> None:
        async with venue(venue_id) as (sim, ex, symbol, price):
            sim.skew = timedelta(seconds=60)
            synced = sim.requests.get("fetch_time", 0)
            order = await ex.create_order_ws(symbol, OrderType.LIMIT, Side.BUY,
                                             Decimal("0.01"), price, client_order_id="skw1")
            assert order.status is OrderStatus.OPEN and len(at_venue(sim, "skw1")) == 1
            assert sim.requests.get("fetch_time", 0) == synced + 1
            assert abs(ex.clock.offset - timedelta(seconds=60)) < timedelta(seconds=5)
            assert ex._ws_orders.connection.connects == 1

    run(go())


@pytest.mark.parametrize("venue_id", WS)
def test_reconnect_backoff_waits_on_the_clients_sleep(venue_id: str) -> None:
    async def go() -> None:
        clock, waits = PacedClock(), []

        async def sleep(seconds: float) -> None:
            waits.append(seconds)
            await clock.sleep(seconds)

        async with SimVenue(venue_id, enforce_limits=False) as sim, unified.connect(
                venue_id, credentials=sim.credentials, base_url=sim.base_url, clock=clock,
                sleep=sleep) as ex:
            symbol = sim.personality.markets[0].symbol
            await ex.load_markets()
            price = ex.price_to_precision(symbol, sim.personality.markets[0].mid / 2)
            await sim.stop()  # nothing listens any more: each open fails
            for _ in range(2):
                with pytest.raises(ConnectionFailed) as failed:
                    await ex.create_order_ws(symbol, OrderType.LIMIT, Side.BUY,
                                             Decimal("0.01"), price)
                assert failed.value.request_sent is False
            assert len(waits) == 1 and waits[0] >= 0  # the second open backed off, paced

    run(go())


@pytest.mark.parametrize("venue_id", WS)
def test_a_lost_create_answer_that_cannot_be_looked_up_is_ambiguous_not_resent(
        venue_id: str) -> None:
    """The answer lost after the venue placed the order, and REST unreachable (every request
    answered 503): the lookups fail, so the outcome is AmbiguousOutcome with the client id,
    and no create is sent again, over either carrier."""
    async def go() -> None:
        async with venue(venue_id) as (sim, ex, symbol, price):
            order_api(sim).faults.add("drop_after_accept")
            down = sim.faults.add("status", times=10_000, status=503)
            with pytest.raises(AmbiguousOutcome) as unknown:
                await ex.create_order_ws(symbol, OrderType.LIMIT, Side.BUY, Decimal("0.01"),
                                         price, client_order_id="amb1")
            assert unknown.value.client_order_id == "amb1"
            assert sim.requests.get("fetch_order_by_client_id", 0) >= 2  # it did ask, again
            assert creates_sent(sim) == 1
            assert len(at_venue(sim, "amb1")) == 1  # the venue did place it, once
            assert [i.client_order_id for i in ex.pending()] == ["amb1"]
            sim.faults.pending.remove(down)

    run(go())


@pytest.mark.parametrize("venue_id", WS)
def test_unanswered_pings_close_the_session_and_the_next_order_reconnects(
        venue_id: str, caplog: pytest.LogCaptureFixture) -> None:
    """The client pings at the interval the welcome names; the venue stops answering them:
    the client gives up on that session after the ping timeout and opens a new one."""
    async def go() -> None:
        async with venue(venue_id) as (sim, ex, symbol, price):
            hub = order_api(sim).hub
            hub.ping_interval_ms, hub.ping_timeout_ms = 20, 100  # what the welcome will say
            muted = hub.faults.add("mute_pings")
            await ex.create_order_ws(symbol, OrderType.LIMIT, Side.BUY, Decimal("0.01"), price)
            rpc = ex._ws_orders.connection
            await asyncio.wait_for(muted.acted.wait(), PATIENCE_S)  # a ping went unanswered
            await asyncio.wait_for(rpc.ended.wait(), PATIENCE_S)
            assert "no pong within" in caplog.text
            order = await ex.create_order_ws(symbol, OrderType.LIMIT, Side.BUY,
                                             Decimal("0.01"), price, client_order_id="png1")
            assert order.status is OrderStatus.OPEN and len(at_venue(sim, "png1")) == 1
            assert rpc.connects == 2

    with caplog.at_level(logging.INFO, logger="unified.streams"):
        run(go())
