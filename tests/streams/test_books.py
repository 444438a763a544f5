"""BookFeed: a sequenced book reaches its streams lazily and only ever consistent; a
checksummed one is built at once, verified."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from unified.models import BookLevel, OrderBook
from unified.streams.book import parse_level
from unified.streams.books import BookFeed
from unified.streams.checksummed import ChecksummedBook, Depth, checksum_text, signed_crc32
from unified.streams.sequenced import Delta, SequencedBook
from unified.streams.stream import Stream

from ..conftest import run

D = Decimal


def rest_book(sequence: int, bids: list[tuple[str, str]]) -> OrderBook:
    return OrderBook(symbol="X/Y", timestamp=None, sequence=sequence, raw=None,
                     bids=tuple(BookLevel(price=D(p), amount=D(a)) for p, a in bids),
                     asks=(BookLevel(price=D("20"), amount=D("1")),))


class Counting(SequencedBook):
    """A sequenced keeper that counts the books it builds."""

    built = 0

    def read(self, limit: int | None) -> OrderBook | None:
        book = super().read(limit)
        if book is not None:
            Counting.built += 1
        return book

    def reader(self, limit: int | None) -> Callable[[], OrderBook]:
        build = super().reader(limit)

        def read() -> OrderBook:
            book = build()
            Counting.built += 1
            return book

        return read


async def nothing() -> None:
    return None


async def sleep(seconds: float) -> None:
    await asyncio.sleep(0)


def sequenced_feed(snapshots: list[OrderBook]) -> BookFeed:
    async def snapshot() -> OrderBook:
        return snapshots.pop(0)

    feed = BookFeed("X/Y", "sequence", snapshot=snapshot, renew=nothing, sleep=sleep)
    feed.keeper = Counting("X/Y")
    feed.keeper.on_drop = feed._settle
    return feed


def stream() -> Stream[OrderBook]:
    async def noop(_: Any) -> None:
        return None

    return Stream("book", conflate=True, start=noop, stop=noop)


def bid(seq: int, price: str = "10", amount: str | None = None) -> Delta:
    return Delta(start=seq, end=seq, bids=[[price, amount or str(seq), str(seq)]], asks=[])


def test_a_fast_feed_builds_one_book_per_read_each_trimmed_to_its_stream() -> None:
    async def go() -> None:
        feed = sequenced_feed([rest_book(1, [("10", "1"), ("9", "1"), ("8", "1")])])
        deep, top = stream(), stream()
        feed.add(deep, None)
        feed.add(top, 1)
        for s in (deep, top):
            await s.__aenter__()
        await feed.start()
        for seq in range(2, 1002):
            feed.take(bid(seq))
        Counting.built = 0
        a, b = await anext(deep), await anext(top)
        assert Counting.built == 2  # a thousand deltas, one book per reader
        assert a.sequence == b.sequence == 1001 and a.bids[0].amount == 1001
        assert len(a.bids) == 3 and len(b.bids) == 1 and b.bids[0] == a.bids[0]

    run(go())


def test_a_gap_leaves_each_stream_the_last_consistent_book_then_the_reseeded_one() -> None:
    async def go() -> None:
        feed = sequenced_feed([rest_book(1, [("10", "1")]), rest_book(50, [("10", "50")])])
        books = stream()
        feed.add(books, None)
        await books.__aenter__()
        await feed.start()
        feed.take(bid(2))
        feed.take(bid(3))
        feed.take(bid(40))  # 4..39 never came: a gap, the book is dropped and re-seeded
        assert feed.resyncs == 1
        held = await anext(books)
        assert held.sequence == 3 and held.bids[0].amount == 3  # built before the drop
        await asyncio.sleep(0)  # the repair task seeds from the next snapshot
        await asyncio.sleep(0)
        after = await anext(books)
        assert after.sequence == 50 and after.bids[0].amount == 50

    run(go())


def test_a_lost_connection_and_a_malformed_delta_keep_the_last_book_built() -> None:
    async def go() -> None:
        feed = sequenced_feed([rest_book(1, [("10", "1")]), rest_book(9, [("10", "9")])])
        books = stream()
        feed.add(books, None)
        await books.__aenter__()
        await feed.start()
        feed.take(bid(2))
        feed.lost()
        assert feed.keeper.book() is None
        assert (await anext(books)).sequence == 2
        feed.recover(resubscribed=True)
        await asyncio.sleep(0)
        feed.take(bid(10))
        feed.take(Delta(start=11, end=11, bids=[["10", 1.5, "11"]], asks=[]))  # a float size
        assert (await anext(books)).sequence == 10
        await feed.close()

    run(go())


def test_a_checksummed_book_is_built_at_each_verified_push() -> None:
    async def no_snapshot() -> OrderBook:
        raise AssertionError("a checksummed feed never asks for a REST snapshot")

    async def go() -> None:
        feed = BookFeed("X/Y", "checksum", snapshot=no_snapshot, renew=nothing, sleep=sleep)
        assert isinstance(feed.keeper, ChecksummedBook)
        books = stream()
        feed.add(books, None)
        await books.__aenter__()
        crc = signed_crc32(checksum_text([parse_level(["10", "1"], "bid")], []))
        feed.take(Depth(partial=True, bids=[["10", "1"]], asks=[], checksum=crc))
        assert books._items and books._pending is None  # built now, verified
        assert (await anext(books)).bids[0].amount == 1
        feed.take(Depth(partial=False, bids=[["10", "2"]], asks=[], checksum=crc))  # mismatch
        assert feed.resyncs == 1 and not books._items and feed.keeper.book() is None
        await feed.close()

    run(go())
