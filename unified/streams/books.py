"""One symbol's live book, shared by every watch_order_book stream of that symbol.

The keeper (SequencedBook or ChecksummedBook, by the spec's stream_book_sync) decides what is
consistent; this module drives it: seed a sequenced book from the REST snapshot once the
subscription is acked, re-seed after a gap, ask for a fresh partial after a checksum mismatch,
start over after a reconnect. Each stream gets the book trimmed to its own `limit`; the keeper
builds only as deep as the deepest stream asks (None: everything).

A sequenced book is handed to its streams lazily (Stream.push_latest): a delta only tells each
stream that a newer book exists, and the book is built when the consumer reads it, so a feed
faster than its reader costs the deltas, not a book per delta. A delta is checked whole before
it changes the book, and a book is dropped only through the keeper's `on_drop`, where every
stream builds what it holds: a reader never sees anything but a consistent book, and never one
older than the last it saw. A checksummed book is verified only after an update changed it, so
its books are built at once, each verified.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from unified.errors import ConfigurationError, DecodeError, UnifiedError
from unified.models import OrderBook
from unified.streams.book import RESYNC, UPDATED
from unified.streams.checksummed import ChecksummedBook, Depth
from unified.streams.dialect import Value
from unified.streams.sequenced import Delta, SequencedBook, Snapshot
from unified.streams.stream import Stream

log = logging.getLogger("unified.streams")

#: snapshots tried in a row before a book stream fails (each after the venue moved on)
MAX_SEEDS = 5


def snapshot_of(book: OrderBook) -> Snapshot:
    """A REST book as the keeper's seed (levels as exact decimal text)."""
    if book.sequence is None:
        raise DecodeError(f"{book.symbol}: the snapshot carries no sequence")
    return Snapshot(sequence=book.sequence, timestamp=book.timestamp, raw=book.raw,
                    bids=[(str(lv.price), str(lv.amount)) for lv in book.bids],
                    asks=[(str(lv.price), str(lv.amount)) for lv in book.asks])


class BookFeed:
    """`snapshot` fetches the REST book (sequenced venues); `renew` re-subscribes the symbol's
    wire keys (checksummed venues); `sleep` paces snapshot retries."""

    def __init__(self, symbol: str, sync: str, *,
                 snapshot: Callable[[], Awaitable[OrderBook]],
                 renew: Callable[[], Awaitable[None]],
                 sleep: Callable[[float], Awaitable[None]]) -> None:
        if sync not in ("sequence", "checksum"):
            raise ConfigurationError(f"unknown stream_book_sync {sync!r}")
        self.symbol, self.sync = symbol, sync
        self.keeper: SequencedBook | ChecksummedBook = (
            SequencedBook(symbol) if sync == "sequence" else ChecksummedBook(symbol))
        self.streams: dict[Stream[OrderBook], int | None] = {}
        #: per stream, what builds its book now (lazy streams keep it until they are read)
        self._readers: dict[Stream[OrderBook], Callable[[], OrderBook]] = {}
        self._lazy = isinstance(self.keeper, SequencedBook)
        if isinstance(self.keeper, SequencedBook):
            self.keeper.on_drop = self._settle
        self.resyncs = 0  # how often consistency was lost (tests and diagnostics)
        self._snapshot, self._renew, self._sleep = snapshot, renew, sleep
        self._repair: asyncio.Task[None] | None = None

    def add(self, stream: Stream[OrderBook], limit: int | None) -> None:
        self.streams[stream] = limit
        self._readers[stream] = self._reader(limit)
        self._depth()

    def discard(self, stream: Stream[OrderBook]) -> None:
        self.streams.pop(stream, None)
        self._readers.pop(stream, None)
        self._depth()

    def _reader(self, limit: int | None) -> Callable[[], OrderBook]:
        if isinstance(self.keeper, SequencedBook):  # its own closure: read per book yielded
            return self.keeper.reader(limit)
        read = self.keeper.read

        def book() -> OrderBook:
            built = read(limit)
            if built is None:  # pushed when consistent, settled before dropped: never here
                raise RuntimeError(f"{self.symbol}: a stream read a book that is not there")
            return built

        return book

    def _publish(self) -> None:
        """The keeper has a new consistent book: tell every stream."""
        if self._lazy:
            for stream, reader in self._readers.items():
                stream.push_latest(reader)
        else:
            for stream, reader in self._readers.items():
                stream.push(reader())

    def _settle(self) -> None:
        for stream in self._readers:
            stream.settle()

    def _depth(self) -> None:
        limits = list(self.streams.values())
        self.keeper.limit = None if not limits or None in limits else max(
            limit for limit in limits if limit is not None)

    # ---------------------------------------------------------------- consistency

    async def start(self) -> None:
        """The subscription is acked: seed a sequenced book (checksummed ones wait for their
        partial)."""
        if self.sync == "sequence":
            await self._seed()

    def lost(self) -> None:
        """A reconnect is about to resubscribe, or a frame was unreadable: nothing held can
        be trusted; nothing is yielded until `recover` (or a fresh partial) rebuilds it."""
        self.keeper.reset()
        self.resyncs += 1

    def recover(self, resubscribed: bool) -> None:
        """Rebuild after `lost`: a sequenced book re-seeds; a checksummed one waits for the
        partial its resubscription brings, or asks for one."""
        if self.sync == "sequence" or not resubscribed:
            self._schedule()

    def take(self, value: Value) -> None:
        """One pushed book message."""
        if not isinstance(value, (Delta, Depth)):
            raise DecodeError(f"{self.symbol}: a book message of type {type(value).__name__}")
        try:
            status = self.keeper.apply(value)  # type: ignore[arg-type]
        except DecodeError as exc:
            self.unreadable(exc)
            return
        if status is UPDATED:  # _publish, inline: this is once a frame
            if self._lazy:
                for stream, reader in self._readers.items():
                    stream.push_latest(reader)
            else:
                for stream, reader in self._readers.items():
                    stream.push(reader())
        elif status is RESYNC:
            resync = self.keeper.resync
            log.info("%s: book lost consistency (%s); resynchronising", self.symbol,
                     resync.reason if resync is not None else "?")
            self._repair_soon()

    def unreadable(self, error: DecodeError) -> None:
        """A book message that cannot be read: nothing held is trusted; rebuild it."""
        log.warning("%s: malformed book message (%s); resynchronising", self.symbol, error)
        self.keeper.reset()
        self._repair_soon()

    def _repair_soon(self) -> None:
        self.resyncs += 1
        self._schedule()

    def _schedule(self) -> None:
        if self._repair is None or self._repair.done():
            self._repair = asyncio.create_task(self._repair_now())

    async def _repair_now(self) -> None:
        try:
            if self.sync == "sequence":
                await self._seed()
            else:
                await self._renew()
        except UnifiedError as exc:
            self.fail(exc)

    async def _seed(self) -> None:
        keeper = self.keeper
        assert isinstance(keeper, SequencedBook)
        for attempt in range(1, MAX_SEEDS + 1):
            if not keeper.needs_snapshot:
                keeper.reset()
            status = keeper.seed(snapshot_of(await self._snapshot()))
            if not keeper.needs_snapshot:
                if keeper.book() is not None:
                    self._publish()
                return
            log.info("%s: snapshot %s did not meet the deltas (%s); again", self.symbol,
                     attempt, status.value)
            await self._sleep(0.05 * attempt)
        raise DecodeError(f"{self.symbol}: {MAX_SEEDS} snapshots in a row did not meet the "
                          "venue's deltas")

    def fail(self, error: BaseException) -> None:
        for stream in list(self.streams):
            stream.fail(error)

    async def close(self) -> None:
        task, self._repair = self._repair, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
