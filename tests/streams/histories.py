"""Reference models and hypothesis strategies for the book keepers.

The reference book is written independently of unified.streams (plain dicts, sorted on every
read, its own checksum): the keepers are right when they agree with it.
"""

from __future__ import annotations

import itertools
import struct
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from unified.convert import loads
from unified.models import OrderBook
from unified.streams.checksummed import Depth
from unified.streams.sequenced import Delta, Snapshot

DATA = Path(__file__).resolve().parent.parent / "data" / "streams"


def example(name: str) -> Any:
    return loads((DATA / name).read_bytes())


def _price_texts(first: str, step: str, count: int) -> list[str]:
    """Prices written the ways venues write them: "100", "99.75", "99.50" (trailing zeros
    kept on some), so that a re-formatted Decimal would not reproduce the checksum."""
    texts = []
    for i in range(count):
        value = Decimal(first) + Decimal(step) * i
        texts.append(format(value.normalize(), "f") if i % 3 == 0 else str(value))
    return texts


BID_PRICES = _price_texts("100.00", "-0.25", 36)  # best first
ASK_PRICES = _price_texts("100.25", "0.25", 36)
SIZES = ["0.0000001", "0.00012000", "1", "1.50", "2.25", "10", "37.123456"]
ZEROS = ["0", "0.000"]


@dataclass
class RefBook:
    """price -> (price text, size text) per side."""

    bids: dict[Decimal, tuple[str, str]] = field(default_factory=dict)
    asks: dict[Decimal, tuple[str, str]] = field(default_factory=dict)

    def copy(self) -> RefBook:
        return RefBook(dict(self.bids), dict(self.asks))

    def apply(self, bid: bool, price: str, size: str) -> None:
        side = self.bids if bid else self.asks
        if Decimal(size) == 0:
            side.pop(Decimal(price), None)
        else:
            side[Decimal(price)] = (price, size)

    def rows(self, bid: bool) -> list[list[str]]:
        side = self.bids if bid else self.asks
        return [list(side[p]) for p in sorted(side, reverse=bid)]

    def view(self, limit: int | None = None) -> tuple[list[tuple[Decimal, Decimal]], ...]:
        return tuple([(Decimal(p), Decimal(s)) for p, s in self.rows(bid)][:limit]
                     for bid in (True, False))

    def checksum(self) -> int:
        fields: list[str] = []
        for bid, ask in itertools.zip_longest(self.rows(True)[:25], self.rows(False)[:25]):
            fields += (bid or []) + (ask or [])
        crc = zlib.crc32(":".join(fields).encode("ascii"))
        return int(struct.unpack("<i", struct.pack("<I", crc))[0])


def view(book: OrderBook) -> tuple[list[tuple[Decimal, Decimal]], ...]:
    return tuple([(lv.price, lv.amount) for lv in side] for side in (book.bids, book.asks))


# -- sequenced histories: every change numbered, grouped into deltas ------------------------

# (bid side?, price index, size text); index MARKER: a price "0" row, SILENT: a sequence number
# the venue used for something else and sent no row for
Event = tuple[bool, int, str]
MARKER, SILENT = -1, -2

# a few prices often, so that one delta touches one price several times
index_st = st.one_of(st.integers(0, 3), st.integers(0, 35))
levels_st = st.lists(st.tuples(st.booleans(), index_st, st.sampled_from(SIZES)), max_size=40)
event_st = st.one_of(
    st.tuples(st.booleans(), index_st, st.sampled_from(SIZES + ZEROS)),
    st.tuples(st.booleans(), index_st, st.sampled_from(ZEROS)),
    st.tuples(st.booleans(), st.sampled_from([MARKER, SILENT]), st.sampled_from(SIZES + ZEROS)),
)


def price_of(bid: bool, index: int) -> str:
    return (BID_PRICES if bid else ASK_PRICES)[index]


def initial_book(levels: list[tuple[bool, int, str]]) -> RefBook:
    ref = RefBook()
    for bid, index, size in levels:
        ref.apply(bid, price_of(bid, index), size)
    return ref


@dataclass
class History:
    """The true book at every sequence from `first` to `last`, and the deltas that carry it."""

    first: int
    books: list[RefBook]
    deltas: list[Delta]

    @property
    def last(self) -> int:
        return self.first + len(self.books) - 1

    def at(self, sequence: int) -> RefBook:
        return self.books[sequence - self.first]

    def inside(self) -> list[int]:
        """Sequences in the middle of a delta: a snapshot there holds part of that delta."""
        return [s for d in self.deltas for s in range(d.start, d.end)]

    def snapshot(self, sequence: int) -> Snapshot:
        ref = self.at(sequence)
        return Snapshot(sequence=sequence, bids=ref.rows(True), asks=ref.rows(False))


@st.composite
def histories(draw: st.DrawFn, min_deltas: int = 1) -> History:
    first = draw(st.sampled_from([0, 41, 14_610_502_970]))
    book = initial_book(draw(levels_st))
    events: list[Event] = draw(st.lists(event_st, min_size=max(min_deltas, 3), max_size=40))
    books = [book]
    for bid, index, size in events:
        book = book.copy()
        if index >= 0:
            book.apply(bid, price_of(bid, index), size)
        books.append(book)
    # where one delta ends and the next begins: after any event, at least min_deltas deltas
    ends = draw(st.lists(st.booleans(), min_size=len(events) - 1, max_size=len(events) - 1))
    cut_set = {i + 1 for i, end in enumerate(ends) if end}
    cut_set |= set(range(1, min_deltas - len(cut_set)))
    cuts = sorted(cut_set)
    deltas = []
    for lo, hi in itertools.pairwise([0, *cuts, len(events)]):
        rows: dict[bool, list[list[str]]] = {True: [], False: []}
        for offset, (bid, index, size) in enumerate(events[lo:hi]):
            if index != SILENT:
                price = "0" if index == MARKER else price_of(bid, index)
                rows[bid].append([price, size, str(first + lo + offset + 1)])
        deltas.append(Delta(start=first + lo + 1, end=first + hi,
                            # the keeper orders changes by their sequence, not by position
                            bids=draw(st.permutations(rows[True])),
                            asks=draw(st.permutations(rows[False]))))
    return History(first, books, deltas)


# -- checksummed histories: a partial, then updates, each with the true checksum --------------

update_st = st.lists(st.tuples(st.booleans(), index_st,
                               st.sampled_from(SIZES + ZEROS)), max_size=8)


@dataclass
class DepthHistory:
    books: list[RefBook]  # the true book after each message
    messages: list[Depth]


def _update_row(price: str, size: str, n: int) -> list[Any]:
    # the venue's rows carry num_orders (and sometimes a fourth field): ignored by the keeper
    return [price, size, n] if n % 2 else [price, size, 0, n]


@st.composite
def dense_book(draw: st.DrawFn) -> RefBook:
    """The best n prices of each side all present: books deeper than the checksum's 25."""
    ref = RefBook()
    for bid in (True, False):
        depth = draw(st.integers(0, 36))
        for index, size in enumerate(draw(st.lists(st.sampled_from(SIZES), min_size=depth,
                                                   max_size=depth))):
            ref.apply(bid, price_of(bid, index), size)
    return ref


@st.composite
def depth_histories(draw: st.DrawFn) -> DepthHistory:
    book = draw(st.one_of(st.builds(initial_book, levels_st), dense_book()))
    books = [book]
    messages = [Depth(partial=True, bids=[[*r, 1] for r in book.rows(True)],
                      asks=[[*r, 1] for r in book.rows(False)], checksum=book.checksum())]
    for changes in draw(st.lists(update_st, max_size=12)):
        book = book.copy()
        rows: dict[bool, list[list[Any]]] = {True: [], False: []}
        for n, (bid, index, size) in enumerate(changes):
            book.apply(bid, price_of(bid, index), size)
            rows[bid].append(_update_row(price_of(bid, index), size, n))
        books.append(book)
        messages.append(Depth(partial=False, bids=rows[True], asks=rows[False],
                              checksum=book.checksum()))
    return DepthHistory(books, messages)
