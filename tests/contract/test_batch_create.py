"""create_orders: the venue's batch endpoint in chunks of the size it allows (only its limit
orders where it batches no other kind: the spec's batch_create_limit_only), one result per
request in order, a refused item as its typed error in place; nothing fetched after."""

from __future__ import annotations

import asyncio
import math
from datetime import UTC, datetime
from decimal import Decimal

import aiohttp
import pytest

from unified import (
    AmbiguousOutcome,
    ConfigurationError,
    InsufficientFunds,
    Order,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    registry,
)
from unified.clock import ManualClock
from unified.errors import ConnectionFailed
from unified.transport import AiohttpTransport

from ..conftest import VENUES, run
from .harness import Session, placed_status, session

#: the venues whose create_orders places its orders one by one
ONE_BY_ONE = [v for v in VENUES if "create_orders" not in registry.get(v).spec.endpoints]


def manual_time() -> dict[str, object]:
    """Backoff waits move a manual clock instead of the wall clock."""
    clock = ManualClock(datetime.now(UTC))

    async def sleep(seconds: float) -> None:
        clock.advance(seconds)

    return {"clock": clock, "sleep": sleep}


def three_limits(s: Session) -> list[OrderRequest]:
    step = s.market.price_increment
    return [OrderRequest(type=OrderType.LIMIT, side=Side.BUY, amount=s.amount,
                         price=s.price("0.9") - i * step) for i in range(3)]


@pytest.mark.parametrize("venue", VENUES)
def test_create_orders_chunks_and_keeps_the_order(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            step = s.market.price_increment
            wanted = [OrderRequest(type=OrderType.LIMIT, side=Side.BUY, amount=s.amount,
                                   price=s.price("0.9") - i * step) for i in range(8)]
            wanted[5] = OrderRequest(type=OrderType.LIMIT, side=Side.BUY,
                                     amount=s.amount * 10**9, price=s.price("0.9"))
            if s.ex.has("market_buy_by_amount"):
                market = OrderRequest(type=OrderType.MARKET, side=Side.BUY, amount=s.amount)
            else:
                market = OrderRequest(type=OrderType.MARKET, side=Side.BUY, amount=None,
                                      cost=(s.mid * s.amount).quantize(Decimal(1)) + 1)
            wanted.insert(2, market)
            results = await s.ex.create_orders(wanted, s.symbol)

            assert len(results) == 9 and isinstance(results[6], InsufficientFunds)
            assert isinstance(results[2], Order) and results[2].type is OrderType.MARKET
            limits = [r for i, r in enumerate(results) if i not in (2, 6)]
            assert [r.price for r in limits if isinstance(r, Order)] == [
                w.price for i, w in enumerate(wanted) if i not in (2, 6)]
            assert "fetch_order" not in s.sim.requests  # built from the answers
            if not s.ex.supports("create_orders"):  # one by one
                assert s.sim.requests["create_order"] == 9
                assert all(isinstance(r, Order) and r.status is placed_status(s)
                           for r in limits)
                return
            size = int(s.ex.spec.capability("batch_create_max"))
            alone = 1 if s.ex.has("batch_create_limit_only") else 0
            assert s.sim.requests["create_orders"] == math.ceil((9 - alone) / size)
            assert s.sim.requests.get("create_order", 0) == alone
            assert all(isinstance(r, Order) and r.status is OrderStatus.PENDING for r in limits)
            assert len({o.id for o in s.orders_at_venue()}) == 8
    run(scenario())


@pytest.mark.parametrize("venue", ONE_BY_ONE)
def test_an_item_that_could_not_be_sent_is_reported_in_its_slot_with_every_placed_one(
        venue: str) -> None:
    """One by one: the first is placed; the client is closed while the second's answer is
    held (placed, outcome unknown); the third can no longer be sent (ClientClosed). Each is
    reported in its own slot; none aborts the call, so the placed one is never lost."""
    async def scenario() -> None:
        async with session(venue, **manual_time()) as s:
            s.sim.faults.add("delay", op="create_order", delay_s=0)  # the first: answered
            held = s.sim.faults.add("hold_after", op="create_order", delay_s=30)
            wanted = three_limits(s)
            placing = asyncio.create_task(s.ex.create_orders(wanted, s.symbol))
            await held.acted.wait()  # the second is at the venue, its answer held back
            await s.ex.close()
            first, second, third = await placing
            assert isinstance(first, Order) and first.price == wanted[0].price
            assert isinstance(second, AmbiguousOutcome)
            assert isinstance(third, ConfigurationError)  # closed: never sent
            assert s.sim.requests["create_order"] == 2
            assert sorted(o.price for o in s.orders_at_venue()) == sorted(
                w.price for w in wanted[:2])
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_a_venue_refusing_connections_is_reported_per_item_never_ambiguous(
        venue: str) -> None:
    """No byte left this machine (connection refused, after the pipeline's own retries):
    each slot carries ConnectionFailed(request_sent=False), nothing is placed and nothing is
    left for reconcile(), one by one or through a batch endpoint."""
    async def scenario() -> None:
        # no keep-alive: a connection kept from before the venue stopped would be dropped
        # mid-request instead (request_sent: outcome unknown), not refused
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)
                                         ) as http, session(
                venue, transport=AiohttpTransport(http), **manual_time()) as s:
            wanted = three_limits(s)
            await s.sim.stop()
            results = await s.ex.create_orders(wanted, s.symbol)
            assert len(results) == 3
            assert all(isinstance(r, ConnectionFailed) and not r.request_sent
                       for r in results), results
            assert s.ex.pending() == [] and s.orders_at_venue() == []
    run(scenario())
