"""Streams on a venue without a WebSocket (legacy v1): REST polling that yields only changes,
against the local venue over real HTTP. Every venue whose spec says `websocket = false`; and
the position poller on every contract venue (none of which polls today: the poller is driven
directly, as the streams room would drive it without a WebSocket)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from decimal import Decimal

import attrs
import pytest

import unified
from unified import OrderStatus, OrderType, Side, registry
from unified.clock import ManualClock, PacedClock
from unified.errors import BadSymbol, NotSupported, VenueError
from unified.sim.server import SimVenue
from unified.streams.polling import Poller
from unified.streams.stream import Stream

from ..conftest import CONTRACT_VENUES, run
from ..contract.harness import size

POLLED = [v for v in registry.venues() if not registry.get(v).spec.capability("websocket")]


@asynccontextmanager
async def polled(venue: str) -> AsyncIterator[tuple[SimVenue, unified.Exchange]]:
    # Paced time: the poll interval passes at once, so polls follow each other as fast as
    # the local venue answers (its own limits off: the test counts changes, not pacing).
    clock = PacedClock()
    async with SimVenue(venue, enforce_limits=False) as sim, unified.connect(
        venue, credentials=sim.credentials, base_url=sim.base_url, clock=clock,
        sleep=clock.sleep,
    ) as ex:
        yield sim, ex


def symbol_of(sim: SimVenue) -> str:
    return sim.personality.markets[0].symbol


def test_v1_venues_poll() -> None:
    assert POLLED, "the v1 venues have no WebSocket"
    for venue in registry.venues():
        spec = registry.get(venue).spec
        assert bool(spec.capability("websocket")) == (venue not in POLLED)


@pytest.mark.parametrize("venue", POLLED)
def test_book_stream_yields_the_book_then_only_changes(venue: str) -> None:
    async def go() -> None:
        async with polled(venue) as (sim, ex):
            symbol = symbol_of(sim)
            amount = size(await ex.market(symbol), 5)
            async with ex.watch_order_book(symbol, limit=5) as books:
                first = await anext(books)
                assert first.symbol == symbol and len(first.bids) == 5
                best = first.bids[0].price
                price = best + (first.asks[0].price - best) / 2
                price = ex.price_to_precision(symbol, price)
                await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, amount, price)
                changed = await anext(books)
                assert changed.bids[0].price == price
                assert changed.bids[0].amount == amount
                assert len(changed.bids) == 5

    run(go())


@pytest.mark.parametrize("venue", POLLED)
def test_trades_and_ticker_streams_yield_new_trades_once(venue: str) -> None:
    async def go() -> None:
        async with polled(venue) as (sim, ex):
            symbol = symbol_of(sim)
            market = await ex.market(symbol)
            async with ex.watch_trades(symbol) as trades, ex.watch_ticker(symbol) as tickers:
                before = await anext(tickers)
                book = await ex.fetch_order_book(symbol, limit=1)
                price = ex.price_to_precision(symbol, book.asks[0].price)
                await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, size(market, 3), price)
                trade = await anext(trades)
                assert trade.price == price and trade.amount == size(market, 3)
                after = await anext(tickers)
                assert after.last == price and after != before
                # the same trades are on the next polls too: never yielded twice
                await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, size(market, 2), price)
                assert (await anext(trades)).amount == size(market, 2)

    run(go())


@pytest.mark.parametrize("venue", POLLED)
def test_more_trades_than_one_answer_between_two_polls_are_all_delivered(venue: str) -> None:
    """trades.do answers at most 60 trades; while polls fail, 130 trades happen: the stream
    reads on from the last trade it saw (the spec's trades_after_id) and delivers each once,
    in order."""
    async def go() -> None:
        async with polled(venue) as (sim, ex):
            symbol = symbol_of(sim)
            market = await ex.market(symbol)
            async with ex.watch_trades(symbol) as trades:
                outage = sim.faults.add("status", op="fetch_trades", times=10**6, status=503)
                book = await ex.fetch_order_book(symbol, limit=5)
                start = len(sim.engine.trades[symbol])
                for _ in range(130):  # each one trade against the resting asks
                    await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, size(market, 1),
                                          book.asks[-1].price)
                tape = sim.engine.trades[symbol][start:]
                assert len(tape) >= 130
                sim.faults.pending.remove(outage)
                got = [await asyncio.wait_for(anext(trades), 20) for _ in range(len(tape))]
                assert [t.id for t in got] == [str(t.seq) for t in tape]
                assert len({t.id for t in got}) == len(tape)

    run(go())


@pytest.mark.parametrize("venue", POLLED)
def test_orders_stream_yields_each_change_and_balances_follow(venue: str) -> None:
    async def go() -> None:
        async with polled(venue) as (sim, ex):
            symbol = symbol_of(sim)
            market = await ex.market(symbol)
            async with ex.watch_orders(symbol) as orders, ex.watch_balance() as balances:
                start = await anext(balances)
                book = await ex.fetch_order_book(symbol, limit=1)
                price = ex.price_to_precision(symbol, book.bids[0].price * Decimal("0.9"))
                placed = await ex.create_order(symbol, OrderType.LIMIT, Side.BUY,
                                               size(market, 5), price)
                seen = await anext(orders)
                assert (seen.id, seen.status) == (placed.id, OrderStatus.OPEN)
                held = await anext(balances)
                money = market.settle or market.quote  # a contract holds its settle currency
                assert held[money].held > start[money].held
                await ex.cancel_order(placed.id, symbol)
                gone = await anext(orders)
                assert (gone.id, gone.status) == (placed.id, OrderStatus.CANCELED)

    run(go())


@pytest.mark.parametrize("venue", POLLED)
def test_an_order_that_fills_between_two_polls_is_delivered_once(venue: str) -> None:
    """A taker order is never among the open orders a poll sees: the closed ones show it."""
    async def go() -> None:
        async with polled(venue) as (sim, ex):
            symbol = symbol_of(sim)
            async with ex.watch_orders(symbol) as orders:
                book = await ex.fetch_order_book(symbol, limit=1)
                amount = min(size(await ex.market(symbol), 2), book.asks[0].amount)
                placed = await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, amount,
                                               book.asks[0].price)
                seen = await asyncio.wait_for(anext(orders), 20)
                assert (seen.id, seen.status, seen.filled) == (
                    placed.id, OrderStatus.FILLED, amount)
                polls = orders_poller(ex).polls
                while orders_poller(ex).polls < polls + 3:
                    await asyncio.sleep(0.01)  # later polls (bounded: the wait_for below)
                later = await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, amount,
                                              book.asks[0].price)
                assert (await asyncio.wait_for(anext(orders), 20)).id == later.id

    run(go())


@pytest.mark.parametrize("venue", POLLED)
def test_an_order_finished_during_a_long_outage_is_delivered(venue: str) -> None:
    """Failed polls do not move the history window: after an outage longer than the margin
    (30 s), an order placed and filled while every poll failed is still read."""
    async def go() -> None:
        wall = ManualClock(datetime.now(UTC))
        clock = PacedClock(wall)
        async with SimVenue(venue, enforce_limits=False, clock=wall) as sim, unified.connect(
            venue, credentials=sim.credentials, base_url=sim.base_url, clock=clock,
            sleep=clock.sleep,
        ) as ex:
            symbol = symbol_of(sim)
            async with ex.watch_orders(symbol) as orders:
                sim.faults.add("status", op=served_as(sim, "fetch_open_orders"),
                               times=10_000, status=503)
                book = await ex.fetch_order_book(symbol, limit=1)
                amount = min(size(await ex.market(symbol), 2), book.asks[0].amount)
                placed = await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, amount,
                                               book.asks[0].price)
                poller = orders_poller(ex)
                for _ in range(60):  # a minute of failed polls
                    wall.advance(1)
                    polls = poller.polls
                    while poller.polls == polls:
                        await asyncio.sleep(0.001)
                sim.faults.clear()
                seen = await asyncio.wait_for(anext(orders), 20)
                assert (seen.id, seen.status) == (placed.id, OrderStatus.FILLED)

    run(go())


@pytest.mark.parametrize("venue", POLLED)
def test_every_market_calls_leave_out_a_pair_the_venue_does_not_trade(venue: str) -> None:
    """Legacy v1 lists both hosts' pairs; a host answers 1007 for a pair it does not trade.
    cancel_all_orders() and watch_orders() over every market leave that pair out; a call
    naming it gets the venue's error."""
    refusal = b'{"result":false,"error_code":1007}'

    async def go() -> None:
        async with polled(venue) as (sim, ex):
            op = served_as(sim, "fetch_open_orders")
            refused, symbol = sorted(await ex.load_markets())[0], symbol_of(sim)
            assert symbol != refused

            async def place() -> str:
                book = await ex.fetch_order_book(symbol, limit=1)
                price = ex.price_to_precision(symbol, book.bids[0].price * Decimal("0.9"))
                placed = await ex.create_order(symbol, OrderType.LIMIT, Side.BUY,
                                               size(await ex.market(symbol), 5), price)
                return placed.id

            sim.faults.add("status", op=op, status=200, body=refusal)
            with pytest.raises(VenueError) as named:  # a call naming the pair: its error
                await ex.fetch_open_orders(refused)
            assert named.value.code == "1007" and not ex._markets.untraded
            first = await place()
            sim.faults.add("status", op=op, status=200, body=refusal)
            assert [o.id for o in await ex.cancel_all_orders()] == [first]
            assert (await ex.fetch_order(first, symbol)).status is OrderStatus.CANCELED
            assert ex._markets.untraded == {refused}
            ex._markets.untraded.clear()
            sim.faults.add("status", op=op, status=200, body=refusal)
            async with ex.watch_orders() as orders:  # the first poll meets the refusal
                assert ex._markets.untraded == {refused}
                second = await place()
                seen = await asyncio.wait_for(anext(orders), 20)
                assert (seen.id, seen.status) == (second, OrderStatus.OPEN)
    run(go())


def served_as(sim: SimVenue, op: str) -> str:
    """The operation whose route the local venue serves `op`'s request under (a venue may read
    two operations from one path: the first in the spec answers both)."""
    endpoints = sim.spec.endpoints
    want = (endpoints[op].method, endpoints[op].path)
    return next(name for name, e in endpoints.items() if (e.method, e.path) == want)


def orders_poller(ex: unified.Exchange) -> Poller:
    stream = next(s for s, sub in ex._streams._subs.items() if sub.kind == "orders")
    return stream._start.__self__  # type: ignore[attr-defined, no-any-return]


@pytest.mark.parametrize("venue", POLLED)
def test_polled_streams_refuse_what_the_venue_cannot_do(venue: str) -> None:
    async def go() -> None:
        async with polled(venue) as (_, ex):
            assert not ex.has("websocket")
            if not ex.has("my_trades"):
                with pytest.raises(NotSupported):
                    await anext(ex.watch_my_trades())
            with pytest.raises(BadSymbol):
                await anext(ex.watch_ticker("NOPE/USDT"))
            with pytest.raises(BadSymbol):
                ex.watch_trades(None)  # type: ignore[arg-type]

    run(go())


@pytest.mark.parametrize("venue", CONTRACT_VENUES)
def test_positions_poll_yields_the_open_ones_then_each_change(venue: str) -> None:
    async def go() -> None:
        async with polled(venue) as (sim, ex):
            symbol = symbol_of(sim)
            lots = size(await ex.market(symbol), 1)

            async def cross(side: Side, amount: Decimal, **extra: object) -> None:
                book = await ex.fetch_order_book(symbol, limit=1)
                price = (book.asks if side is Side.BUY else book.bids)[0].price
                await ex.create_order(symbol, OrderType.LIMIT, side, amount, price, **extra)

            await cross(Side.BUY, lots, leverage=Decimal(2))
            poller = Poller(ex._pipe, ex._markets, ex, "positions", None, None)
            stream: Stream[unified.Position] = Stream(
                "positions", conflate=False, start=poller.start, stop=poller.stop)
            async with stream:
                first = await anext(stream)
                rest = await ex.fetch_position(symbol)  # the same but for its read time
                assert rest is not None and first == attrs.evolve(rest, timestamp=first.timestamp)
                await cross(Side.BUY, lots, leverage=Decimal(2))
                grown = await anext(stream)
                assert grown.contracts == 2 * lots
                await cross(Side.SELL, 2 * lots, reduce_only=True)
                closed = await anext(stream)
                assert (closed.symbol, closed.contracts) == (symbol, 0)
                assert await ex.fetch_position(symbol) is None

    run(go())
