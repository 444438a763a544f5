"""create_order_ws / edit_order_ws / cancel_order_ws (DESIGN 3b) against the local venue's order
API over a real WebSocket: the same results and rules as REST, on every venue whose spec has
`ws_order_api`; NotSupported on the others."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from decimal import Decimal

import pytest

import unified
from adapters.kucoin import sim_orders
from unified import InsufficientFunds, MarginMode, OrderStatus, OrderType, Side, registry
from unified.errors import ConfigurationError, NotSupported
from unified.sim.server import USER, SimVenue

from ..conftest import run
from .harness import paced

WS = [v for v in registry.venues() if registry.get(v).spec.capability("ws_order_api")]
WS_MARGIN = [v for v in WS if "create_margin_order" in registry.get(v).spec.endpoints]
REST_ONLY = [v for v in registry.venues() if v not in WS]
PATIENCE_S = 20.0


@asynccontextmanager
async def venue(venue_id: str) -> AsyncIterator[tuple[SimVenue, unified.Exchange, str]]:
    async with paced(venue_id) as (sim, ex, symbol):
        yield sim, ex, symbol


async def low_price(ex: unified.Exchange, symbol: str) -> Decimal:
    book = await ex.fetch_order_book(symbol, limit=1)
    return ex.price_to_precision(symbol, book.bids[0].price * Decimal("0.9"))


def test_some_venue_has_the_order_api() -> None:
    assert WS


@pytest.mark.parametrize("venue_id", WS)
def test_a_ws_order_is_the_venues_order(venue_id: str) -> None:
    async def go() -> None:
        async with venue(venue_id) as (_, ex, symbol):
            price = await low_price(ex, symbol)
            order = await ex.create_order_ws(symbol, OrderType.LIMIT, Side.BUY,
                                             Decimal("0.01"), price, client_order_id="wsA1")
            assert (order.status, order.price, order.amount, order.client_order_id) == (
                OrderStatus.OPEN, price, Decimal("0.01"), "wsA1")
            assert {"inTime", "outTime"} <= set(order.raw)
            seen = await ex.fetch_order(order.id, symbol)  # over REST
            assert (seen.status, seen.client_order_id) == (OrderStatus.OPEN, "wsA1")
            ack = await ex.create_order_ws(symbol, OrderType.LIMIT, Side.BUY, Decimal("0.01"),
                                           price, sync=False)
            assert ack.status is OrderStatus.PENDING
            assert (await ex.fetch_order(ack.id, symbol)).status is OrderStatus.OPEN

    run(go())


@pytest.mark.parametrize("venue_id", WS)
def test_edit_and_cancel_over_ws(venue_id: str) -> None:
    async def go() -> None:
        async with venue(venue_id) as (_, ex, symbol):
            price = await low_price(ex, symbol)
            order = await ex.create_order_ws(symbol, OrderType.LIMIT, Side.BUY,
                                             Decimal("0.01"), price)
            moved = await ex.edit_order_ws(order.id, symbol, price=price - 1)
            assert moved.id != order.id and moved.price == price - 1
            assert moved.raw["replaced_order_id"] == order.id
            assert {"inTime", "outTime"} <= set(moved.raw)  # the order API's answer, kept
            assert moved.raw["op"] == "spot.modify"
            assert (await ex.fetch_order(order.id, symbol)).status is OrderStatus.CANCELED
            gone = await ex.cancel_order_ws(moved.id, symbol)
            assert (gone.id, gone.status) == (moved.id, OrderStatus.CANCELED)
            assert {"inTime", "outTime"} <= set(gone.raw)
            other = await ex.create_order_ws(symbol, OrderType.LIMIT, Side.BUY,
                                             Decimal("0.01"), price, client_order_id="wsB2")
            by_cid = await ex.cancel_order_ws("wsB2", symbol, by_client_id=True)
            assert (by_cid.id, by_cid.status) == (other.id, OrderStatus.CANCELED)
            again = await ex.cancel_order_ws(moved.id, symbol)  # safe to repeat
            assert again.status is OrderStatus.CANCELED

    run(go())


@pytest.mark.parametrize("venue_id", WS)
def test_every_documented_option_reaches_the_venue(venue_id: str) -> None:
    """create_order_ws with every field the order API documents: what the venue keeps of
    each (its REST view of the order), and the client timestamp's window enforced there."""
    async def go() -> None:
        async with venue(venue_id) as (sim, ex, symbol):
            assert sim.order_api is not None
            price = await low_price(ex, symbol)
            order = await ex.create_order_ws(
                symbol, OrderType.LIMIT, Side.BUY, Decimal("0.01"), price,
                client_order_id="all1", time_in_force=unified.TimeInForce.GTT,
                cancel_after=3600, post_only=True, iceberg=True, visible_size=Decimal("0.002"),
                stp=unified.SelfTradePrevention.DECREASE_AND_CANCEL, tags="bot-7",
                remark="every option", client_timestamp=ex.clock.now(),
                allow_max_time_window=5000)
            assert (order.status, order.time_in_force, order.post_only) == (
                OrderStatus.OPEN, unified.TimeInForce.GTT, True)
            kept = sim_orders.shown(sim.engine, order.id)
            assert {k: kept[k] for k in ("cancelAfter", "iceberg", "hidden", "visibleSize",
                                         "stp", "tags", "remark")} == {
                "cancelAfter": 3600, "iceberg": True, "hidden": False, "visibleSize": "0.002",
                "stp": "DC", "tags": "bot-7", "remark": "every option"}
            held = sim.engine.get(USER, order.id)
            assert (held.client_id, held.price, held.amount) == ("all1", price, Decimal("0.01"))
            seen = await ex.fetch_order(order.id, symbol)  # over REST
            assert (seen.time_in_force, seen.post_only) == (unified.TimeInForce.GTT, True)
            hidden = await ex.create_order_ws(symbol, OrderType.LIMIT, Side.BUY,
                                              Decimal("0.01"), price, hidden=True)
            assert sim_orders.shown(sim.engine, hidden.id)["hidden"] is True
            sent = sum(sim.order_api.requests.values())
            with pytest.raises(unified.InvalidOrder):  # the window had passed on arrival
                await ex.create_order_ws(symbol, OrderType.LIMIT, Side.BUY, Decimal("0.01"),
                                         price, client_order_id="late1",
                                         client_timestamp=ex.clock.now() - timedelta(seconds=10),
                                         allow_max_time_window=1000)
            assert sum(sim.order_api.requests.values()) == sent + 1  # sent, refused there
            assert not [o for o in sim.engine.orders.values() if o.client_id == "late1"]

    run(go())


@pytest.mark.parametrize("venue_id", WS_MARGIN)
def test_a_margin_order_over_ws_keeps_the_answer(venue_id: str) -> None:
    async def go() -> None:
        async with venue(venue_id) as (_, ex, symbol):
            price = await low_price(ex, symbol)
            order = await ex.create_order_ws(symbol, OrderType.LIMIT, Side.BUY,
                                             Decimal("0.01"), price, client_order_id="wsM1",
                                             margin_mode=MarginMode.CROSS)
            assert (order.status, order.client_order_id) == (OrderStatus.PENDING, "wsM1")
            assert {"inTime", "outTime"} <= set(order.raw) and order.raw["op"] == "margin.order"
            listed = await ex.fetch_open_orders(symbol, margin_mode=MarginMode.CROSS)
            assert [o.id for o in listed] == [order.id]

    run(go())


@pytest.mark.parametrize("venue_id", WS_MARGIN)
def test_a_margin_order_is_canceled_over_ws_as_rest_finds_it(venue_id: str) -> None:
    """No margin_mode: the spot cancel, then margin.cancel where the spot one knows no such
    order (REST cancel_order's family fallback); margin_mode: margin.cancel at once."""
    async def go() -> None:
        async with venue(venue_id) as (sim, ex, symbol):
            assert sim.order_api is not None
            ops = sim.order_api.requests
            price = await low_price(ex, symbol)
            first, second = [await ex.create_order(
                symbol, OrderType.LIMIT, Side.BUY, Decimal("0.01"), price - n,
                client_order_id=f"wsMc{n}", margin_mode=MarginMode.CROSS) for n in (1, 2)]
            gone = await ex.cancel_order_ws(first.id, symbol)
            # margin.cancel answers the id only: the cancel was taken (as over REST)
            assert (gone.id, gone.status) == (first.id, OrderStatus.CANCELING)
            assert (await ex.fetch_order(first.id, symbol)).status is OrderStatus.CANCELED
            assert gone.raw["op"] == "margin.cancel" and {"inTime", "outTime"} <= set(gone.raw)
            assert (ops.get("spot.sync_cancel"), ops.get("margin.cancel")) == (1, 1)
            with pytest.raises(ConfigurationError):
                await ex.cancel_order_ws("wsMc2", symbol, by_client_id=True,
                                         margin_mode="cross")  # type: ignore[arg-type]
            direct = await ex.cancel_order_ws("wsMc2", symbol, by_client_id=True,
                                              margin_mode=MarginMode.CROSS)
            assert (direct.id, direct.status) == (second.id, OrderStatus.CANCELING)
            assert (ops.get("spot.sync_cancel"), ops.get("margin.cancel")) == (1, 2)
            assert await ex.fetch_open_orders(symbol, margin_mode=MarginMode.CROSS) == []
            spot = await ex.create_order_ws(symbol, OrderType.LIMIT, Side.BUY, Decimal("0.01"),
                                            price)
            with pytest.raises(unified.OrderNotFound):  # not a margin order
                await ex.cancel_order_ws(spot.id, symbol, margin_mode=MarginMode.CROSS)

    run(go())


@pytest.mark.parametrize("venue_id", WS)
def test_refusals_are_typed_and_checks_come_first(venue_id: str) -> None:
    async def go() -> None:
        async with venue(venue_id) as (sim, ex, symbol):
            market = await ex.market(symbol)
            price = await low_price(ex, symbol)
            with pytest.raises(InsufficientFunds):
                await ex.create_order_ws(symbol, OrderType.LIMIT, Side.BUY,
                                         Decimal("1000000"), price)
            assert sim.order_api is not None
            before = (dict(sim.requests), dict(sim.order_api.requests))
            assert sum(before[1].values()) == 1  # the refused order did reach it (over WS)
            with pytest.raises(ConfigurationError):
                await ex.create_order_ws(symbol, OrderType.LIMIT, Side.BUY,
                                         market.min_amount, price, cancel_after=10)
            with pytest.raises(unified.InvalidOrder):
                await ex.create_order_ws(symbol, OrderType.LIMIT, Side.BUY,
                                         market.min_amount / 3, price)
            # the docs' field limits, which the venue would refuse (400100) once sent
            stamp = ex.clock.now()
            for bad in ({"iceberg": True, "visible_size": Decimal("0.02"),
                         "client_timestamp": stamp},
                        {"iceberg": True, "visible_size": Decimal("0.001")},
                        {"time_in_force": unified.TimeInForce.GTT, "cancel_after": 2592000},
                        {"tags": "café"}):
                with pytest.raises(ConfigurationError):
                    await ex.create_order_ws(symbol, OrderType.LIMIT, Side.BUY,
                                             Decimal("0.01"), price,
                                             **bad)  # type: ignore[arg-type]
            # nothing reached the venue, over REST or over its order API
            assert (dict(sim.requests), dict(sim.order_api.requests)) == before

    run(go())


@pytest.mark.parametrize("venue_id", WS)
def test_many_orders_in_flight_on_one_connection(venue_id: str) -> None:
    async def go() -> None:
        async with venue(venue_id) as (_, ex, symbol):
            price = await low_price(ex, symbol)
            orders = await asyncio.gather(*(
                ex.create_order_ws(symbol, OrderType.LIMIT, Side.BUY, Decimal("0.01"),
                                   price - i, client_order_id=f"fly{i}") for i in range(50)))
            assert [o.client_order_id for o in orders] == [f"fly{i}" for i in range(50)]
            assert [o.price for o in orders] == [price - i for i in range(50)]
            assert len({o.id for o in orders}) == 50
            assert ex._ws_orders.connection.connects == 1
            open_ids = {o.id for o in await ex.fetch_open_orders(symbol)}
            assert {o.id for o in orders} <= open_ids

    run(go())


@pytest.mark.parametrize("venue_id", WS)
def test_a_ws_order_shows_in_the_private_stream(venue_id: str) -> None:
    async def go() -> None:
        async with venue(venue_id) as (_, ex, symbol), ex.watch_orders(symbol) as orders:
            price = await low_price(ex, symbol)
            placed = await ex.create_order_ws(symbol, OrderType.LIMIT, Side.BUY,
                                              Decimal("0.01"), price)
            seen = await asyncio.wait_for(anext(orders), PATIENCE_S)
            assert (seen.id, seen.status) == (placed.id, OrderStatus.OPEN)

    run(go())


@pytest.mark.parametrize("venue_id", REST_ONLY)
def test_venues_without_an_order_api_refuse(venue_id: str) -> None:
    async def go() -> None:
        async with venue(venue_id) as (sim, ex, symbol):
            price = await low_price(ex, symbol)
            with pytest.raises(NotSupported):
                await ex.create_order_ws(symbol, OrderType.LIMIT, Side.BUY, Decimal("1"),
                                         price)
            with pytest.raises(NotSupported):
                await ex.cancel_order_ws("1", symbol)
            assert not [o for o in sim.engine.orders.values() if o.account == "user"
                        and o.price == price]

    run(go())
