"""Streams on venues without a WebSocket (legacy v1): poll REST, yield only changes.

The same Stream type and the same promises as the WebSocket streams where polling can keep
them: books and tickers when they change (conflated), trades and order changes once each,
balances whole after each change. The pace is the spec's `poll_interval_s`; every request
still goes through the pipeline's rate limiter, so polling stays within the venue's limits.
The first poll of trades and orders is the baseline: like a subscription, a stream yields
what happens after it starts (books, tickers and balances yield their current state first).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import Any, Protocol

import attrs

from unified.derivative_models import Position
from unified.errors import (
    NotSupported,
    RateLimited,
    TransportError,
    UnifiedError,
    VenueError,
    VenueUnavailable,
)
from unified.market_data import MarketData
from unified.markets import Markets
from unified.models import Balances, Fill, Order, OrderBook, Ticker, Trade
from unified.pipeline import Pipeline
from unified.streams.private import MARGIN, OrderTracker, PositionTracker
from unified.streams.stream import Stream

log = logging.getLogger("unified.streams")

#: failures the pipeline could not retry away that a poll simply tries again later
PASSING = (TransportError, VenueUnavailable, RateLimited)
#: trade ids remembered per stream
SEEN_TRADES = 10_000
#: pages of trades one poll reads on from the last trade seen (trades_after_id venues)
CATCH_UP_PAGES = 20


class PollRest(Protocol):
    async def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook: ...

    async def fetch_ticker(self, symbol: str) -> Ticker: ...

    async def fetch_open_orders(self, symbol: str) -> list[Order]: ...

    async def fetch_order(self, id: str, symbol: str) -> Order: ...

    async def fetch_closed_orders(self, symbol: str, since: datetime | None = None
                                  ) -> list[Order]: ...

    async def fetch_balance(self) -> Balances: ...

    async def fetch_my_trades(self, symbol: str) -> list[Fill]: ...

    async def fetch_positions(self, symbols: list[str] | None = None) -> list[Position]: ...


def _moment(order: Order) -> datetime:
    return order.updated_at or order.created_at or datetime.min.replace(tzinfo=UTC)


def _ticker_state(ticker: Ticker) -> tuple[Any, ...]:
    return attrs.astuple(ticker, filter=lambda a, _: a.name not in ("timestamp", "raw"))


class Poller:
    def __init__(self, pipe: Pipeline, markets: Markets, rest: PollRest, kind: str,
                 symbol: str | None, limit: int | None) -> None:
        self._pipe, self._markets, self._rest = pipe, markets, rest
        self.kind, self.symbol, self.limit = kind, symbol, limit
        self.interval = float(pipe.spec.capability("poll_interval_s") or 1.0)
        self._task: asyncio.Task[None] | None = None
        self._last: Any = None
        self._trades: dict[str, None] = {}
        self._newest: str | None = None  # the id of the newest trade read (trades streams)
        self._data = MarketData(pipe, markets)
        self._orders = OrderTracker()
        self._open: dict[str, Order] = {}
        self._polled_at: datetime | None = None  # when the orders were last polled
        self._positions = PositionTracker()
        self.polls = 0

    async def start(self, stream: Stream[Any]) -> None:
        if self.kind == "my_trades" and "iter_my_trades" not in self._pipe.spec.endpoints:
            raise NotSupported(f"{self._pipe.venue} has no fills endpoint to watch")
        if self.kind == "positions" and "fetch_positions" not in self._pipe.spec.endpoints:
            raise NotSupported(f"{self._pipe.venue} has no positions to watch")
        if self.symbol is not None:
            await self._markets.market(self.symbol)  # BadSymbol now, not in the loop
        await self._poll(stream, first=True)
        self._task = asyncio.create_task(self._loop(stream), name=f"unified-poll-{stream.name}")

    async def stop(self, stream: Stream[Any]) -> None:
        task, self._task = self._task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _loop(self, stream: Stream[Any]) -> None:
        while not stream.closed:
            await self._pipe.sleep(self.interval)
            try:
                await self._poll(stream, first=False)
            except PASSING as exc:
                log.info("%s: poll failed (%s); next one in %ss", stream.name,
                         type(exc).__name__, self.interval)
            except UnifiedError as exc:
                stream.fail(exc)
                return

    async def _poll(self, stream: Stream[Any], *, first: bool) -> None:
        self.polls += 1
        for item in await getattr(self, f"_poll_{self.kind}")(first):
            stream.push(item)

    async def _poll_book(self, first: bool) -> list[OrderBook]:
        assert self.symbol is not None
        book = await self._rest.fetch_order_book(self.symbol, self.limit)
        state = (book.bids, book.asks)
        if state == self._last:
            return []
        self._last = state
        return [book]

    async def _poll_ticker(self, first: bool) -> list[Ticker]:
        assert self.symbol is not None
        ticker = await self._rest.fetch_ticker(self.symbol)
        state = _ticker_state(ticker)
        if state == self._last:
            return []
        self._last = state
        return [ticker]

    async def _poll_trades(self, first: bool) -> list[Trade]:
        """The trades since the last poll, each once: where the venue reads on from a trade
        id (the spec's trades_after_id: its page size), from the newest one seen, page after
        page, so a busy market or a failed poll loses none; else its newest page."""
        assert self.symbol is not None
        page = int(self._pipe.spec.capability("trades_after_id") or 0)
        if page and self._newest is not None:
            batch = await self._trades_after(self._newest, page)
        else:
            batch = await self._data.trades(self.symbol, None)
        if batch:
            self._newest = batch[-1].id  # both read oldest first
        new = [t for t in batch if t.id not in self._trades]
        for trade in new:
            self._trades[trade.id] = None
        while len(self._trades) > SEEN_TRADES:
            del self._trades[next(iter(self._trades))]
        return [] if first else sorted(new, key=lambda t: t.timestamp)

    async def _trades_after(self, newest: str, page: int) -> list[Trade]:
        """Up to CATCH_UP_PAGES pages after `newest`: a backlog longer than that is read on
        by the next polls (from the last trade read), never skipped."""
        assert self.symbol is not None
        out: list[Trade] = []
        for _ in range(CATCH_UP_PAGES):
            batch = await self._data.trades(self.symbol, None, after=newest)
            out += batch
            if len(batch) < page:
                break
            newest = batch[-1].id
        return out

    async def _poll_my_trades(self, first: bool) -> list[Fill]:
        """The account's newest fills (of the symbol, or of every market), each once."""
        symbols = [self.symbol] if self.symbol else await self._markets.traded()
        new = []
        for symbol in symbols:
            try:
                fills = await self._rest.fetch_my_trades(symbol)
            except VenueError as exc:
                if not self._left_out(symbol, exc):
                    raise
                continue
            for fill in fills:
                key = f"{fill.symbol}/{fill.order_id}/{fill.id}"
                if key not in self._trades:
                    self._trades[key] = None
                    new.append(fill)
        while len(self._trades) > SEEN_TRADES:
            del self._trades[next(iter(self._trades))]
        return [] if first else sorted(new, key=lambda f: f.timestamp)

    def _left_out(self, symbol: str, error: VenueError) -> bool:
        """Whether a market of an every-market poll is one the venue does not trade: left out
        of this poll and the later ones (a named market's refusal is the stream's error)."""
        if self.symbol is not None or not self._markets.refuses(symbol, error):
            return False
        log.info("%s: %s is not traded there; left out", self._pipe.venue, symbol)
        return True

    async def _poll_orders(self, first: bool) -> list[Order]:
        """Open orders, orders closed since the last poll (one that opened and finished
        between two polls is only there), and the final state of those no longer open. The
        poll's time is kept only once it succeeded: after failed polls (an outage), the next
        one still reads the history from the last poll that did."""
        symbols = [self.symbol] if self.symbol else await self._markets.traded()
        now = self._pipe.clock.now()
        since = (self._polled_at or now) - MARGIN
        current: dict[str, Order] = {}
        closed: dict[str, Order] = {}
        for symbol in symbols:
            try:
                current.update((o.id, o) for o in await self._rest.fetch_open_orders(symbol))
                closed.update((o.id, o) for o in await self._rest.fetch_closed_orders(
                    symbol, since=since))
            except VenueError as exc:
                if not self._left_out(symbol, exc):
                    raise
        changed = [o for o in [*current.values(), *sorted(closed.values(), key=_moment)]
                   if self._orders.is_new(o)]
        for gone in self._open.keys() - current.keys() - closed.keys():
            final = await self._rest.fetch_order(gone, self._open[gone].symbol)
            if self._orders.is_new(final):
                changed.append(final)
        self._open, self._polled_at = current, now
        return [] if first else changed

    async def _poll_balance(self, first: bool) -> list[Balances]:
        balances = await self._rest.fetch_balance()
        state = dict(balances)
        if state == self._last:
            return []
        self._last = state
        return [balances]

    async def _poll_positions(self, first: bool) -> list[Position]:
        """The open positions first, then each one that changed; a closed one once, flat."""
        current = await self._rest.fetch_positions([self.symbol] if self.symbol else None)
        gone = self._positions.gone(current, self._pipe.clock.now())
        changed = [p for p in [*current, *gone] if self._positions.is_new(p)]
        return current if first else changed
