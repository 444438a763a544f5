"""A paper trader that keeps a local venue moving while `--local` live views watch it.

A local venue started for one command stands still: nothing trades unless someone does. With
`unified watch --local` and `unified arb --watch --local`, this trader uses the command's own
client (the paper account of `--local`) through the venue's ordinary REST protocol, so every
stream sees real changes: each round it takes the top of the book with a small limit order
(a public trade, a new ticker, a book change, an order filled, balances moved) and leaves a
small order resting just behind the top, cancelling the previous one. Sides alternate, so
the account stays about where it started.
"""

from __future__ import annotations

import asyncio
import contextlib
import decimal
from collections.abc import AsyncIterator
from decimal import Decimal

from unified.cli.errors import on
from unified.client import Exchange
from unified.models import Market, Order, OrderType, Side

EVERY = 0.3  # seconds between two rounds


def size(market: Market, price: Decimal) -> Decimal:
    """A few minimum amounts, enough for the market's minimum cost at `price`."""
    amount = market.min_amount * 10
    if market.min_cost is not None and amount * price < market.min_cost * 2:
        steps = (market.min_cost * 2 / price / market.amount_increment).to_integral_value(
            rounding=decimal.ROUND_CEILING)
        amount = steps * market.amount_increment
    return amount


async def _round(ex: Exchange, market: Market, side: Side, resting: Order | None
                 ) -> Order | None:
    """Take the top of the book on `side`, rest one order behind it; cancel `resting`."""
    symbol, step = market.symbol, market.price_increment
    book = await ex.fetch_order_book(symbol, limit=5)
    if not book.bids or not book.asks:
        return resting
    top = book.asks[0] if side is Side.BUY else book.bids[0]
    # No more than the top level holds, so nothing of the taking order is left resting.
    amount = min(size(market, top.price), top.amount)
    await ex.create_order(symbol, OrderType.LIMIT, side, max(amount, market.min_amount),
                          top.price)
    behind = book.bids[0].price - step if side is Side.BUY else book.asks[0].price + step
    placed = None
    if behind > 0:
        placed = await ex.create_order(symbol, OrderType.LIMIT, side, size(market, behind),
                                       behind)
    if resting is not None:
        await ex.cancel_order(resting.id, symbol)
    return placed


async def trade(ex: Exchange, venue: str, symbol: str | None, every: float = EVERY) -> None:
    """Trade on `symbol` (None: the venue's first market) until cancelled."""
    with on(venue):
        markets = await ex.load_markets()
        market = markets[symbol] if symbol in markets else next(iter(markets.values()))
        side, resting = Side.BUY, None
        while True:
            resting = await _round(ex, market, side, resting)
            side = Side.SELL if side is Side.BUY else Side.BUY
            await asyncio.sleep(every)


@contextlib.asynccontextmanager
async def trading(ex: Exchange, venue: str, symbol: str | None, every: float = EVERY
                  ) -> AsyncIterator[None]:
    """The trader runs while the block does. If it fails, the block is stopped and the
    trader's error comes out of it (a venue error names the venue, as the commands' do)."""
    main = asyncio.current_task()
    task = asyncio.create_task(trade(ex, venue, symbol, every))

    def stop_main(done: asyncio.Task[None]) -> None:
        if main is not None and not done.cancelled() and done.exception() is not None:
            main.cancel()

    task.add_done_callback(stop_main)
    try:
        yield
    except asyncio.CancelledError:
        error = None if task.cancelled() or not task.done() else task.exception()
        if main is not None and error is not None:
            main.uncancel()
            raise error from None
        raise
    finally:
        task.remove_done_callback(stop_main)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
