"""Sequenced deltas on a snapshot (KuCoin level2): the venue's examples, then properties over
random histories checked against an independent reference book."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unified.convert import from_ms, to_int
from unified.errors import ConfigurationError, DecodeError
from unified.models import OrderBook
from unified.streams.book import Resync, Status
from unified.streams.sequenced import Delta, SequencedBook, Snapshot

from .histories import History, example, histories, view

D = Decimal


# -- what an adapter codec would do with KuCoin's JSON (the keeper takes neutral types) --------

def kucoin_snapshot(answer: dict[str, Any]) -> Snapshot:
    data = answer["data"]
    return Snapshot(sequence=to_int(data["sequence"]), bids=data["bids"], asks=data["asks"],
                    timestamp=from_ms(data["time"]), raw=data)


def kucoin_delta(message: dict[str, Any]) -> Delta:
    data = message["data"]
    return Delta(start=data["sequenceStart"], end=data["sequenceEnd"],
                 bids=data["changes"]["bids"], asks=data["changes"]["asks"],
                 timestamp=from_ms(data["time"]), raw=message)


# tests/data/streams/: the REST full book and a WebSocket increment, from KuCoin's own specs
REST = example("kucoin_rest_level2_snapshot.json")["response"]
INCREMENT = example("kucoin_ws_level2_increment.json")


def seeded(sequence: int | None = None, **kw: Any) -> SequencedBook:
    keeper = SequencedBook("BTC/USDT", **kw)
    snap = kucoin_snapshot(REST)
    if sequence is not None:
        snap = Snapshot(sequence=sequence, bids=snap.bids, asks=snap.asks,
                        timestamp=snap.timestamp)
    assert keeper.seed(snap) is Status.UPDATED
    return keeper


def test_the_rest_example_seeds_the_book() -> None:
    book = seeded().book()
    assert book is not None and book.sequence == 14610502970
    assert view(book) == ([(D("66976.4"), D("0.69109872")), (D("66976.3"), D("0.14377"))],
                          [(D("66976.5"), D("0.05408199")), (D("66976.8"), D("0.0005"))])
    assert book.timestamp == from_ms(1729176273859)


def test_the_increment_example_on_the_older_snapshot_is_a_gap() -> None:
    keeper = seeded()
    out = keeper.feed(kucoin_delta(INCREMENT))
    assert isinstance(out, Resync)
    assert (out.expected, out.received) == (14610502971, 14701689783)
    assert keeper.needs_snapshot and keeper.book() is None and keeper.buffered == 1


def test_a_snapshot_older_than_the_buffer_asks_for_another() -> None:
    keeper = SequencedBook("BTC/USDT")
    assert keeper.feed(kucoin_delta(INCREMENT)) is None  # buffered: no snapshot yet
    assert keeper.seed(kucoin_snapshot(REST)) is Status.RESYNC
    assert keeper.book() is None and keeper.buffered == 1
    # a fresh snapshot just before the increment (the REST example, re-dated by this test)
    assert keeper.seed(Snapshot(sequence=14701689782, bids=REST["data"]["bids"],
                                asks=REST["data"]["asks"])) is Status.UPDATED
    book = keeper.book()
    assert book is not None and book.sequence == 14701689783
    assert [lv.price for lv in book.asks] == [D("66976.5"), D("66976.8"), D("67993.3")]
    assert book.asks[2].amount == D("1.21427407")


def test_the_increment_applies_once() -> None:
    keeper = seeded(14701689782)
    book = keeper.feed(kucoin_delta(INCREMENT))
    assert isinstance(book, OrderBook) and book.sequence == 14701689783
    assert book.raw is INCREMENT and book.timestamp == from_ms(1729816425625)
    assert keeper.feed(kucoin_delta(INCREMENT)) is None  # sequenceEnd <= book sequence
    assert keeper.sequence == 14701689783


def delta(start: int, end: int, bids: Sequence[list[Any]] = (),
          asks: Sequence[list[Any]] = ()) -> Delta:
    return Delta(start=start, end=end, bids=list(bids), asks=list(asks))


def small(sequence: int = 10) -> SequencedBook:
    keeper = SequencedBook("X/Y")
    keeper.seed(Snapshot(sequence=sequence, bids=[["9", "1"], ["8", "1"]], asks=[["11", "1"]]))
    return keeper


def test_a_snapshot_taken_mid_delta_skips_the_changes_it_already_holds() -> None:
    keeper = SequencedBook("X/Y")
    # 10 puts bid 9, 11 takes it away again, 12 puts bid 7; the snapshot was taken at 11
    keeper.feed(delta(10, 12, bids=[["9", "5", "10"], ["9", "0", "11"], ["7", "1", "12"]]))
    keeper.seed(Snapshot(sequence=11, bids=[["8", "5"]], asks=[["12", "2"]]))
    book = keeper.book()
    assert book is not None and book.sequence == 12
    # replaying 10 would bring bid 9 back: only 12 is new
    assert view(book) == ([(D(8), D(5)), (D(7), D(1))], [(D(12), D(2))])


def test_changes_apply_in_sequence_order_across_both_sides() -> None:
    keeper = small()
    # the same price twice, listed out of order: sequence 13 wins
    out = keeper.feed(delta(11, 13, bids=[["9", "3", "13"], ["9", "2", "11"]],
                            asks=[["11", "4", "12"]]))
    assert isinstance(out, OrderBook)
    assert view(out) == ([(D(9), D(3)), (D(8), D(1))], [(D(11), D(4))])


def test_size_zero_removes_and_price_zero_only_moves_the_sequence() -> None:
    keeper = small()
    # a price "0" row changes no level, whatever size it carries
    out = keeper.feed(delta(11, 12, bids=[["8", "0", "11"]], asks=[["0", "3", "12"]]))
    assert isinstance(out, OrderBook) and out.sequence == 12
    assert view(out) == ([(D(9), D(1))], [(D(11), D(1))])


def test_a_malformed_delta_changes_nothing_and_its_hole_shows_as_a_gap() -> None:
    keeper = small()
    for bad in (delta(11, 11, bids=[[9.5, "1", "11"]]),      # a float price
                delta(11, 11, bids=[["9", "1"]]),            # no sequence
                delta(11, 11, bids=[["9", "1", "12"]]),      # sequence outside the delta
                delta(12, 11),                               # start past end
                Delta(start=True, end=11, bids=[], asks=[])):  # bool is not a number
        with pytest.raises(DecodeError):
            keeper.feed(bad)
        assert keeper.sequence == 10 and keeper.book() is not None
    assert isinstance(keeper.feed(delta(12, 12)), Resync)


def test_seeding_a_live_book_and_bad_sizes_are_refused() -> None:
    with pytest.raises(ConfigurationError):
        small().seed(Snapshot(sequence=1, bids=[], asks=[]))
    for kw in ({"limit": 0}, {"limit": True}, {"max_buffer": 0}, {"max_buffer": None}):
        with pytest.raises(ConfigurationError):
            SequencedBook("X/Y", **kw)
    with pytest.raises(DecodeError):
        SequencedBook("X/Y").seed(Snapshot(sequence=1, bids=[["0", "1"]], asks=[]))


def test_a_full_buffer_forgets_its_oldest_and_the_seed_finds_the_hole() -> None:
    keeper = SequencedBook("X/Y", max_buffer=2)
    for seq in (11, 12, 13):
        keeper.feed(delta(seq, seq, bids=[["9", str(seq), str(seq)]]))
    assert keeper.buffered == 2
    assert keeper.seed(Snapshot(sequence=10, bids=[], asks=[])) is Status.RESYNC
    assert keeper.seed(Snapshot(sequence=11, bids=[["9", "11"]], asks=[])) is Status.UPDATED
    book = keeper.book()
    assert book is not None and book.sequence == 13 and book.bids[0].amount == 13


def test_a_reseed_below_the_highest_book_reached_is_held_back() -> None:
    keeper = small(10)
    keeper.feed(delta(11, 11, bids=[["9", "2", "11"]]))
    keeper.feed(delta(12, 12, bids=[["9", "3", "12"]]))
    keeper.reset()  # a reconnect; the REST replica answers from the past
    assert keeper.seed(Snapshot(sequence=11, bids=[["9", "2"]], asks=[])) is Status.UNCHANGED
    assert keeper.book() is None and not keeper.needs_snapshot and keeper.sequence == 11
    book = keeper.feed(delta(12, 12, bids=[["9", "3", "12"]]))
    assert isinstance(book, OrderBook) and book.sequence == 12


def test_limit_trims_the_output_only() -> None:
    keeper = SequencedBook("X/Y", limit=1)
    keeper.seed(Snapshot(sequence=1, bids=[["9", "1"], ["8", "2"]], asks=[["11", "1"]]))
    out = keeper.feed(delta(2, 2, bids=[["9", "0", "2"]]))
    assert isinstance(out, OrderBook) and view(out) == ([(D(8), D(2))], [(D(11), D(1))])


# -- properties ------------------------------------------------------------------------------

def check(book: OrderBook | None, history: History, sequence: int) -> None:
    assert book is not None and book.sequence == sequence
    assert view(book) == history.at(sequence).view()


@given(h=histories(), data=st.data())
def test_any_snapshot_point_and_arrival_order_reproduce_the_true_book(
        h: History, data: st.DataObject) -> None:
    """(a) The subscription starts at some delta, k deltas arrive (in any order) before a
    snapshot taken at any sequence the subscription covers; every book is the true one."""
    snap_at = data.draw(st.one_of(st.integers(h.first, h.last), st.sampled_from(h.inside()))
                        if h.inside() else st.integers(h.first, h.last), label="snapshot sequence")
    first = data.draw(st.sampled_from([i for i, d in enumerate(h.deltas)
                                       if d.start <= snap_at + 1]), label="first delta")
    received = h.deltas[first:]
    k = data.draw(st.integers(0, len(received)), label="buffered")
    early = data.draw(st.permutations(received[:k]))
    keeper = SequencedBook("X/Y")
    for d in early:
        assert keeper.feed(d) is None
    assert keeper.needs_snapshot and keeper.book() is None
    assert keeper.seed(h.snapshot(snap_at)) is Status.UPDATED
    check(keeper.book(), h, max([snap_at, *(d.end for d in early)]))
    for d in received[k:]:
        before = keeper.sequence
        assert before is not None
        out = keeper.feed(d)
        if d.end <= before:
            assert out is None
        else:
            assert isinstance(out, OrderBook)
            check(out, h, d.end)
    check(keeper.book(), h, h.last)


@given(h=histories(min_deltas=3), data=st.data())
def test_every_gap_is_reported_and_no_book_is_built_across_it(
        h: History, data: st.DataObject) -> None:
    """(b) Deltas are dropped or repeated at random after the seed: a gap is reported exactly
    when some sequence after the snapshot went missing, and every book yielded is true."""
    # early snapshots leave more deltas that can go missing
    snap_at = data.draw(st.one_of(st.integers(h.first, h.deltas[0].end),
                                  st.integers(h.first, h.last - 1)), label="snapshot sequence")
    fates = data.draw(st.lists(st.sampled_from(["send", "drop", "twice"]),
                               min_size=len(h.deltas), max_size=len(h.deltas)))
    sent = [d for d, fate in zip(h.deltas, fates, strict=True)
            for _ in range({"send": 1, "drop": 0, "twice": 2}[fate])]
    keeper = SequencedBook("X/Y")
    keeper.seed(h.snapshot(snap_at))
    gap: Resync | None = None
    for d in sent:
        out = keeper.feed(d)
        if isinstance(out, Resync):
            assert gap is None, "a gap is reported once"
            gap = out
            assert keeper.needs_snapshot and keeper.book() is None
        elif out is not None:
            assert gap is None, "no book after a gap until a new snapshot"
            check(out, h, d.end)
    covered = {s for d in sent for s in range(d.start, d.end + 1)}
    top = max((d.end for d in sent), default=snap_at)
    missing = set(range(snap_at + 1, top + 1)) - covered
    assert (gap is not None) == bool(missing)
    if gap is not None:
        assert gap.expected is not None and gap.received is not None
        assert min(missing) == gap.expected < gap.received
        # a snapshot from before the hole cannot continue the buffer; one after it can
        assert keeper.seed(h.snapshot(gap.expected - 1)) is Status.RESYNC
        assert keeper.seed(h.snapshot(h.last)) is Status.UPDATED
        check(keeper.book(), h, h.last)


@given(h=histories(), data=st.data())
def test_a_yielded_sequence_never_goes_backwards(h: History, data: st.DataObject) -> None:
    """(c) Deltas in any order, repeated or lost, reconnects (reset) and snapshots from any
    point, older ones included: the yielded books are true and their sequences never fall."""
    ops = data.draw(st.lists(st.one_of(
        st.tuples(st.just("next"), st.just(0)),
        st.tuples(st.just("feed"), st.integers(0, len(h.deltas) - 1)),
        st.tuples(st.just("seed"), st.integers(h.first, h.last)),
        st.tuples(st.just("reset"), st.just(0)),
    ), max_size=40))
    keeper = SequencedBook("X/Y")
    highest = -1
    for op, arg in ops:
        if op == "next":  # the delta the book is waiting for, if any
            after = keeper.sequence if keeper.sequence is not None else h.first
            following = [d for d in h.deltas if d.start <= after + 1 <= d.end]
            out = keeper.feed(following[0]) if following else None
        elif op == "feed":
            out = keeper.feed(h.deltas[arg])
        elif op == "seed":
            if keeper.needs_snapshot:
                keeper.seed(h.snapshot(arg))
            out = keeper.book()
        else:
            keeper.reset()
            out = keeper.book()
        for book in (out, keeper.book()):
            if isinstance(book, OrderBook):
                assert book.sequence is not None and book.sequence >= highest
                check(book, h, book.sequence)
                highest = book.sequence


@given(h=histories(), limit=st.integers(1, 5))
def test_limit_trims_every_yield_and_keeps_the_whole_book(h: History, limit: int) -> None:
    """(e) The same deltas through a limited and an unlimited keeper: each limited book is the
    head of the full one, also when the head is removed and deeper levels surface."""
    full, short = SequencedBook("X/Y"), SequencedBook("X/Y", limit=limit)
    for keeper in (full, short):
        keeper.seed(h.snapshot(h.first))
    for d in h.deltas:
        a, b = full.feed(d), short.feed(d)
        assert isinstance(a, OrderBook) and isinstance(b, OrderBook)
        assert b.bids == a.bids[:limit] and b.asks == a.asks[:limit]
        assert b.sequence == a.sequence


# -- the inline row reader against the general one -------------------------------------------

TEXTS = st.sampled_from(["10", "10.50", "0", "0.000", "-0", "-1", "1e3", " 7", "NaN", "Infinity",
                         "abc", "", "1_0", "\u0661", "12", "13", "99999999999"])
FIELD = st.one_of(TEXTS, st.integers(-2, 20), st.none(), st.just(b"12"), st.just(1.5),
                  st.lists(st.just("1"), max_size=1))
ROW = st.one_of(st.lists(FIELD, min_size=0, max_size=4), st.tuples(TEXTS, TEXTS, TEXTS),
                TEXTS, st.none())


#: rows mostly of the common shape (their sequences as offsets from the delta's start), some
#: refused by either reader or only by `take`
VALID = st.tuples(st.sampled_from(["10", "9", "11", "12", "10.50", "8", "0"]),
                  st.sampled_from(["1", "0", "2.5", "3", "0.000"]),
                  st.sampled_from([0, 1, 2, 0, 1, 2, 3])).map(list)
ODD = st.tuples(st.sampled_from(["10", "1e3", " 7", "-0", "x", ""]),
                st.sampled_from(["1", "-0", "NaN", ".5", " 2"]),
                st.sampled_from([0, 1, -1, "x", " 1"])).map(list)
SIDE = st.one_of(st.lists(VALID, max_size=4), st.lists(VALID, max_size=4),
                 st.lists(st.one_of(VALID, VALID, ODD, ROW), max_size=3))


def _state(book: SequencedBook) -> Any:
    held = book._book
    return ([(x.price, x.amount) for x in held.bids.top()],
            [(x.price, x.amount) for x in held.asks.top()], held.sequence)


def _rows(changes: list[Any], start: int) -> list[Any]:
    return [[c[0], c[1], str(start + c[2]) if type(c[2]) is int else c[2]]
            if type(c) is list and len(c) == 3 and type(c[2]) is int else c for c in changes]


@settings(max_examples=150)
@given(deltas=st.lists(st.tuples(st.integers(-1, 1), SIDE, SIDE, st.sampled_from([None, 1, 2])),
                       max_size=8))
def test_the_one_pass_reader_answers_what_the_general_rules_answer(
        deltas: list[tuple[int, list[Any], list[Any], int | None]]) -> None:
    """Deltas that continue a live book go through BookSide.take (rows read and put in at
    once, undone at a row it does not take); the same deltas through the general path alone
    (every row parsed by `_row`, then applied) end in the same book, refuse the same deltas,
    and a refused delta changes nothing. Cached tops are read between the deltas."""
    from unittest import mock

    from unified.streams.book import BookSide

    def seeded() -> SequencedBook:
        book = SequencedBook("X/Y")
        book.seed(Snapshot(sequence=10, bids=[["10", "1"], ["9", "2"], ["8", "1"]],
                           asks=[["10", "1"], ["12", "3"], ["13", "1"]]))
        return book

    fast, general = seeded(), seeded()
    for offset, bid_changes, ask_changes, depth in deltas:
        start = (fast.sequence or 0) + 1 + offset
        delta = Delta(start=start, end=start + 2, bids=_rows(bid_changes, start),
                      asks=_rows(ask_changes, start))
        outcomes: list[Any] = []
        for book, one_pass in ((fast, True), (general, False)):
            before = _state(book)
            book.read(depth)  # a top cached across the delta
            with mock.patch.object(BookSide, "take", BookSide.take if one_pass else
                                   lambda *_: False):
                try:
                    outcomes.append(book.apply(delta))
                except DecodeError:
                    outcomes.append(DecodeError)
                    assert _state(book) == before  # a refused delta changed nothing
            read = book.read(depth)
            outcomes.append(read and (read.bids, read.asks, read.sequence))
        assert outcomes[:2] == outcomes[2:]
        assert _state(fast) == _state(general)
