"""Checksummed depth (OKCoinJapan spot/depth): the venue's documented examples, then properties
over random partial + update streams checked against an independent reference checksum."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unified.convert import from_iso
from unified.errors import ConfigurationError, DecodeError
from unified.models import OrderBook
from unified.streams.book import Resync, Status, parse_level
from unified.streams.checksummed import (
    ChecksummedBook,
    Depth,
    checksum_text,
    signed_crc32,
)

from .histories import ASK_PRICES, BID_PRICES, DepthHistory, RefBook, depth_histories, example, view

D = Decimal


def okcoinjp_depth(message: dict[str, Any]) -> Depth:
    """What the adapter's codec would do with one inflated frame (one instrument per entry)."""
    (data,) = message["data"]
    return Depth(partial=message["action"] == "partial", bids=data["bids"], asks=data["asks"],
                 checksum=data["checksum"], timestamp=from_iso(data["timestamp"]), raw=data)


# okcoinjp-v3-rest-ws.md, WebSocketAPI > Checksum > "Calculation Description", example 1:
# bids and asks aligned
ALIGNED: dict[str, Any] = {"asks": [["3366.8", "9", 10], ["3368", "8", 3]],
           "bids": [["3366.1", "7", 0], ["3366", "6", 3]], "checksum": -1881014294}
# ... example 2: bid and ask data do not align
UNALIGNED: dict[str, Any] = {"asks": [["3366.8", "9", 10], ["3368", "8", 3], ["3372", "8", 3]],
             "bids": [["3366.1", "7", 0]], "checksum": 831078360}


def partial(doc: dict[str, Any]) -> Depth:
    return Depth(partial=True, bids=doc["bids"], asks=doc["asks"], checksum=doc["checksum"])


def levels(rows: list[list[Any]]) -> list[Any]:
    return [parse_level(r, "level") for r in rows]


def test_the_docs_checksum_strings_and_values() -> None:
    assert checksum_text(levels(ALIGNED["bids"]), levels(ALIGNED["asks"])) \
        == "3366.1:7:3366.8:9:3366:6:3368:8"
    assert checksum_text(levels(UNALIGNED["bids"]), levels(UNALIGNED["asks"])) \
        == "3366.1:7:3366.8:9:3368:8:3372:8"
    assert signed_crc32("3366.1:7:3366.8:9:3366:6:3368:8") == -1881014294
    assert signed_crc32("3366.1:7:3366.8:9:3368:8:3372:8") == 831078360


@pytest.mark.parametrize("doc", [ALIGNED, UNALIGNED], ids=["aligned", "unaligned"])
def test_the_docs_examples_verify_as_partials(doc: dict[str, Any]) -> None:
    book = ChecksummedBook("BTC/JPY").feed(partial(doc))
    assert isinstance(book, OrderBook) and book.sequence is None
    assert [lv.price for lv in book.asks] == sorted(D(r[0]) for r in doc["asks"])


def test_the_documented_partial_verifies() -> None:
    keeper = ChecksummedBook("ETH/JPY")
    book = keeper.feed(okcoinjp_depth(example("okcoinjp_ws_depth_partial.json")))
    assert isinstance(book, OrderBook)
    assert book.timestamp == from_iso("2018-12-18T07:27:13.655Z")
    assert book.bids[0].price == D(5) and book.asks[0].price == D("8.8")
    assert len(book.bids) == len(book.asks) == 6 and keeper.checksum() == 468410539


def test_an_update_row_of_four_fields_merges() -> None:
    # the doc's update (BTC-JPY) belongs to a book the doc does not show: on a one-level
    # book of our own its checksum cannot match, and the keeper says so
    update = okcoinjp_depth(example("okcoinjp_ws_depth_update.json"))
    keeper = ChecksummedBook("BTC/JPY")
    ref = RefBook()
    ref.apply(False, "3990", "1")
    keeper.feed(Depth(partial=True, bids=[], asks=[["3990", "1", 1]], checksum=ref.checksum()))
    assert isinstance(keeper.feed(update), Resync) and keeper.needs_partial
    # the same rows with the checksum of the book they make: accepted
    keeper.feed(Depth(partial=True, bids=[], asks=[["3990", "1", 1]], checksum=ref.checksum()))
    ref.apply(True, "3983", "789")
    book = keeper.feed(Depth(partial=False, bids=update.bids, asks=update.asks,
                             checksum=ref.checksum()))
    assert isinstance(book, OrderBook) and view(book) == ref.view()


def test_the_checksum_is_over_the_venues_strings_not_our_formatting() -> None:
    rows = {"bids": [["0.00001000", "0.0000001", 1]], "asks": [["0.00001010", "12.50", 1]]}
    venue = signed_crc32("0.00001000:0.0000001:0.00001010:12.50")
    ours = signed_crc32(":".join(str(D(x)) for x in ("0.00001000", "0.0000001",
                                                     "0.00001010", "12.50")))
    assert venue != ours  # str(Decimal("0.0000001")) == "1E-7"
    assert isinstance(ChecksummedBook("X/Y").feed(partial({**rows, "checksum": venue})),
                      OrderBook)
    assert isinstance(ChecksummedBook("X/Y").feed(partial({**rows, "checksum": ours})), Resync)


def test_only_the_best_25_levels_count() -> None:
    ref = RefBook()
    for i in range(30):
        ref.apply(True, BID_PRICES[i], "1")
        ref.apply(False, ASK_PRICES[i], "1")
    keeper = ChecksummedBook("X/Y", limit=3)
    out = keeper.feed(Depth(partial=True, bids=ref.rows(True), asks=ref.rows(False),
                            checksum=ref.checksum()))
    assert isinstance(out, OrderBook) and len(out.bids) == 3
    # a change on the 27th bid leaves the checksum as it was; one on the 25th does not
    before = ref.checksum()
    ref.apply(True, BID_PRICES[26], "5")
    assert ref.checksum() == before
    assert isinstance(keeper.feed(Depth(partial=False, bids=[[BID_PRICES[26], "5"]], asks=[],
                                        checksum=before)), OrderBook)
    ref.apply(True, BID_PRICES[24], "5")
    assert ref.checksum() != before
    assert isinstance(keeper.feed(Depth(partial=False, bids=[[BID_PRICES[24], "5"]], asks=[],
                                        checksum=before)), Resync)


def test_updates_without_a_partial_under_them_are_ignored() -> None:
    keeper = ChecksummedBook("X/Y")
    assert keeper.feed(Depth(partial=False, bids=[["1", "1"]], asks=[], checksum=0)) is None
    assert keeper.needs_partial and keeper.book() is None and keeper.resync is None


def test_a_malformed_push_on_a_live_book_drops_it() -> None:
    keeper = ChecksummedBook("X/Y")
    keeper.feed(partial(ALIGNED))
    for bad in (Depth(partial=False, bids=[[3366.1, "1"]], asks=[], checksum=0),
                Depth(partial=False, bids=[], asks=[], checksum=True),
                Depth(partial=False, bids=[], asks=[], checksum=1 << 31),
                Depth(partial=False, bids=[["0", "1"]], asks=[], checksum=0)):
        with pytest.raises(DecodeError):
            keeper.feed(bad)
        assert keeper.needs_partial and keeper.book() is None
        keeper.feed(partial(ALIGNED))
    with pytest.raises(ConfigurationError):
        ChecksummedBook("X/Y", limit=0)


def test_a_partial_replaces_a_live_book() -> None:
    keeper = ChecksummedBook("X/Y")
    keeper.feed(partial(ALIGNED))
    book = keeper.feed(partial(UNALIGNED))
    assert isinstance(book, OrderBook)
    assert [lv.price for lv in book.bids] == [D("3366.1")]  # bid 3366 is gone


def test_reset_waits_for_the_next_partial() -> None:
    keeper = ChecksummedBook("X/Y")
    keeper.feed(partial(ALIGNED))
    keeper.reset()
    assert keeper.book() is None
    update = Depth(partial=False, bids=[], asks=[], checksum=ALIGNED["checksum"])
    assert keeper.apply(update) is Status.UNCHANGED
    assert keeper.apply(partial(ALIGNED)) is Status.UPDATED


# -- properties ------------------------------------------------------------------------------

@given(h=depth_histories())
def test_true_checksums_are_always_accepted_and_books_are_true(h: DepthHistory) -> None:
    """No false alarm: a stream whose checksums the reference computed verifies throughout."""
    keeper = ChecksummedBook("X/Y")
    for message, ref in zip(h.messages, h.books, strict=True):
        book = keeper.feed(message)
        assert isinstance(book, OrderBook), book
        assert view(book) == ref.view()


@given(h=depth_histories(), data=st.data())
def test_a_corrupted_checksum_is_always_detected(h: DepthHistory, data: st.DataObject) -> None:
    """(d) One message's checksum is wrong by any nonzero bit pattern: that message yields the
    Resync signal, no book is yielded until a partial, and the next partial recovers."""
    bad = data.draw(st.integers(0, len(h.messages) - 1), label="corrupted message")
    mask = data.draw(st.integers(1, (1 << 32) - 1), label="flipped bits")
    keeper = ChecksummedBook("X/Y")
    for i, message in enumerate(h.messages):
        if i == bad:
            wrong = ((message.checksum & 0xFFFFFFFF) ^ mask)
            wrong -= (1 << 32) if wrong >= 1 << 31 else 0
            out = keeper.feed(Depth(partial=message.partial, bids=message.bids,
                                    asks=message.asks, checksum=wrong))
            assert isinstance(out, Resync)
            assert (out.expected, out.received) == (wrong, message.checksum)
        elif i > bad:
            assert keeper.feed(message) is None
        else:
            assert isinstance(keeper.feed(message), OrderBook)
    assert keeper.book() is None and keeper.needs_partial
    last = h.books[-1]
    book = keeper.feed(Depth(partial=True, bids=last.rows(True), asks=last.rows(False),
                             checksum=last.checksum()))
    assert isinstance(book, OrderBook) and view(book) == last.view()


@given(h=depth_histories(), limit=st.integers(1, 30))
def test_limit_trims_the_output_but_not_what_is_checked(h: DepthHistory, limit: int) -> None:
    """(e) A limited keeper still verifies over the best 25 of everything it holds."""
    full, short = ChecksummedBook("X/Y"), ChecksummedBook("X/Y", limit=limit)
    for message in h.messages:
        a, b = full.feed(message), short.feed(message)
        assert isinstance(a, OrderBook) and isinstance(b, OrderBook)
        assert b.bids == a.bids[:limit] and b.asks == a.asks[:limit]
