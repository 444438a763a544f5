"""Increments and minimums, one mechanism on every venue: off-step orders are refused before
anything is sent, and the precision helpers make values the venue accepts."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unified import ConfigurationError, InvalidOrder, OrderType, Side
from unified.precision import round_to_step

from ..conftest import VENUES, run
from .harness import placed_status, session


@pytest.mark.parametrize("venue", VENUES)
def test_off_step_orders_never_reach_the_venue(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            m = s.market
            price, amount = s.price("0.9"), s.amount
            bad = [
                (amount + m.amount_increment / 3, price, "amount step"),
                (amount, price + m.price_increment / 7, "price step"),
            ]
            if m.min_amount > m.amount_increment:  # an on-step amount below the minimum
                bad.append((m.min_amount - m.amount_increment, price, "minimum amount"))
            before = s.sim.requests.get("create_order", 0)
            for a, p, step in bad:
                with pytest.raises(InvalidOrder, match=step) as caught:
                    await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, a, p)
                assert caught.value.code is None and caught.value.venue == venue
            with pytest.raises(ConfigurationError, match="amount"):
                await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY,
                                        Decimal("1E+100000"), price)
            assert s.sim.requests.get("create_order", 0) == before
            assert s.orders_at_venue() == []
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_precision_helpers_make_values_the_venue_takes(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            m = s.market
            rough_price = s.price("0.9") + m.price_increment * Decimal("0.4321")
            rough_amount = s.amount + m.amount_increment * Decimal("0.987")
            price = s.ex.price_to_precision(s.symbol, rough_price)
            amount = s.ex.amount_to_precision(s.symbol, rough_amount)
            assert price == s.price("0.9") and amount == s.amount  # rounded down
            up = s.ex.amount_to_precision(s.symbol, rough_amount, ROUND_HALF_UP)
            assert up == s.amount + m.amount_increment
            order = await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, amount, price)
            assert order.status is placed_status(s) and order.price == price
    run(scenario())


def test_precision_helpers_need_loaded_markets() -> None:
    async def scenario() -> None:
        import unified

        async with unified.connect(VENUES[0]) as ex:
            with pytest.raises(ConfigurationError, match="load_markets"):
                ex.price_to_precision("BTC/USDT", Decimal("1.23"))
    run(scenario())


steps = st.sampled_from([Decimal("0.01"), Decimal("0.001"), Decimal("0.00000001"),
                         Decimal("0.5"), Decimal("5"), Decimal("1E-12")])
values = st.decimals(min_value=Decimal("0.000000000001"), max_value=Decimal("1E12"),
                     allow_nan=False, allow_infinity=False, places=14)


@given(values, steps)
def test_rounding_down_lands_on_the_step_below(value: Decimal, step: Decimal) -> None:
    rounded = round_to_step("price", value, step)
    assert rounded % step == 0
    assert rounded <= value < rounded + step
    assert rounded.as_tuple().exponent == step.as_tuple().exponent
