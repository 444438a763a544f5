"""Contracts (DESIGN 3c) against every local venue that lists them, over real HTTP: orders in
contracts with leverage, positions and their margin, closing, reduce-only, PnL in the settle
currency (linear and inverse), funding on a manual clock, isolated margin added once, stop
orders fired by the mark, liquidation. Never branches on a venue name: the `derivatives`
capability says which venues these are."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest

import unified
from unified import (
    AmbiguousOutcome,
    InsufficientFunds,
    InvalidOrder,
    Market,
    MarketKind,
    NotSupported,
    OrderStatus,
    OrderType,
    PositionSide,
    Side,
    StopPriceType,
    Trigger,
)
from unified.client import Exchange
from unified.clock import ManualClock
from unified.sim.derivatives import DerivativesBook, derivatives_book
from unified.sim.server import USER, SimVenue

from ..conftest import CONTRACT_VENUES, run

Markets = dict[str, Market]
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # funding times: 00:00, 08:00, 16:00 UTC


@asynccontextmanager
async def quiet(venue: str, clock: ManualClock | None = None
                ) -> AsyncIterator[tuple[SimVenue, Exchange, DerivativesBook, Markets]]:
    """A local venue with an empty book and tape, its user and a counterparty "b" funded."""
    clock = clock or ManualClock(START)
    async with SimVenue(venue, seed=False, clock=clock) as sim:
        fund = sim.personality.fund_user  # type: ignore[attr-defined]
        for who in (USER, "b"):
            fund(sim.engine, who)
        async with unified.connect(venue, credentials=sim.credentials, base_url=sim.base_url,
                                   clock=clock) as ex:
            yield sim, ex, derivatives_book(sim.engine), await ex.load_markets()


def linear(markets: Markets) -> Market:
    return next(m for m in markets.values() if m.linear and m.settle == m.quote)


def inverse(markets: Markets) -> Market:
    return next(m for m in markets.values() if m.linear is False)


def rest(book: DerivativesBook, market: Market, side: Side, contracts: int, price: str) -> None:
    """The counterparty's resting limit order (1x leverage)."""
    book.place("b", market.symbol, side, OrderType.LIMIT, Decimal(contracts), Decimal(price),
               leverage=Decimal(1))


def settle_balance(balances: unified.Balances, currency: str) -> tuple[Decimal, Decimal]:
    b = balances[currency]
    return b.total, b.available


@pytest.mark.parametrize("venue", CONTRACT_VENUES)
def test_open_and_close_a_linear_position_pays_the_exact_pnl(venue: str) -> None:
    async def scenario() -> None:
        async with quiet(venue) as (_sim, ex, book, markets):
            m = linear(markets)
            start, _ = settle_balance(await ex.fetch_balance(), m.settle)
            rest(book, m, Side.SELL, 10, "30000")
            await ex.create_order(m.symbol, OrderType.MARKET, Side.BUY, Decimal(10),
                                  leverage=Decimal(5))
            p = await ex.fetch_position(m.symbol)
            assert p is not None and (p.side, p.contracts, p.entry_price, p.leverage) == (
                PositionSide.LONG, 10, 30000, 5)
            value = 10 * m.contract_size * 30000  # 300 USDT
            assert p.margin == value / 5
            total, available = settle_balance(await ex.fetch_balance(), m.settle)
            fees = sum(f.fee.cost for f in await ex.fetch_my_trades(m.symbol))  # type: ignore[union-attr]
            assert total == start - fees and available == start - fees - value / 5
            rest(book, m, Side.BUY, 10, "31000")
            await ex.create_order(m.symbol, OrderType.MARKET, Side.SELL, None,
                                  close_position=True)
            assert await ex.fetch_position(m.symbol) is None
            assert await ex.fetch_positions() == []
            fills = await ex.fetch_my_trades(m.symbol)
            fees = sum(f.fee.cost for f in fills)  # type: ignore[union-attr]
            pnl = 10 * m.contract_size * (31000 - 30000)  # 10 USDT
            assert settle_balance(await ex.fetch_balance(), m.settle) == (
                start + pnl - fees, start + pnl - fees)
            assert fees == (value + 10 * m.contract_size * 31000) * Decimal("0.0006")
    run(scenario())


@pytest.mark.parametrize("venue", CONTRACT_VENUES)
def test_an_inverse_position_settles_in_the_base(venue: str) -> None:
    async def scenario() -> None:
        async with quiet(venue) as (_sim, ex, book, markets):
            m = inverse(markets)
            assert m.settle == m.base
            start, _ = settle_balance(await ex.fetch_balance(), m.settle)
            rest(book, m, Side.SELL, 100, "25000")
            await ex.create_order(m.symbol, OrderType.MARKET, Side.BUY, Decimal(100),
                                  leverage=Decimal(2))
            rest(book, m, Side.BUY, 100, "40000")
            await ex.create_order(m.symbol, OrderType.MARKET, Side.SELL, Decimal(100),
                                  reduce_only=True)
            fees = sum(f.fee.cost for f in await ex.fetch_my_trades(m.symbol))  # type: ignore[union-attr]
            size = 100 * abs(m.contract_size)  # USD
            pnl = size / Decimal(25000) - size / Decimal(40000)  # 0.0015 BTC
            total, available = settle_balance(await ex.fetch_balance(), m.settle)
            assert total == available == start + pnl - fees
    run(scenario())


@pytest.mark.parametrize("venue", CONTRACT_VENUES)
def test_bad_contract_orders_are_refused_and_nothing_is_placed(venue: str) -> None:
    async def scenario() -> None:
        async with quiet(venue) as (sim, ex, _book, markets):
            m = linear(markets)
            with pytest.raises(InvalidOrder):  # nothing to reduce
                await ex.create_order(m.symbol, OrderType.LIMIT, Side.SELL, Decimal(1),
                                      Decimal(31000), reduce_only=True)
            with pytest.raises(InvalidOrder):  # above the contract's maximum leverage
                await ex.create_order(m.symbol, OrderType.LIMIT, Side.BUY, Decimal(1),
                                      Decimal(29000), leverage=Decimal(10_000))
            with pytest.raises(InsufficientFunds):
                await ex.create_order(m.symbol, OrderType.LIMIT, Side.BUY, Decimal(900_000),
                                      Decimal(29000), leverage=Decimal(1))
            assert await ex.fetch_open_orders(m.symbol) == []
            assert [o for o in sim.engine.orders.values() if o.account == USER] == []
    run(scenario())


@pytest.mark.parametrize("venue", CONTRACT_VENUES)
def test_an_open_order_holds_its_margin_until_canceled(venue: str) -> None:
    async def scenario() -> None:
        async with quiet(venue) as (_sim, ex, _book, markets):
            m = linear(markets)
            start, _ = settle_balance(await ex.fetch_balance(), m.settle)
            order = await ex.create_order(m.symbol, OrderType.LIMIT, Side.BUY, Decimal(20),
                                          Decimal(25000), leverage=Decimal(10))
            value = 20 * m.contract_size * 25000  # 500 USDT
            held = value / 10 + value * Decimal("0.0006")  # margin and the fee at the taker rate
            assert settle_balance(await ex.fetch_balance(), m.settle) == (start, start - held)
            listed = await ex.fetch_open_orders(m.symbol)
            assert [(o.id, o.status, o.amount) for o in listed] == [
                (order.id, OrderStatus.OPEN, 20)]
            await ex.cancel_order(order.id, m.symbol)
            assert settle_balance(await ex.fetch_balance(), m.settle) == (start, start)
            closed = await ex.fetch_closed_orders(m.symbol)
            assert [(o.id, o.status) for o in closed] == [(order.id, OrderStatus.CANCELED)]
    run(scenario())


@pytest.mark.parametrize("venue", CONTRACT_VENUES)
def test_funding_is_charged_once_per_funding_time_on_a_manual_clock(venue: str) -> None:
    async def scenario() -> None:
        clock = ManualClock(START)
        async with quiet(venue, clock) as (_sim, ex, book, markets):
            m = linear(markets)
            rest(book, m, Side.SELL, 10, "30000")
            await ex.create_order(m.symbol, OrderType.MARKET, Side.BUY, Decimal(10),
                                  leverage=Decimal(5))
            book.set_funding_rate(m.symbol, Decimal("0.0001"))
            book.set_mark(m.symbol, Decimal(30000))
            rate = await ex.fetch_funding_rate(m.symbol)
            assert (rate.rate, rate.next_funding_at) == (
                Decimal("0.0001"), START.replace(hour=8))
            before = await ex.fetch_position(m.symbol)
            assert before is not None and before.margin is not None
            clock.advance(timedelta(hours=8).total_seconds())
            after = await ex.fetch_position(m.symbol)
            paid = 10 * m.contract_size * 30000 * Decimal("0.0001")  # a long pays 0.03
            assert after is not None and after.margin == before.margin - paid
            clock.advance(60)
            again = await ex.fetch_position(m.symbol)
            assert again is not None and again.margin == after.margin  # no period crossed
            history = await ex.fetch_funding_rate_history(
                m.symbol, since=START, limit=10)
            assert [(h.rate, h.timestamp) for h in history] == [
                (Decimal("0.0001"), START.replace(hour=8))]
    run(scenario())


@pytest.mark.parametrize("venue", CONTRACT_VENUES)
def test_a_dated_future_s_funding_rate_is_not_supported_and_nothing_is_sent(venue: str
                                                                          ) -> None:
    async def scenario() -> None:
        async with quiet(venue) as (sim, ex, _book, markets):
            m = linear(markets)  # the local venues list no dated future: one is made of it
            dated = attrs.evolve(m, kind=MarketKind.FUTURE, expiry=START + timedelta(days=90))
            ex._markets._by_symbol[m.symbol] = dated
            sent = dict(sim.requests)
            with pytest.raises(NotSupported, match="dated future"):
                await ex.fetch_funding_rate(m.symbol)
            with pytest.raises(NotSupported, match="dated future"):
                await ex.fetch_funding_rate_history(m.symbol, since=START)
            assert sim.requests == sent
    run(scenario())


@pytest.mark.parametrize("venue", CONTRACT_VENUES)
def test_margin_added_once_even_when_the_answer_is_lost(venue: str) -> None:
    async def scenario() -> None:
        async with quiet(venue) as (sim, ex, book, markets):
            m = linear(markets)
            rest(book, m, Side.SELL, 10, "30000")
            await ex.create_order(m.symbol, OrderType.MARKET, Side.BUY, Decimal(10),
                                  leverage=Decimal(5))
            position = book.position(USER, m.symbol)
            assert position is not None
            margin = position.margin
            after = await ex.add_margin(m.symbol, Decimal(25))
            assert after.margin == margin + 25 == position.margin
            sim.faults.add("drop_after", op="add_margin")
            with pytest.raises(AmbiguousOutcome):
                await ex.add_margin(m.symbol, Decimal(5))
            assert position.margin == margin + 30 and sim.requests["add_margin"] == 2
            await ex.set_auto_deposit_margin(m.symbol, True)
            shown = await ex.fetch_position(m.symbol)
            assert shown is not None and shown.raw["autoDeposit"] is True
    run(scenario())


@pytest.mark.parametrize("venue", CONTRACT_VENUES)
def test_a_stop_on_the_mark_fires_when_the_mark_reaches_it(venue: str) -> None:
    async def scenario() -> None:
        async with quiet(venue) as (_sim, ex, book, markets):
            m = linear(markets)
            rest(book, m, Side.SELL, 10, "30000")
            await ex.create_order(m.symbol, OrderType.MARKET, Side.BUY, Decimal(10),
                                  leverage=Decimal(5))
            book.set_mark(m.symbol, Decimal(30000))
            stop = await ex.create_order(m.symbol, OrderType.LIMIT, Side.SELL, Decimal(10),
                                         Decimal(27000), stop_price=Decimal(28000),
                                         trigger=Trigger.BELOW, reduce_only=True,
                                         stop_price_type=StopPriceType.MARK)
            waiting = await ex.fetch_order(stop.id, m.symbol)
            assert (waiting.status, waiting.stop_price) == (OrderStatus.OPEN, 28000)
            book.set_mark(m.symbol, Decimal(28500))
            assert (await ex.fetch_order(stop.id, m.symbol)).stop_price == 28000
            book.set_mark(m.symbol, Decimal(27900))
            fired = await ex.fetch_order(stop.id, m.symbol)
            assert (fired.id, fired.status, fired.stop_price, fired.price) == (
                stop.id, OrderStatus.OPEN, None, 27000)
    run(scenario())


@pytest.mark.parametrize("venue", CONTRACT_VENUES)
def test_a_position_below_its_maintenance_margin_is_liquidated(venue: str) -> None:
    async def scenario() -> None:
        async with quiet(venue) as (_sim, ex, book, markets):
            m = linear(markets)
            start, _ = settle_balance(await ex.fetch_balance(), m.settle)
            rest(book, m, Side.SELL, 10, "30000")
            await ex.create_order(m.symbol, OrderType.MARKET, Side.BUY, Decimal(10),
                                  leverage=Decimal(10))
            p = await ex.fetch_position(m.symbol)
            assert p is not None and p.liquidation_price is not None and p.margin is not None
            resting = await ex.create_order(m.symbol, OrderType.LIMIT, Side.BUY, Decimal(1),
                                            Decimal(20000), leverage=Decimal(10))
            fees = sum(f.fee.cost for f in await ex.fetch_my_trades(m.symbol))  # type: ignore[union-attr]
            book.set_mark(m.symbol, p.liquidation_price - m.price_increment)
            assert await ex.fetch_positions() == []
            assert (await ex.fetch_order(resting.id, m.symbol)).status is OrderStatus.CANCELED
            total, available = settle_balance(await ex.fetch_balance(), m.settle)
            assert total == available == start - fees - p.margin  # the margin is lost
    run(scenario())


def test_every_contract_venue_lists_linear_and_inverse_contracts() -> None:
    assert CONTRACT_VENUES, "no venue lists contracts"

    async def scenario(venue: str) -> dict[str, Any]:
        async with quiet(venue) as (_sim, _ex, _book, markets):
            return {m.symbol: (m.kind, m.linear, m.settle) for m in markets.values()}

    for venue in CONTRACT_VENUES:
        listed = run(scenario(venue))
        assert any(linear for _, linear, _ in listed.values())
        assert any(linear is False for _, linear, _ in listed.values())
