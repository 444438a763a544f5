"""Checksummed depth: a full push, then increments, each verified by a CRC32 of the top levels.

The venue using it today is OKCoinJapan v3, WebSocket channel `spot/depth:{instrument_id}`
(okcoinjp-v3-rest-ws.md, "WebSocketAPI": the "Checksum" section and "Public-Depth400").
Frames arrive raw-DEFLATE compressed; inflating them and splitting `data` per instrument is the
adapter's codec job, not this module's. The rules, as implemented:

1. After subscribing, the first push has `"action": "partial"`: the whole book (the doc says
   200 entries in one place and 400 in another; nothing here depends on the number). A partial
   replaces whatever the keeper held.
2. Later pushes have `"action": "update"` and carry only changed levels
   `[price, size, num_orders, ...]` (only the first two fields count). A known price with size
   "0" is deleted, a known price with another size is replaced, an unknown price is inserted in
   price order (an unknown price with size "0": nothing to delete). An update with no partial
   under it (before the first, or after a mismatch) is ignored: the next partial replaces all.
3. Every push carries `checksum`, a signed 32-bit integer: the CRC32 of a string built from the
   book *after* the push. Take the best 25 bids and the best 25 asks and write them in turn,
   bid, ask, bid, ask, ..., each level as `price:size`, all joined by ":". When one side runs
   out first, the other side's remaining levels follow alone (the doc's "bid:ask:ask:ask"):
   one bid 3366.1/7 and asks 3366.8/9, 3368/8, 3372/8 give "3366.1:7:3366.8:9:3368:8:3372:8"
   and checksum 831078360. The strings are the venue's own, exactly as sent (a re-formatted
   Decimal may differ: "1E-7" for "0.0000001"). zlib.crc32 is unsigned; values from 2**31 up
   are read as negative by subtracting 2**32 (the doc's -1881014294 example).
4. A mismatch means the book is wrong: it is not yielded, the keeper answers `Status.RESYNC`
   and holds nothing until the next partial. The venue's advice is to re-subscribe the channel,
   which is the connection layer's job.

Only the best 25 levels of each side are verified; deeper ones are kept and yielded as the
increments left them (`VERIFIED_DEPTH`). OrderBook.sequence is None: the venue numbers nothing.

A malformed push is a DecodeError. Unlike a numbered feed, a skipped increment that only
touched deep levels would never show in a later checksum, so a malformed push on a live book
also drops the book: the keeper then needs a partial, exactly as after a mismatch.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import attrs

from unified.arguments import positive_int
from unified.errors import DecodeError
from unified.models import OrderBook
from unified.streams.book import (
    RESYNC,
    UNCHANGED,
    UPDATED,
    BookKeeper,
    Level,
    Resync,
    Status,
    parse_level,
)

#: levels per side covered by the venue's checksum
VERIFIED_DEPTH = 25

_INT32 = 1 << 32
_INT31 = 1 << 31


@attrs.frozen(kw_only=True, slots=True)
class Depth:
    """One push: `partial` (True) replaces the book, an update (False) merges into it; rows
    `[price, size, ...]` as the venue wrote them; `checksum` the venue's signed 32-bit CRC."""

    partial: bool
    bids: Sequence[Sequence[object]]
    asks: Sequence[Sequence[object]]
    checksum: int
    timestamp: datetime | None = None
    raw: Any = attrs.field(default=None, eq=False, repr=False)


def checksum_text(bids: Sequence[Level], asks: Sequence[Level]) -> str:
    """The string the venue hashes: best bids and asks (best first) in turn, price:size."""
    parts: list[str] = []
    for i in range(min(max(len(bids), len(asks)), VERIFIED_DEPTH)):
        if i < len(bids):
            parts += (bids[i].price_text, bids[i].amount_text)
        if i < len(asks):
            parts += (asks[i].price_text, asks[i].amount_text)
    return ":".join(parts)


def signed_crc32(text: str) -> int:
    """zlib's unsigned CRC32 read as the venue's signed 32-bit integer."""
    value = zlib.crc32(text.encode("utf-8"))
    return value - _INT32 if value >= _INT31 else value


def _side(rows: Sequence[Sequence[object]], what: str) -> list[Level]:
    if isinstance(rows, str) or not isinstance(rows, Sequence):
        raise DecodeError(f"{what}s must be a list of levels, got {rows!r}")
    levels = [parse_level(row, what) for row in rows]
    for level in levels:
        if level.price == 0:
            raise DecodeError(f"{what} has price 0")
    return levels


def _checksum(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not -_INT31 <= value < _INT31:
        raise DecodeError(f"checksum must be a signed 32-bit integer, got {value!r}")
    return value


class ChecksummedBook:
    """One symbol's book from a partial plus checksummed updates (the module docstring has the
    rules). Drive it with `apply`/`feed` for every push; when `needs_partial`, the connection
    layer re-subscribes. `limit` trims the books it returns, never the book it keeps or checks."""

    def __init__(self, symbol: str, *, limit: int | None = None) -> None:
        positive_int("limit", limit)
        self._book = BookKeeper(symbol)
        self.limit = limit
        self._live = False
        #: why the keeper last lost consistency (None before it ever did, and once a partial
        #: has been verified)
        self.resync: Resync | None = None

    @property
    def needs_partial(self) -> bool:
        """True until a verified partial, and again after a mismatch or `reset`."""
        return not self._live

    def reset(self) -> None:
        """Forget the book (a reconnect or re-subscribe): wait for the next partial."""
        self._live = False
        self._book.clear()

    def checksum(self) -> int:
        """The venue's checksum of the book held now."""
        top = VERIFIED_DEPTH
        return signed_crc32(checksum_text(self._book.bids.best(top), self._book.asks.best(top)))

    def apply(self, depth: Depth) -> Status:
        """Take one push: seed (partial), merge (update), or ignore (update, nothing held);
        then verify the checksum."""
        try:
            bids = _side(depth.bids, "bid")
            asks = _side(depth.asks, "ask")
            expected = _checksum(depth.checksum)
        except DecodeError as exc:
            if self._live:
                self._lose(Resync(reason=f"malformed push: {exc}"))
            raise
        if depth.partial:
            self._book.replace(bids, asks)
        elif not self._live:
            return UNCHANGED
        else:
            for level in bids:
                self._book.bids.set(level)
            for level in asks:
                self._book.asks.set(level)
        self._book.stamp(depth.timestamp, depth.raw)
        computed = self.checksum()
        if computed != expected:
            self._lose(Resync(reason="checksum mismatch", expected=expected, received=computed))
            return RESYNC
        self._live, self.resync = True, None
        return UPDATED

    def book(self) -> OrderBook | None:
        """The verified book, or None while there is none (waiting for a partial)."""
        return self.read(self.limit)

    def read(self, limit: int | None) -> OrderBook | None:
        """`book()` trimmed to `limit` instead of the keeper's own."""
        return self._book.order_book(limit) if self._live else None

    def feed(self, depth: Depth) -> OrderBook | Resync | None:
        """`apply`, answered for a consumer: the new book, the Resync signal, or None."""
        status = self.apply(depth)
        if status is RESYNC:
            assert self.resync is not None  # set by the mismatch that answered RESYNC
            return self.resync
        return self.book() if status is UPDATED else None

    def _lose(self, resync: Resync) -> None:
        self._live = False
        self._book.clear()
        self.resync = resync
