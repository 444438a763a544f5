"""Sequenced deltas on a REST snapshot: a book kept from a venue that numbers every change.

The venue using it today is KuCoin spot level2: WebSocket topic `/market/level2:{symbol}`
(subject `trade.l2update`; topic spec `orderbookIncrement` in the official WebSocket specs,
kucoin-openapi ws/openapi-spot-public.json) on top of the full REST book
`GET /api/v3/market/orderbook/level2` (kucoin-classic-rest.md, "Order Book (Level 2)"; its
answer carries `sequence`, bids high to low, asks low to high). A delta's `data` holds
`sequenceStart`, `sequenceEnd` and `changes: {asks, bids}`, each row `[price, size, sequence]`
(strings). The reference copy of the classic docs lists the topic without its calibration
steps; the rules below are KuCoin's published calibration procedure, as implemented here:

1. Subscribe first, and buffer every delta that arrives before the snapshot (`apply` while
   `needs_snapshot`). The buffer is bounded; when full it forgets its oldest delta, which is
   safe: if the snapshot turns out to need it, replaying the buffer finds a gap (rule 4).
2. Fetch a full snapshot and `seed` with it: the book becomes the snapshot, at its sequence S.
   Then the buffered deltas are replayed in sequenceStart order (so the buffer tolerates any
   arrival order), and live deltas follow as they come. Live deltas are taken in arrival
   order (a WebSocket keeps it): one out of order shows as a gap and costs a resync, never a
   wrong book.
3. A delta whose sequenceEnd <= the book's sequence carries nothing new: it is discarded.
4. A delta whose sequenceStart > the book's sequence + 1 shows that deltas were missed: a gap.
   The keeper answers `Status.RESYNC` (the reason is in `resync`), drops the book and yields
   nothing until seeded again; the delta that showed the gap, and every one after it, is
   buffered for that next snapshot (which, if it is older than them, gaps again at once).
5. Otherwise the delta overlaps or continues the book. Each change whose own sequence is greater
   than the book's sequence *before this delta* is applied, in sequence order across both
   sides (a snapshot may have been taken in the middle of a delta: the earlier changes are in
   it already; replaying them in order would end where the snapshot is, so skipping them is
   the venue's rule and a saving rather than a correction). Size "0" removes the price; price
   "0" changes no level, it only uses up a sequence number. The book's sequence then becomes
   sequenceEnd (numbers in the range may carry no row at all).
6. A yielded book's sequence never goes backwards. A snapshot older than a book already reached
   (after `reset`, e.g. a reconnect answered by a lagging REST replica) is kept but not
   yielded until the deltas have brought it back to the highest sequence reached before.

A malformed delta is a DecodeError and changes nothing: the keeper stays consistent at its
sequence, and the hole it leaves shows as a gap (rule 4), live or when the buffer is replayed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any, NamedTuple

import attrs

from unified.arguments import positive_int
from unified.errors import ConfigurationError, DecodeError
from unified.models import OrderBook
from unified.streams.book import (
    RESYNC,
    UNCHANGED,
    UPDATED,
    BookKeeper,
    Level,
    Resync,
    Row,
    Status,
    _new,
    _set_asks,
    _set_bids,
    _set_raw,
    _set_sequence,
    _set_symbol,
    _set_time,
    parse_level,
    sort_key,
)

_raw = attrs.field(default=None, eq=False, repr=False)
_SEQUENCE = itemgetter(0)


@attrs.frozen(kw_only=True, slots=True)
class Snapshot:
    """A full book at `sequence`: rows `[price, size]` as the venue wrote them."""

    sequence: int
    bids: Sequence[Sequence[object]]
    asks: Sequence[Sequence[object]]
    timestamp: datetime | None = None
    raw: Any = _raw


class Delta(NamedTuple):
    """One delta covering sequences `start`..`end`: rows `[price, size, sequence]`.

    A named tuple rather than an attrs class, as the payload records are: an adapter builds
    one per frame, and building a tuple costs a fraction of setting six frozen slots. Like the
    attrs records, `raw` (the venue's payload) is left out of equality, hash and repr."""

    start: int
    end: int
    bids: Sequence[Sequence[object]]
    asks: Sequence[Sequence[object]]
    timestamp: datetime | None = None
    raw: Any = None

    def __eq__(self, other: object) -> bool:
        return type(other) is Delta and self[:5] == other[:5]

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self[:5])

    def __repr__(self) -> str:
        return (f"Delta(start={self.start!r}, end={self.end!r}, bids={self.bids!r}, "
                f"asks={self.asks!r}, timestamp={self.timestamp!r})")


_tuple_new = tuple.__new__


def make_delta(start: int, end: int, bids: Sequence[Sequence[object]],
               asks: Sequence[Sequence[object]], timestamp: datetime | None,
               raw: Any) -> Delta:
    """`Delta(start, end, bids, asks, timestamp, raw)` without the keyword handling (an
    adapter builds one per frame)."""
    delta: Delta = _tuple_new(Delta, (start, end, bids, asks, timestamp, raw))
    return delta


class _Parsed(NamedTuple):
    start: int
    end: int
    bids: list[Row]  # each side in sequence order
    asks: list[Row]
    timestamp: datetime | None
    raw: Any


def _sequence(value: object, what: str) -> int:
    # bool is an int; a float sequence would have lost digits already
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    raise DecodeError(f"{what} must be a non-negative integer, got {value!r}")


def _row(row: object, what: str, start: int, end: int) -> Row:
    """One change, every check in the order the errors are worded: the general path."""
    level = parse_level(row, what)
    assert isinstance(row, Sequence)  # parse_level checked it
    if len(row) < 3:
        raise DecodeError(f"{what} must be [price, size, sequence], got {row!r}")
    seq = _sequence(row[2], f"{what} sequence")
    if not start <= seq <= end:
        raise DecodeError(f"{what} sequence {seq} is outside {start}..{end}")
    price = level.price
    return seq, (price, sort_key(price, level.price_text)), level.amount, level.price_text, \
        level.amount_text


def _side_rows(rows: Sequence[object], what: str, start: int, end: int) -> list[Row]:
    """Every row of one side checked and parsed (the general rules, every refusal worded), in
    sequence order (stable: two rows of one sequence keep the venue's order). A delta that
    continues a live book is read by BookSide.take first; this is for the rest (buffered,
    stale or gapped deltas) and for rows that one refuses."""
    out = [_row(row, what, start, end) for row in rows]
    out.sort(key=_SEQUENCE)
    return out


def _span(start: object, end: object) -> tuple[int, int]:
    first = _sequence(start, "sequenceStart")
    last = _sequence(end, "sequenceEnd")
    if first > last:
        raise DecodeError(f"sequenceStart {first} is past sequenceEnd {last}")
    return first, last


def _snapshot_side(rows: Sequence[Sequence[object]], what: str) -> list[Level]:
    levels = [parse_level(row, what) for row in rows]
    for level in levels:
        if level.price == 0:
            raise DecodeError(f"{what} has price 0")
    return levels


class SequencedBook:
    """One symbol's book from sequenced deltas on a snapshot (the module docstring has the
    rules). Drive it with `apply`/`feed` for every delta and `seed` whenever `needs_snapshot`;
    read it with `book()`. `limit` trims the books it returns, never the book it keeps."""

    def __init__(self, symbol: str, *, limit: int | None = None,
                 max_buffer: int = 10_000) -> None:
        positive_int("limit", limit)
        if positive_int("max_buffer", max_buffer) is None:
            raise ConfigurationError("max_buffer must be a positive int")
        self._book = BookKeeper(symbol, keep_text=False)  # no checksum reads them
        self.limit = limit
        self._buffer: deque[_Parsed] = deque(maxlen=max_buffer)
        self._live = False
        self._high: int | None = None  # the highest sequence a consistent book has reached
        #: why the keeper last lost consistency (None before it ever did, and once re-seeded)
        self.resync: Resync | None = None
        #: called just before a live book is dropped (`reset`, a gap): whoever holds a lazy
        #: read of it (Stream.push_latest) builds it then, while it is still consistent
        self.on_drop: Callable[[], None] | None = None

    @property
    def needs_snapshot(self) -> bool:
        """True until seeded, and again after a gap or `reset`: fetch a snapshot, `seed` it."""
        return not self._live

    @property
    def sequence(self) -> int | None:
        """The sequence of the book held (None while waiting for a snapshot)."""
        return self._book.sequence

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def reset(self) -> None:
        """Forget the book and the buffer (a reconnect); the next yield needs a new snapshot.
        The highest sequence reached is remembered, so yields still never go backwards."""
        if self._live and self.on_drop is not None:
            self.on_drop()
        self._live = False
        self._book.clear()
        self._buffer.clear()

    def apply(self, delta: Delta) -> Status:
        """Take one delta: buffer it (waiting), discard it (stale), apply it, or report a gap.
        The delta is read whole before anything changes: a DecodeError has changed nothing."""
        start, end, bid_rows, ask_rows, timestamp, raw = delta
        if type(start) is not int or type(end) is not int or not 0 <= start <= end:
            start, end = _span(start, end)
        book = self._book
        floor = book.sequence
        if self._live and floor is not None and start <= floor + 1 <= end:
            # it continues the book: each side read and put in at once (BookSide.take), the
            # sides in their own sequence order being the whole delta in sequence order
            undo: list[Any] = []
            if not bid_rows or book.bids.take(bid_rows, start, end, floor, undo):
                if not ask_rows or book.asks.take(ask_rows, start, end, floor, undo):
                    book.sequence = end
                    if timestamp is not None:
                        book.timestamp = timestamp
                    book.raw = raw
                    if self._high is not None and end < self._high:
                        return UNCHANGED  # behind a book already reached: catching up
                    self._high = end
                    return UPDATED
                book.bids.revert(undo)  # the asks are not all of the common shape
        # the general path: every row checked (and a refusal worded) before anything changes
        bids = _side_rows(bid_rows, "bid change", start, end) if bid_rows else []
        asks = _side_rows(ask_rows, "ask change", start, end) if ask_rows else []
        if not self._live:
            self._buffer.append(_Parsed(start, end, bids, asks, timestamp, raw))
            return UNCHANGED
        return self._advance(start, end, bids, asks, timestamp, raw)

    def seed(self, snapshot: Snapshot) -> Status:
        """Start from a full snapshot, then replay the buffer. UPDATED: a book is ready;
        UNCHANGED: seeded, but behind a book already reached (rule 6), so nothing is yielded
        until deltas catch up; RESYNC: the snapshot is older than the first buffered delta
        can continue from, fetch a newer one."""
        if self._live:
            raise ConfigurationError("seed() on a live book: reset() it first")
        sequence = _sequence(snapshot.sequence, "snapshot sequence")
        bids = _snapshot_side(snapshot.bids, "snapshot bid")
        asks = _snapshot_side(snapshot.asks, "snapshot ask")
        self._book.replace(bids, asks)
        self._book.sequence = sequence
        self._book.stamp(snapshot.timestamp, snapshot.raw)
        self._live, self.resync = True, None
        pending = sorted(self._buffer, key=lambda d: d.start)
        self._buffer.clear()
        for i, parsed in enumerate(pending):
            if self._advance(*parsed) is RESYNC:
                self._buffer.extend(pending[i + 1:])
                return RESYNC
        return self._settle()

    def book(self) -> OrderBook | None:
        """The consistent book, or None while there is none to yield (waiting for a snapshot,
        or re-seeded below a sequence already reached)."""
        return self.read(self.limit)

    def read(self, limit: int | None) -> OrderBook | None:
        """`book()` trimmed to `limit` instead of the keeper's own."""
        sequence = self._book.sequence
        if not self._live or sequence is None or (self._high is not None
                                                  and sequence < self._high):
            return None
        return self._book.order_book(limit)

    def reader(self, limit: int | None) -> Callable[[], OrderBook]:
        """`read(limit)` as one closure (Stream.push_latest calls it per book read), raising
        where `read` answers None: a pusher pushes only while a book is there (`on_drop`)."""
        book = self._book
        bids, asks, symbol = book.bids, book.asks, book.symbol

        def read() -> OrderBook:
            sequence, high = book.sequence, self._high
            if not self._live or sequence is None or (high is not None and sequence < high):
                raise RuntimeError(f"{symbol}: a stream read a book that is not there")
            built: OrderBook = _new(OrderBook)  # BookKeeper.order_book, inline
            _set_symbol(built, symbol)
            _set_time(built, book.timestamp)
            _set_bids(built, bids._top if bids._top_n == limit else bids.top(limit))
            _set_asks(built, asks._top if asks._top_n == limit else asks.top(limit))
            _set_sequence(built, sequence)
            _set_raw(built, book.raw)
            return built

        return read

    def feed(self, delta: Delta) -> OrderBook | Resync | None:
        """`apply`, answered for a consumer: the new book, the Resync signal, or None."""
        status = self.apply(delta)
        if status is UPDATED:  # consistent and at the highest sequence: what book() answers
            return self._book.order_book(self.limit)
        if status is RESYNC:
            assert self.resync is not None  # set by the gap that answered RESYNC
            return self.resync
        return None

    def _advance(self, start: int, end: int, bids: list[Row], asks: list[Row],
                 timestamp: datetime | None, raw: Any) -> Status:
        book = self._book
        floor = book.sequence
        assert floor is not None  # live books are seeded
        if end <= floor:
            return UNCHANGED
        if start > floor + 1:
            self._lose(Resync(reason=f"gap: deltas {floor + 1}..{start - 1} are missing",
                              expected=floor + 1, received=start))
            self._buffer.append(_Parsed(start, end, bids, asks, timestamp, raw))
            return RESYNC
        if bids:
            book.bids.apply(bids, floor)
        if asks:
            book.asks.apply(asks, floor)
        book.sequence = end
        book.stamp(timestamp, raw)
        return self._settle()

    def _settle(self) -> Status:
        sequence = self._book.sequence
        assert sequence is not None
        if self._high is not None and sequence < self._high:
            return UNCHANGED  # behind a book already reached: catching up
        self._high = sequence
        return UPDATED

    def _lose(self, resync: Resync) -> None:
        if self.on_drop is not None:
            self.on_drop()
        self._live = False
        self._book.clear()
        self._buffer.clear()
        self.resync = resync
