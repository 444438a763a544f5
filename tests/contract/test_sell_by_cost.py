"""Market sells by quote amount (`cost=`): where the spec says market_sell_by_cost the venue
sells until that amount is raised (KuCoin `funds`); elsewhere NotSupported, nothing sent. The
local engine does it venue-neutrally."""

from __future__ import annotations

from decimal import Decimal

import pytest

from unified import ConfigurationError, NotSupported, OrderStatus, OrderType, Side
from unified.clock import ManualClock
from unified.sim.book import Engine, EngineError, SimMarket

from ..conftest import VENUES, run
from .harness import sent, session


@pytest.mark.parametrize("venue", VENUES)
def test_market_sell_by_cost(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            cost = s.ex.price_to_precision(s.symbol, s.mid * s.amount * 20)  # a plain figure
            before = sent(s)
            if not s.ex.has("market_sell_by_cost"):
                with pytest.raises(NotSupported, match="amount"):
                    await s.ex.create_order(s.symbol, OrderType.MARKET, Side.SELL, None,
                                            cost=cost)
                assert sent(s) == before and s.orders_at_venue() == []
                return
            balances = await s.ex.fetch_balance()
            order = await s.ex.create_order(s.symbol, OrderType.MARKET, Side.SELL, None,
                                            cost=cost)
            (at_venue,) = s.orders_at_venue()
            assert (at_venue.side, at_venue.amount, at_venue.cost_limit) == (Side.SELL, None,
                                                                             cost)
            assert order.status is at_venue.status is OrderStatus.FILLED
            fetched = await s.ex.fetch_order(order.id, s.symbol)
            bid = (await s.ex.fetch_order_book(s.symbol, limit=1)).bids[0].price
            # raised up to the quote amount, short of it by less than one amount step
            assert cost - bid * s.market.amount_increment < fetched.cost <= cost
            after = await s.ex.fetch_balance()
            assert after[s.market.base].total == balances[s.market.base].total - fetched.filled
            assert after[s.market.quote].total > balances[s.market.quote].total
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_cost_and_amount_together_are_refused(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            before = sent(s)
            for side in Side:
                with pytest.raises(ConfigurationError, match="not both"):
                    await s.ex.create_order(s.symbol, OrderType.MARKET, side, s.amount,
                                            cost=Decimal(100))
            with pytest.raises(ConfigurationError, match="market orders"):
                await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.SELL, s.amount,
                                        s.price("1.1"), cost=Decimal(100))
            assert sent(s) == before
    run(scenario())


MARKET = SimMarket("BTC/USDT", "BTC", "USDT", Decimal("0.1"), Decimal("0.0001"),
                   Decimal("0.001"), Decimal("1"), Decimal("100"))


def engine() -> Engine:
    e = Engine([MARKET], ManualClock(), seed=3)
    e.seed_book(levels=5)
    e.deposit("a", "BTC", Decimal(3))
    return e


def test_the_engine_sells_until_the_quote_amount_is_raised() -> None:
    e = engine()
    start = e.totals()
    order = e.place("a", MARKET.symbol, Side.SELL, OrderType.MARKET, cost=Decimal("250"))
    assert order.status is OrderStatus.FILLED and order.held == 0
    bids = sorted((o for o in e.orders.values() if o.side is Side.BUY and o.is_open),
                  key=lambda o: -(o.price or 0))
    assert Decimal("250") - (bids[0].price or 0) * MARKET.amount_increment \
        < order.filled_cost <= Decimal("250")
    assert e.wallet("a", "BTC").total == Decimal(3) - order.filled
    assert e.wallet("a", "USDT").total == order.filled_cost - order.fee
    assert e.totals() == start and e.wallet("a", "BTC").held == 0


def test_the_engine_refuses_a_sell_by_cost_it_cannot_cover() -> None:
    e = engine()
    with pytest.raises(EngineError) as caught:  # 3 BTC raise about 300 USDT, not 10,000
        e.place("a", MARKET.symbol, Side.SELL, OrderType.MARKET, cost=Decimal("10000"))
    assert caught.value.kind == "insufficient_funds"
    assert e.wallet("a", "BTC").available == Decimal(3)
    for bad in ({"cost": Decimal("0.5")}, {"cost": Decimal(-1)},
                {"cost": Decimal(5), "amount": Decimal("0.01")}):
        with pytest.raises(EngineError) as invalid:
            e.place("a", MARKET.symbol, Side.SELL, OrderType.MARKET, **bad)
        assert invalid.value.kind == "invalid"
