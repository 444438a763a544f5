"""cancel_all_orders(symbol=None) on every venue: the venue's cancel-all where it has one, else
its batch cancel (else one by one) over the open orders; the result is the orders that were
open, in their state after the cancel; nothing of theirs stays open at the venue."""

from __future__ import annotations

from decimal import Decimal

import pytest

from unified import BadSymbol, Order, OrderStatus, OrderType, Side

from ..conftest import VENUES, run
from .harness import Session, sent, session

AFTER_CANCEL = (OrderStatus.CANCELING, OrderStatus.CANCELED)


async def resting(s: Session, symbol: str, count: int) -> list[Order]:
    market = (await s.ex.load_markets())[symbol]
    mid = next(m.mid for m in s.sim.personality.markets if m.symbol == symbol)
    price = (mid * Decimal("0.9")).quantize(market.price_increment)
    return [await s.ex.create_order(symbol, OrderType.LIMIT, Side.BUY, market.min_amount * 10,
                                    price - i * market.price_increment) for i in range(count)]


def open_at_venue(s: Session, symbol: str | None = None) -> list[object]:
    return [o for o in s.orders_at_venue() if o.is_open and symbol in (None, o.symbol)]


def other_symbol(s: Session) -> str:
    return next(m.symbol for m in s.sim.personality.markets if m.symbol != s.symbol)


@pytest.mark.parametrize("venue", VENUES)
def test_cancel_all_orders_of_one_market(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            mine = await resting(s, s.symbol, 12)  # more than one batch on every venue
            kept = await resting(s, other_symbol(s), 1)
            canceled = await s.ex.cancel_all_orders(s.symbol)
            assert sorted(o.id for o in canceled) == sorted(o.id for o in mine)
            assert all(o.status in AFTER_CANCEL and o.symbol == s.symbol for o in canceled)
            assert open_at_venue(s, s.symbol) == []
            assert len(open_at_venue(s)) == 1  # the other market's order is untouched
            assert [o.id for o in await s.ex.fetch_open_orders(other_symbol(s))] == [kept[0].id]
            closed = {o.id: o for o in await s.ex.fetch_closed_orders(s.symbol)}
            assert all(closed[o.id].status is OrderStatus.CANCELED for o in mine)
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_cancel_all_orders_of_every_market(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            placed = await resting(s, s.symbol, 3) + await resting(s, other_symbol(s), 2)
            canceled = await s.ex.cancel_all_orders()
            assert sorted(o.id for o in canceled) == sorted(o.id for o in placed)
            assert all(o.status in AFTER_CANCEL for o in canceled)
            assert open_at_venue(s) == []
            assert await s.ex.fetch_open_orders(s.symbol) == []
            assert await s.ex.cancel_all_orders() == []  # nothing left: safe to repeat
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_cancel_all_orders_with_nothing_open(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            assert await s.ex.cancel_all_orders(s.symbol) == []
            with pytest.raises(BadSymbol):
                before = sent(s)
                await s.ex.cancel_all_orders("NOPE/XYZ")
            assert sent(s) == before
    run(scenario())
