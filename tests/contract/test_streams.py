"""The stream API (DESIGN 3b) over every venue, against its local twin: WebSocket where the spec
says `websocket = true`, REST polling elsewhere. Capabilities come from the spec, never a venue
name; every check reads what the venue's engine did, not what our client expected."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any, TypeVar

import pytest

import unified
from unified import Balances, OrderBook, OrderStatus, OrderType, Side
from unified.contracts import to_quote
from unified.sim.server import SimVenue
from unified.streams.stream import Stream

from ..conftest import VENUES, run
from .harness import paced, size

T = TypeVar("T")
#: a stream that stays silent this long has failed (a bound, not a pace: nothing waits on it)
PATIENCE_S = 20.0


@asynccontextmanager
async def venue(venue_id: str) -> AsyncIterator[tuple[SimVenue, unified.Exchange, str]]:
    async with paced(venue_id) as (sim, ex, symbol):
        yield sim, ex, symbol


async def next_of(stream: Stream[T]) -> T:
    return await asyncio.wait_for(anext(stream), PATIENCE_S)


async def until(stream: Stream[T], done: Any) -> T:
    """The first item for which `done(item)` holds (streams may yield states in between)."""
    while True:
        item = await next_of(stream)
        if done(item):
            return item


def engine_book(sim: SimVenue, symbol: str, depth: int) -> tuple[list[Any], list[Any]]:
    bids, asks = sim.engine.depth(symbol, depth)
    return [tuple(level) for level in bids], [tuple(level) for level in asks]


def levels(book: OrderBook) -> tuple[list[Any], list[Any]]:
    return ([(lv.price, lv.amount) for lv in book.bids],
            [(lv.price, lv.amount) for lv in book.asks])


async def inside_price(ex: unified.Exchange, symbol: str) -> Decimal:
    book = await ex.fetch_order_book(symbol, limit=1)
    best, ask = book.bids[0].price, book.asks[0].price
    return ex.price_to_precision(symbol, best + (ask - best) / 2)


@pytest.mark.parametrize("venue_id", VENUES)
def test_book_stream_is_the_venues_book_after_each_change(venue_id: str) -> None:
    async def go() -> None:
        async with venue(venue_id) as (sim, ex, symbol), \
                ex.watch_order_book(symbol, limit=10) as books:
            first = await next_of(books)
            assert levels(first) == engine_book(sim, symbol, 10)
            assert len(first.bids) == 10
            price = await inside_price(ex, symbol)
            amount = size(await ex.market(symbol), 5)
            await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, amount, price)
            book = await until(books, lambda b: b.bids and b.bids[0].price == price)
            assert levels(book) == engine_book(sim, symbol, 10)
            if first.sequence is not None:
                assert book.sequence is not None and book.sequence > first.sequence

    run(go())


@pytest.mark.parametrize("venue_id", VENUES)
def test_a_second_book_stream_starts_at_its_own_depth(venue_id: str) -> None:
    """Streams of one symbol share one book; each is trimmed to its own limit, from the first
    book on (a shallow stream must not trim what a deeper one later starts from)."""
    async def go() -> None:
        async with venue(venue_id) as (sim, ex, symbol), \
                ex.watch_order_book(symbol, limit=1) as shallow:
            assert levels(await next_of(shallow)) == engine_book(sim, symbol, 1)
            async with ex.watch_order_book(symbol, limit=10) as deep:
                first = await next_of(deep)
                assert len(first.bids) == len(first.asks) == 10
                assert levels(first) == engine_book(sim, symbol, 10)

    run(go())


@pytest.mark.parametrize("venue_id", VENUES)
def test_trade_and_ticker_streams_see_a_trade(venue_id: str) -> None:
    async def go() -> None:
        async with venue(venue_id) as (_, ex, symbol), ex.watch_trades(symbol) as trades, \
                ex.watch_ticker(symbol) as tickers:
            book = await ex.fetch_order_book(symbol, limit=1)
            price = book.asks[0].price
            amount = min(size(await ex.market(symbol), 3), book.asks[0].amount)
            await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, amount, price)
            trade = await next_of(trades)
            assert (trade.symbol, trade.price, trade.amount) == (symbol, price, amount)
            ticker = await until(tickers, lambda t: t.last == price)
            assert ticker.symbol == symbol

    run(go())


@pytest.mark.parametrize("venue_id", VENUES)
def test_order_changes_and_fills_arrive_once_each(venue_id: str) -> None:
    async def go() -> None:
        async with venue(venue_id) as (_, ex, symbol), ex.watch_orders(symbol) as orders:
            price = await inside_price(ex, symbol)
            amount = size(await ex.market(symbol), 4)
            placed = await ex.create_order(symbol, OrderType.LIMIT, Side.SELL, amount, price)
            seen = await until(orders, lambda o: o.id == placed.id)
            assert seen.status is OrderStatus.OPEN and seen.filled == 0
            await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, amount, price)
            mine = await until(orders, lambda o: o.id == placed.id)
            done = mine if mine.status is OrderStatus.FILLED else await until(
                orders, lambda o: o.id == placed.id and o.status is OrderStatus.FILLED)
            assert done.filled == amount

    run(go())


@pytest.mark.parametrize("venue_id", [v for v in VENUES if unified.registry.get(v).spec
                                      .capabilities.get("my_trades", True)])
def test_fill_stream_delivers_each_fill_once(venue_id: str) -> None:
    async def go() -> None:
        async with venue(venue_id) as (_, ex, symbol), ex.watch_my_trades(symbol) as fills:
            price = await inside_price(ex, symbol)
            amount = size(await ex.market(symbol), 4)
            maker = await ex.create_order(symbol, OrderType.LIMIT, Side.SELL, amount, price)
            await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, amount, price)
            got = [await next_of(fills), await next_of(fills)]
            assert {f.order_id for f in got} >= {maker.id}
            assert all(f.price == price and f.amount == amount for f in got)
            assert len({(f.order_id, f.id) for f in got}) == 2

    run(go())


@pytest.mark.parametrize("venue_id", VENUES)
def test_balance_stream_yields_the_whole_after_a_change(venue_id: str) -> None:
    async def go() -> None:
        async with venue(venue_id) as (_, ex, symbol), ex.watch_balance() as balances:
            market = await ex.market(symbol)
            start: Balances = await next_of(balances)
            assert start == await ex.fetch_balance()
            price = await inside_price(ex, symbol)
            price = ex.price_to_precision(symbol, price * Decimal("0.9"))
            amount = size(market, 5)
            await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, amount, price)
            money = market.settle or market.quote  # what a contract's margin is held in
            after = await until(balances, lambda b: b[money].held > start[money].held)
            # the order's value (a contract's margin at 1x), plus the fee reserve where the
            # venue holds one
            assert after[money].held - start[money].held >= to_quote(market, amount, price)
            assert set(after) >= set(start) - {money}

    run(go())


@pytest.mark.parametrize("venue_id", VENUES)
def test_closing_the_exchange_ends_every_stream(venue_id: str) -> None:
    async def go() -> None:
        async with venue(venue_id) as (_, ex, symbol):
            books = ex.watch_order_book(symbol)
            await next_of(books)
            trades = ex.watch_trades(symbol)
            await trades.__aenter__()
            waiter = asyncio.ensure_future(anext(trades))
            await asyncio.sleep(0)
            await ex.close()
            with pytest.raises(StopAsyncIteration):
                await asyncio.wait_for(waiter, PATIENCE_S)
            assert books.closed and trades.closed
            # nothing of ours outlives the Exchange: no task, no open socket or session
            ours = [t for t in asyncio.all_tasks() if t.get_name().startswith("unified-")]
            assert not [t for t in ours if not t.done()]
            conns = [c for pool in ex._streams._conns.values() for c in pool]
            assert all(c.closed and c._session is None and c._ws is None for c in conns)

    run(go())
