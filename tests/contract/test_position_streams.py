"""watch_positions (DESIGN 3b, 3c) on every contract venue against its local twin, over the
venue's stream (WebSocket where the spec says so, else polling): the open positions first,
each change after, a closed position once as flat, and nothing missed across a dropped socket.
Every check compares with what REST says the position is at that moment."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest

import unified
from unified import NotSupported, OrderType, Position, Side, registry
from unified.streams.stream import Stream

from ..conftest import CONTRACT_VENUES, SPOT_VENUES, run
from .harness import paced, size
from .test_streams import PATIENCE_S, next_of, until

STREAMED = [v for v in CONTRACT_VENUES if registry.get(v).spec.capability("websocket")]


def state(p: Position) -> tuple[Any, ...]:
    """What a stream and REST must agree on (the mark, and so the PnL, moves by itself)."""
    return (p.symbol, p.side, p.contracts, p.entry_price, p.leverage, p.margin_mode, p.margin)


async def cross(ex: unified.Exchange, symbol: str, side: Side, contracts: Decimal,
                **extra: Any) -> None:
    """A limit order at the best opposite price: it fills at once against the twin's book."""
    book = await ex.fetch_order_book(symbol, limit=1)
    price = (book.asks if side is Side.BUY else book.bids)[0].price
    await ex.create_order(symbol, OrderType.LIMIT, side, contracts, price, **extra)


@pytest.mark.parametrize("venue_id", CONTRACT_VENUES)
def test_a_position_is_streamed_as_it_opens_grows_and_closes(venue_id: str) -> None:
    async def go() -> None:
        async with paced(venue_id) as (_, ex, symbol), ex.watch_positions() as positions:
            lots = size(await ex.market(symbol), 1)
            await cross(ex, symbol, Side.BUY, 2 * lots, leverage=Decimal(5))
            opened = await until(positions, lambda p: p.symbol == symbol and p.contracts)
            rest = await ex.fetch_position(symbol)
            assert rest is not None and state(opened) == state(rest)
            assert opened.contracts == 2 * lots and opened.leverage == Decimal(5)
            await cross(ex, symbol, Side.BUY, lots, leverage=Decimal(5))
            grown = await until(positions, lambda p: p.contracts == 3 * lots)
            rest = await ex.fetch_position(symbol)
            assert rest is not None and state(grown) == state(rest)
            await cross(ex, symbol, Side.SELL, 3 * lots, reduce_only=True)
            closed = await until(positions, lambda p: p.contracts == 0)
            assert closed.symbol == symbol and await ex.fetch_position(symbol) is None

    run(go())


@pytest.mark.parametrize("venue_id", CONTRACT_VENUES)
def test_a_new_stream_starts_with_the_open_positions(venue_id: str) -> None:
    async def go() -> None:
        async with paced(venue_id) as (_, ex, symbol):
            lots = size(await ex.market(symbol), 1)
            await cross(ex, symbol, Side.SELL, lots, leverage=Decimal(2))
            rest = await ex.fetch_positions()
            async with ex.watch_positions(symbol) as mine, ex.watch_positions() as every:
                first = await next_of(mine)
                assert [state(first)] == [state(p) for p in rest]
                assert first.side is unified.PositionSide.SHORT
                assert state(await next_of(every)) == state(first)

    run(go())


@pytest.mark.parametrize("venue_id", [v for v in STREAMED if registry.get(v).descriptor
                                      .load_adapter().streams.endpoint_op(True)])
def test_a_position_changed_while_disconnected_is_reconciled(venue_id: str) -> None:
    """The private socket is down (its new connect token held back) while the position
    opens: after the reconnect REST reconciliation delivers it, once."""

    async def go() -> None:
        async with paced(venue_id) as (sim, ex, symbol), ex.watch_positions() as positions:
            lots = size(await ex.market(symbol), 1)
            await cross(ex, symbol, Side.BUY, lots, leverage=Decimal(3))
            assert (await until(positions, lambda p: p.contracts)).contracts == lots
            op = ex._streams._dialect.endpoint_op(True)  # type: ignore[union-attr]
            held = sim.faults.add("delay", op=op, delay_s=PATIENCE_S)
            drop = sim.streams.faults.add("drop", private=True, times=None)
            await drop.acted.wait()
            await cross(ex, symbol, Side.BUY, 2 * lots, leverage=Decimal(3))
            held.released.set()
            after = await until(positions, lambda p: p.contracts != lots)
            rest = await ex.fetch_position(symbol)
            assert rest is not None and state(after) == state(rest)
            assert after.contracts == 3 * lots

    run(go())


@pytest.mark.parametrize("venue_id", SPOT_VENUES)
def test_a_spot_venue_has_no_positions_to_watch(venue_id: str) -> None:
    async def go() -> None:
        async with paced(venue_id) as (_, ex, _symbol):
            stream: Stream[Position] = ex.watch_positions()
            with pytest.raises(NotSupported):
                await asyncio.wait_for(anext(stream), PATIENCE_S)

    run(go())
