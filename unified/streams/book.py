"""The venue-neutral order book behind every streamed book, and the signals keepers answer with.

A `BookKeeper` only stores: price -> level maps for bids and asks, the sequence the book is at,
and the time and payload of the last message applied. It never decides whether a message may
be applied; that is the job of the rules beside it (`sequenced`: numbered deltas on a REST
snapshot; `checksummed`: increments verified by a CRC32). Keeping the store dumb lets both rule
sets share one tested implementation of "apply a level" and "read the best n".

Costs: a level change is one dict write, plus a bisect into the sorted price list when a price
appears or goes (a pointer memmove, no comparison of the whole book). Reading the best n levels
costs n; nothing sorts the whole book per message. Every level keeps the exact strings the
venue sent, because a venue's checksum is computed over its own text ("0.0000001"), not over
our re-formatting of a Decimal ("1E-7"). Amounts and prices are Decimals parsed from those
strings; a float, a bool, a negative or non-finite number is a DecodeError.
"""

from __future__ import annotations

import bisect
import enum
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

import attrs

from unified.errors import DecodeError
from unified.models import BookLevel, OrderBook


class Level(NamedTuple):
    """One price level as the venue wrote it, with the unified level built once from it (shared
    by every book yielded while the level stands, so a yield allocates no levels)."""

    price_text: str
    amount_text: str
    model: BookLevel

    @property
    def price(self) -> Decimal:
        return self.model.price

    @property
    def amount(self) -> Decimal:
        return self.model.amount


def decimal_text(value: object, what: str) -> tuple[str, Decimal]:
    """The venue's string and its exact value; only strings are accepted (never floats)."""
    if not isinstance(value, str):
        raise DecodeError(f"{what} must be a decimal string, got {type(value).__name__}")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise DecodeError(f"{what} is not a decimal number: {value!r}") from None
    if not number.is_finite() or number < 0:
        raise DecodeError(f"{what} must be a finite number >= 0, got {value!r}")
    return value, number


def parse_level(row: object, what: str) -> Level:
    """`[price, amount, ...]`; any fields past the second are the caller's to read."""
    if not isinstance(row, Sequence) or isinstance(row, str) or len(row) < 2:
        raise DecodeError(f"{what} must be [price, amount, ...], got {row!r}")
    price_text, price = decimal_text(row[0], f"{what} price")
    amount_text, amount = decimal_text(row[1], f"{what} amount")
    return Level(price_text, amount_text, BookLevel(price=price, amount=amount))


class BookSide:
    """One side of a book: the levels by price, and their prices kept in ascending order (bids
    are read from the end), so that the best levels are found without sorting."""

    __slots__ = ("_levels", "_prices", "descending")

    def __init__(self, *, descending: bool) -> None:
        self.descending = descending
        self._levels: dict[Decimal, Level] = {}
        self._prices: list[Decimal] = []

    def __len__(self) -> int:
        return len(self._levels)

    def set(self, level: Level) -> None:
        """Put a level in; an amount of zero removes its price (absent already: no-op)."""
        price = level.model.price
        if level.model.amount == 0:
            if self._levels.pop(price, None) is not None:
                del self._prices[bisect.bisect_left(self._prices, price)]
            return
        if price not in self._levels:
            bisect.insort(self._prices, price)
        self._levels[price] = level

    def load(self, levels: Iterable[Level]) -> None:
        """Replace the whole side (a snapshot): one sort instead of one insert per level."""
        self._levels = {lv.model.price: lv for lv in levels}
        for price in [p for p, lv in self._levels.items() if lv.model.amount == 0]:
            del self._levels[price]
        self._prices = sorted(self._levels)

    def clear(self) -> None:
        self._levels = {}
        self._prices = []

    def best(self, n: int | None = None) -> list[Level]:
        """The best `n` levels (all when None), best first."""
        prices = self._prices
        if self.descending:
            start = 0 if n is None else max(len(prices) - n, 0)
            keys: Iterable[Decimal] = reversed(prices[start:])
        else:
            keys = prices if n is None else prices[:n]
        levels = self._levels
        return [levels[p] for p in keys]


class BookKeeper:
    """A whole book for one symbol. It applies what it is told; the rule sets decide what."""

    __slots__ = ("asks", "bids", "raw", "sequence", "symbol", "timestamp")

    def __init__(self, symbol: str) -> None:
        self.symbol = symbol
        self.bids = BookSide(descending=True)
        self.asks = BookSide(descending=False)
        self.sequence: int | None = None
        self.timestamp: datetime | None = None
        self.raw: Any = None

    def clear(self) -> None:
        self.bids.clear()
        self.asks.clear()
        self.sequence = None
        self.timestamp = None
        self.raw = None

    def replace(self, bids: Iterable[Level], asks: Iterable[Level]) -> None:
        self.bids.load(bids)
        self.asks.load(asks)

    def stamp(self, timestamp: datetime | None, raw: Any) -> None:
        """Record the message just applied: its time (if it has one) and its payload."""
        if timestamp is not None:
            self.timestamp = timestamp
        self.raw = raw

    def order_book(self, limit: int | None = None) -> OrderBook:
        """The unified model; `limit` trims what is returned, never what is kept."""
        return OrderBook(
            symbol=self.symbol,
            timestamp=self.timestamp,
            bids=tuple(lv.model for lv in self.bids.best(limit)),
            asks=tuple(lv.model for lv in self.asks.best(limit)),
            sequence=self.sequence,
            raw=self.raw,
        )


class Status(enum.Enum):
    """What one message did to a keeper."""

    #: the book is consistent and moved on: a new book may be yielded
    UPDATED = "updated"
    #: nothing new to yield (buffered, stale, or waiting for a snapshot)
    UNCHANGED = "unchanged"
    #: consistency was lost just now: nothing is yielded until the keeper is seeded again
    RESYNC = "resync"


@attrs.frozen(kw_only=True, slots=True)
class Resync:
    """Why a keeper stopped yielding. `expected` and `received` are the two numbers that
    disagreed (sequences for a gap, checksums for a mismatch), when there are two."""

    reason: str
    expected: int | None = None
    received: int | None = None

