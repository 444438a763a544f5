"""The venue-neutral order book behind every streamed book, and the signals keepers answer with.

A `BookKeeper` only stores: the bids and asks, the sequence the book is at, and the time and
payload of the last message applied. It never decides whether a message may be applied; that
is the job of the rules beside it (`sequenced`: numbered deltas on a REST snapshot;
`checksummed`: increments verified by a CRC32). Keeping the store dumb lets both rule sets share
one tested implementation of "apply a level" and "read the best n".

Costs: a side is parallel lists in ascending price order (bids are read from the end): the
prices, their floats (the bisect key), the unified levels and, where a checksum needs them, the
venue's texts. A level change is one bisect of floats (ties broken by the Decimals, so the book
is exact) and a list write, or list inserts/deletes when a price appears or goes (pointer
memmoves, no comparison of the whole book). A unified level is built once per change and shared
by every book yielded while it stands; reading the best n levels is one slice, cached until a
change reaches those n; nothing sorts the whole book per message. A checksummed side keeps the
exact strings the venue sent, because a venue's checksum is computed over its own text
("0.0000001"), not over our re-formatting of a Decimal ("1E-7"). Amounts and prices are Decimals
parsed from those strings; a float, a bool, a negative or non-finite number is a DecodeError.
"""

from __future__ import annotations

import enum
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation, getcontext
from typing import Any, NamedTuple

import attrs

from unified.errors import DecodeError
from unified.models import BookLevel, OrderBook

#: a price and its sort_key
Price = tuple[Decimal, float]
#: one parsed change, as the keepers hand it to `BookSide.apply`:
#: (sequence, (price, sort key), amount, price text, amount text)
Row = tuple[int, Price, Decimal, str, str]
_ZERO = Decimal("0")
#: `take` reads a number text led by an ASCII digit ("0" <= text < ":") with Decimal: if that
#: reads it at all (and raises when it cannot), the value is finite and >= 0
_NOT_A_ROW: Any = ()  # what `take` unpacks from anything but a list: a ValueError


def slot_setters(cls: type, names: tuple[str, ...]) -> Any:
    """The setters of `cls`'s slots. Frozen attrs classes set their fields through
    object.__setattr__, one bound call each; the slot descriptors do the same write for half
    the cost, and models built per frame add up. That is only the same thing as calling the
    class while its fields are exactly `names` and plain (no validator, converter or hook):
    anything else fails here, at import, rather than building unchecked models."""
    fields = attrs.fields(cls)
    plain = all(f.validator is None and f.converter is None and f.init for f in fields)
    hooks = any(hasattr(cls, h) for h in ("__attrs_pre_init__", "__attrs_post_init__"))
    if tuple(f.name for f in fields) != names or not plain or hooks:
        raise TypeError(f"{cls.__name__} is no longer {names} of plain fields: "
                        "unified/streams/book.py builds it slot by slot")
    return tuple(cls.__dict__[name].__set__ for name in names)


_new = object.__new__
_LEVEL_SETTERS = _set_price, _set_amount = slot_setters(BookLevel, ("price", "amount"))
_set_symbol, _set_time, _set_bids, _set_asks, _set_sequence, _set_raw = slot_setters(
    OrderBook, ("symbol", "timestamp", "bids", "asks", "sequence", "raw"))


def book_level(price: Decimal, amount: Decimal) -> BookLevel:
    """`BookLevel(price=price, amount=amount)`, built the cheap way."""
    level: BookLevel = _new(BookLevel)
    _set_price(level, price)
    _set_amount(level, amount)
    return level


class Level(NamedTuple):
    """One price level as the venue wrote it, with the unified level built from it."""

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
    return Level(price_text, amount_text, book_level(price, amount))


def sort_key(price: Decimal, text: str) -> float:
    """The float of a price: the order of floats is the order of the exact values, except
    that distinct values may share one float (BookSide breaks those ties exactly). From the
    venue's text, which is quicker than from the Decimal and the same number."""
    try:
        return float(text)
    except ValueError:  # a text only Decimal reads (none is known): the Decimal's own
        return float(price)


class BookSide:
    """One side of a book: prices ascending (bids are read from the end), with the unified
    level of each at the same index, and the venue's (price, amount) texts when the side keeps
    them (`keep_text`: a checksum is computed over them), so that the best levels are found
    without sorting and read without a lookup per level. A side that keeps no texts answers
    the Decimals' own in `best`.

    Prices are found by bisecting their floats (`sort_key`: a comparison of floats costs a
    tenth of one of Decimals); where floats tie, the Decimals decide, so the book is exact.
    `known` maps the text each level's price came in as to its (price, sort key): a feed
    names the prices on the book again and again, and a lookup spares reading the number. It
    holds exactly the levels on the side, so it is as big as the side and no bigger."""

    __slots__ = ("_keys", "_models", "_prices", "_spelled", "_texts", "_top", "_top_n",
                 "descending", "known")

    def __init__(self, *, descending: bool, keep_text: bool = True) -> None:
        self.descending = descending
        self._prices: list[Decimal] = []
        self._keys: list[float] = []  # sort_key of each price
        self._models: list[BookLevel] = []
        self._spelled: list[str] = []  # the text each price came in as (its key in `known`)
        self._texts: list[tuple[str, str]] | None = [] if keep_text else None
        self.known: dict[str, Price] = {}
        self._top: tuple[BookLevel, ...] = ()  # the best _top_n levels, while the side stands
        self._top_n: int | None = -1  # -1: nothing cached

    def __len__(self) -> int:
        return len(self._prices)

    def set(self, level: Level) -> None:
        """Put a level in; an amount of zero removes its price (absent already: no-op)."""
        price = level.model.price
        if price:
            self._put(price, sort_key(price, level.price_text), level.model.amount,
                      level.price_text, level.amount_text)

    def apply(self, rows: Iterable[Row], floor: int) -> None:
        """Put in every row whose sequence is above `floor`, in the order given; a price of 0
        changes nothing (a sequence marker), an amount of 0 removes the price."""
        for sequence, (price, key), amount, price_text, amount_text in rows:
            if sequence > floor and price:
                self._put(price, key, amount, price_text, amount_text)

    def _put(self, price: Decimal, key: float, amount: Decimal, price_text: str,
             amount_text: str) -> None:
        """One level put in (`take` has the same steps inline). The cached top is dropped only
        when the change reaches into it: a rank from the best below its n."""
        prices, keys, models, texts = self._prices, self._keys, self._models, self._texts
        i = bisect_left(keys, key)
        found = i < len(keys) and keys[i] == key
        if found and prices[i] is not price and prices[i] != price:
            i = bisect_left(prices, price, i, bisect_right(keys, key, i))  # a float tie
            found = i < len(prices) and prices[i] == price
        watch = self._top_n
        if watch is None or (watch > 0 and (
                (len(keys) - i - found) if self.descending else i) < watch):
            self._top_n = -1
        if found:
            if not amount:
                self._remove(i)
                return
            models[i] = book_level(price, amount)
            if texts is not None:
                texts[i] = (price_text, amount_text)
        elif amount:
            prices.insert(i, price)
            keys.insert(i, key)
            models.insert(i, book_level(price, amount))
            self._spelled.insert(i, price_text)
            self.known[price_text] = (price, key)
            if texts is not None:
                texts.insert(i, (price_text, amount_text))

    def take(self, rows: Sequence[object], start: int, end: int, floor: int,
             undo: list[tuple[Any, ...]]) -> bool:
        """`apply` of the venue's rows `[price, size, sequence]` in one pass (`_put`'s steps,
        each change logged in `undo`); at a row not three strings led by digits, in start..end
        and in sequence order, it undoes its changes and answers False: take the general path."""
        if self._texts is not None or not getcontext().traps[InvalidOperation]:
            return False  # texts kept (`apply` keeps them), or Decimal answering NaN
        prices, keys, models, known = self._prices, self._keys, self._models, self.known
        descending, mark = self.descending, len(undo)
        last = start  # the whole side cached (None): any change reaches it
        watch = self._top_n = -1 if self._top_n is None else self._top_n
        for row in rows:
            try:  # anything odd raises here, or leaves seq out of range
                p, s, q = row if type(row) is list else _NOT_A_ROW
                entry: Any = known.get(p)
                if entry is None:
                    if not "0" <= p < ":":  # a str led by an ASCII digit (else raises)
                        raise ValueError
                    entry = (Decimal(p), float(p))  # sort_key: the float of the text
                if s == "0":
                    amount = _ZERO
                elif "0" <= s < ":":
                    amount = Decimal(s)
                else:
                    raise ValueError
                seq = int(q) if q.isascii() and q.isdecimal() else -1
            except (ValueError, TypeError, AttributeError, IndexError, InvalidOperation):
                seq = -1
            if not last <= seq <= end:
                return self.revert(undo, mark)
            last = seq
            price, key = entry
            if seq <= floor or not price:
                continue
            i = bisect_left(keys, key)
            found = i < len(keys) and keys[i] == key
            if found and prices[i] is not price and prices[i] != price:
                i = bisect_left(prices, price, i, bisect_right(keys, key, i))
                found = i < len(prices) and prices[i] == price
            if watch > 0 and ((len(keys) - i - found) if descending else i) < watch:
                watch = self._top_n = -1  # the change reaches the cached top
            if found:
                if amount:
                    undo.append((i, models[i]))
                    models[i] = model = _new(BookLevel)
                    _set_price(model, price)
                    _set_amount(model, amount)
                else:
                    undo.append((i, price, key, models[i], self._spelled[i]))
                    self._remove(i)
            elif amount:
                models.insert(i, model := _new(BookLevel))
                _set_price(model, price)
                _set_amount(model, amount)
                prices.insert(i, price)
                keys.insert(i, key)
                self._spelled.insert(i, p)
                known[p] = entry
                undo.append((i,))
        return True

    def revert(self, undo: list[tuple[Any, ...]], mark: int = 0) -> bool:
        """Take back `take`'s changes logged in `undo` past `mark`, newest first; False."""
        while len(undo) > mark:
            change = undo.pop()
            i = change[0]
            if len(change) == 2:
                self._models[i] = change[1]
            elif len(change) == 1:
                self._remove(i)
            else:
                _, price, key, model, text = change
                self._prices.insert(i, price)
                self._keys.insert(i, key)
                self._models.insert(i, model)
                self._spelled.insert(i, text)
                self.known[text] = (price, key)
        self._top_n = -1
        return False

    def _remove(self, i: int) -> None:
        del self._prices[i], self._keys[i], self._models[i]
        self.known.pop(self._spelled.pop(i), None)
        if self._texts is not None:
            del self._texts[i]

    def load(self, levels: Iterable[Level]) -> None:
        """Replace the whole side (a snapshot): one sort instead of one insert per level. A
        price given twice keeps its last level; zero amounts are left out."""
        by_price = {lv.model.price: lv for lv in levels}
        ordered = sorted((lv for lv in by_price.values() if lv.model.amount),
                         key=lambda lv: lv.model.price)
        self._prices = [lv.model.price for lv in ordered]
        self._keys = [sort_key(lv.model.price, lv.price_text) for lv in ordered]
        self._models = [lv.model for lv in ordered]
        self._spelled = [lv.price_text for lv in ordered]
        self.known = dict(zip(self._spelled, zip(self._prices, self._keys, strict=True),
                              strict=True))
        if self._texts is not None:
            self._texts = [(lv.price_text, lv.amount_text) for lv in ordered]
        self._top_n = -1

    def clear(self) -> None:
        self._prices, self._keys, self._models, self._spelled = [], [], [], []
        self.known = {}
        if self._texts is not None:
            self._texts = []
        self._top_n = -1

    def top(self, n: int | None = None) -> tuple[BookLevel, ...]:
        """The best `n` unified levels (all when None), best first; cached until a change
        reaches them (`apply`)."""
        if n == self._top_n:
            return self._top
        models = self._models
        if self.descending:  # one reversed slice from the end
            top = tuple(models[::-1] if n is None else models[:-n - 1:-1])
        else:
            top = tuple(models if n is None else models[:n])
        self._top, self._top_n = top, n
        return top

    def best(self, n: int | None = None) -> list[Level]:
        """The best `n` levels (all when None) with the venue's texts, best first."""
        size = len(self._prices)
        window = slice(None) if n is None else slice(max(size - n, 0), None) \
            if self.descending else slice(0, n)
        models = self._models[window]
        texts = self._texts[window] if self._texts is not None else [
            (str(m.price), str(m.amount)) for m in models]
        levels = [Level(p, a, m) for (p, a), m in zip(texts, models, strict=True)]
        if self.descending:
            levels.reverse()
        return levels


class BookKeeper:
    """A whole book for one symbol. It applies what it is told; the rule sets decide what."""

    __slots__ = ("asks", "bids", "raw", "sequence", "symbol", "timestamp")

    def __init__(self, symbol: str, *, keep_text: bool = True) -> None:
        self.symbol = symbol
        self.bids = BookSide(descending=True, keep_text=keep_text)
        self.asks = BookSide(descending=False, keep_text=keep_text)
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
        bids, asks = self.bids, self.asks  # a side's cached top without a call
        book: OrderBook = _new(OrderBook)  # order_book(), inline: one call less per yield
        _set_symbol(book, self.symbol)
        _set_time(book, self.timestamp)
        _set_bids(book, bids._top if bids._top_n == limit else bids.top(limit))
        _set_asks(book, asks._top if asks._top_n == limit else asks.top(limit))
        _set_sequence(book, self.sequence)
        _set_raw(book, self.raw)
        return book


class Status(enum.Enum):
    """What one message did to a keeper."""

    #: the book is consistent and moved on: a new book may be yielded
    UPDATED = "updated"
    #: nothing new to yield (buffered, stale, or waiting for a snapshot)
    UNCHANGED = "unchanged"
    #: consistency was lost just now: nothing is yielded until the keeper is seeded again
    RESYNC = "resync"


# the members as plain names: in Python 3.11 an attribute of an Enum class is looked up through
# the metaclass's __getattr__ hook, several hundred instructions a time on the per-frame path
UPDATED, UNCHANGED, RESYNC = Status.UPDATED, Status.UNCHANGED, Status.RESYNC


@attrs.frozen(kw_only=True, slots=True)
class Resync:
    """Why a keeper stopped yielding. `expected` and `received` are the two numbers that
    disagreed (sequences for a gap, checksums for a mismatch), when there are two."""

    reason: str
    expected: int | None = None
    received: int | None = None
