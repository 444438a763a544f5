"""The neutral book store: levels by price, best-first reads, limits that trim output only."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from unified.errors import DecodeError
from unified.models import BookLevel, OrderBook
from unified.streams.book import BookKeeper, BookSide, Level, book_level, parse_level, slot_setters

from .histories import ASK_PRICES, BID_PRICES, SIZES, ZEROS, RefBook


def lv(price: str, amount: str) -> Level:
    return parse_level([price, amount], "level")


def test_a_level_keeps_the_venues_strings_and_exact_values() -> None:
    level = parse_level(["0.10", "0.0000001", 3, "extra"], "bid")
    assert (level.price_text, level.amount_text) == ("0.10", "0.0000001")
    assert level.model == BookLevel(price=Decimal("0.10"), amount=Decimal("0.0000001"))


@pytest.mark.parametrize("row", [
    [1.5, "1"], ["1", 2.0], ["1", True], [None, "1"], ["abc", "1"], ["NaN", "1"],
    ["Infinity", "1"], ["-1", "1"], ["1", "-0.5"], ["1"], "1,1", 7, [],
])
def test_anything_but_decimal_strings_is_refused(row: object) -> None:
    with pytest.raises(DecodeError):
        parse_level(row, "bid")


def test_a_side_orders_best_first_and_removes_on_zero() -> None:
    bids, asks = BookSide(descending=True), BookSide(descending=False)
    for price in ("99", "101", "100"):
        bids.set(lv(price, "1"))
        asks.set(lv(price, "1"))
    assert [x.price_text for x in bids.best()] == ["101", "100", "99"]
    assert [x.price_text for x in asks.best(2)] == ["99", "100"]
    bids.set(lv("100", "0.000"))  # any zero removes
    bids.set(lv("55", "0"))  # absent: nothing to remove
    assert [x.price_text for x in bids.best()] == ["101", "99"]
    assert bids.best(0) == [] and len(bids) == 2


def test_one_price_written_two_ways_is_one_level_with_the_latest_text() -> None:
    side = BookSide(descending=False)
    side.set(lv("100.5", "1"))
    side.set(lv("100.50", "2"))
    assert len(side) == 1
    assert side.best()[0][:2] == ("100.50", "2")


def test_load_replaces_the_side_and_skips_zero_levels() -> None:
    side = BookSide(descending=True)
    side.set(lv("7", "1"))
    side.load([lv("1", "1"), lv("3", "0"), lv("2", "5")])
    assert [(x.price_text, x.amount_text) for x in side.best()] == [("2", "5"), ("1", "1")]


def test_a_yield_shares_the_levels_it_did_not_change() -> None:
    keeper = BookKeeper("BTC/USDT")
    keeper.bids.set(lv("1", "1"))
    keeper.asks.set(lv("2", "1"))
    first = keeper.order_book()
    keeper.asks.set(lv("3", "1"))
    second = keeper.order_book()
    assert second.bids[0] is first.bids[0]
    assert second.symbol == "BTC/USDT" and second.sequence is None


side_ops = st.lists(st.tuples(st.booleans(), st.integers(0, 35),
                              st.sampled_from(SIZES + ZEROS)), max_size=80)


@given(ops=side_ops, limit=st.integers(1, 40))
def test_the_keeper_agrees_with_a_sorted_dict_and_limit_trims_only_output(
        ops: list[tuple[bool, int, str]], limit: int) -> None:
    """(e) for the store itself: after any changes, the limited book is the full book's
    head, and what lies below the limit is still there when the head is removed."""
    keeper, ref = BookKeeper("X/Y"), RefBook()
    for bid, index, size in ops:
        price = (BID_PRICES if bid else ASK_PRICES)[index]
        (keeper.bids if bid else keeper.asks).set(lv(price, size))
        ref.apply(bid, price, size)
        full, short = keeper.order_book(), keeper.order_book(limit)
        assert [list(full.bids), list(full.asks)] == [
            [BookLevel(price=p, amount=a) for p, a in side] for side in ref.view()]
        assert short.bids == full.bids[:limit] and short.asks == full.asks[:limit]


def test_levels_and_books_built_slot_by_slot_are_the_models() -> None:
    a, b = Decimal("1.50"), Decimal("0.0000001")
    assert book_level(a, b) == BookLevel(price=a, amount=b)
    assert repr(book_level(a, b)) == repr(BookLevel(price=a, amount=b))
    assert hash(book_level(a, b)) == hash(BookLevel(price=a, amount=b))
    keeper = BookKeeper("X/Y")
    keeper.bids.set(lv("1", "2"))
    keeper.sequence, keeper.raw = 7, {"payload": 1}
    built = keeper.order_book()
    assert built == OrderBook(symbol="X/Y", timestamp=None, bids=(BookLevel(price=Decimal(1),
                              amount=Decimal(2)),), asks=(), sequence=7, raw=None)
    assert built.raw == {"payload": 1} and type(built) is OrderBook


def test_slot_setters_refuse_a_model_with_checks() -> None:
    @attrs.frozen
    class Checked:
        price: Decimal = attrs.field(validator=attrs.validators.instance_of(Decimal))

    with pytest.raises(TypeError):
        slot_setters(Checked, ("price",))
    with pytest.raises(TypeError):
        slot_setters(BookLevel, ("amount", "price"))


# prices apart by less than a float can tell: one float, distinct exact values
NEAR = ["1", "1.00000000000000000001", "1.00000000000000000002", "0.99999999999999999999",
        "1.0000000000000000000100", "2", "0.5"]


def test_prices_that_share_a_float_stay_distinct_and_in_exact_order() -> None:
    assert len({float(p) for p in NEAR[:5]}) == 1
    for descending in (True, False):
        side = BookSide(descending=descending)
        for price in NEAR:
            side.set(lv(price, "1"))
        prices = sorted({Decimal(p) for p in NEAR}, reverse=descending)
        assert [x.price for x in side.best()] == prices
        side.set(lv("1.00000000000000000001", "0"))  # removes that one only
        side.set(lv("1.000000000000000000020", "5"))  # the same value written another way
        got = [(x.price, x.amount) for x in side.best()]
        want = [(p, Decimal(5) if p == Decimal("1.00000000000000000002") else Decimal(1))
                for p in prices if p != Decimal("1.00000000000000000001")]
        assert got == want


@given(ops=st.lists(st.tuples(st.booleans(), st.sampled_from(NEAR), st.sampled_from(SIZES + ZEROS)),
                    max_size=60))
def test_a_side_of_near_prices_agrees_with_a_sorted_dict(ops: list[tuple[bool, str, str]]) -> None:
    keeper, ref = BookKeeper("X/Y"), RefBook()
    for bid, price, size in ops:
        (keeper.bids if bid else keeper.asks).set(lv(price, size))
        ref.apply(bid, price, size)
        full = keeper.order_book()
        assert [[(x.price, x.amount) for x in side] for side in (full.bids, full.asks)] \
            == [list(side) for side in ref.view()]


@given(descending=st.booleans(), n=st.integers(1, 4),
       ops=st.lists(st.lists(st.tuples(st.sampled_from(BID_PRICES[:6] + NEAR[:3]),
                                       st.sampled_from(SIZES[:2] + ZEROS)),
                             min_size=1, max_size=3), max_size=40))
def test_a_cached_top_is_kept_only_while_no_change_reaches_it(
        descending: bool, n: int, ops: list[list[tuple[str, str]]]) -> None:
    """The best n read before and after every change (the cache kept across changes below
    it) are what a fresh side answers; changes go in as a keeper's rows do, a few a call."""
    side = BookSide(descending=descending, keep_text=False)
    ref = RefBook()
    seq = 0
    for rows in ops:
        depth = None if seq % 3 == 2 else n
        side.top(depth)  # cached: the best n, or the whole side
        batch = []
        for price, size in rows:
            seq += 1
            level = lv(price, size)
            batch.append((seq, (level.price, float(price)), level.amount, price, size))
            ref.apply(descending, price, size)
        side.apply(batch, 0)
        want = ref.view()[0 if descending else 1]
        assert [(x.price, x.amount) for x in side.top(depth)] == want[:depth]
    assert [(x.price, x.amount) for x in side.top()] == ref.view()[0 if descending else 1]
