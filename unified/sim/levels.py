"""The engine's aggregated book: size and order count per price level, and a per-symbol book
sequence raised by one on every level change.

REST depth answers and the streamed book changes both come from here, so a snapshot at
sequence N plus the changes after N is exactly the book: the consistency a client's book
keeper relies on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from unified.models import Side
from unified.sim.events import BookChanged, Events
from unified.sim.records import ZERO, SimOrder

Depth = list[tuple[Decimal, Decimal]]


class _Level:
    __slots__ = ("orders", "size")

    def __init__(self) -> None:
        self.size = ZERO
        self.orders = 0


class Levels:
    def __init__(self, symbols: list[str], events: Events, now: Callable[[], datetime]) -> None:
        self._sides: dict[str, dict[Side, dict[Decimal, _Level]]] = {
            s: {Side.BUY: {}, Side.SELL: {}} for s in symbols}
        self.sequence: dict[str, int] = dict.fromkeys(symbols, 0)
        self._resting: set[int] = set()  # order seqs on the book (ids may be renamed; seqs not)
        self._events = events
        self._now = now

    def rests(self, order: SimOrder) -> bool:
        return order.seq in self._resting

    def add(self, order: SimOrder) -> None:
        """A limit order starts resting with what remains of it."""
        self._resting.add(order.seq)
        self._change(order, order.remaining, 1)

    def took(self, order: SimOrder, qty: Decimal) -> None:
        """A resting order just traded `qty` (its remaining is already reduced)."""
        done = order.remaining <= 0
        if done:
            self._resting.discard(order.seq)
        self._change(order, -qty, -1 if done else 0)

    def shrank(self, order: SimOrder, by: Decimal) -> None:
        """A resting order's amount was reduced in place by `by`."""
        self._change(order, -by, 0)

    def remove(self, order: SimOrder) -> None:
        """A resting order leaves the book (canceled) with what remained of it."""
        if order.seq in self._resting:
            self._resting.discard(order.seq)
            self._change(order, -order.remaining, -1)

    def _change(self, order: SimOrder, size: Decimal, count: int) -> None:
        assert order.price is not None
        book = self._sides[order.symbol][order.side]
        level = book.get(order.price)
        if level is None:
            level = book[order.price] = _Level()
        level.size += size
        level.orders += count
        total, orders = level.size, level.orders
        if orders <= 0:
            del book[order.price]
            total, orders = ZERO, 0
        self.sequence[order.symbol] += 1
        if self._events:
            self._events.emit(BookChanged(
                self._events.next_n(), order.symbol, order.side, order.price, total, orders,
                self.sequence[order.symbol], self._now()))

    def side(self, symbol: str, side: Side, levels: int) -> Depth:
        """Best first: bids descending, asks ascending."""
        book = self._sides[symbol][side]
        prices = sorted(book, reverse=side is Side.BUY)[:levels]
        return [(p, book[p].size) for p in prices]

    def orders_at(self, symbol: str, side: Side, price: Decimal) -> int:
        level = self._sides[symbol][side].get(price)
        return level.orders if level else 0
