"""create_orders: the venue's batch endpoint in chunks of the size it allows (only its limit
orders where it batches no other kind: the spec's batch_create_limit_only), one result per
request in order, a refused item as its typed error in place; nothing fetched after."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from unified import InsufficientFunds, Order, OrderRequest, OrderStatus, OrderType, Side

from ..conftest import VENUES, run
from .harness import placed_status, session


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
