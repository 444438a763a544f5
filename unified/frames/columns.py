"""Models as columns, in plain Python: the column set and each column's kind come from the
model's own field types, so an empty or all-null column still has its type.

A nested model (an order's or fill's Fee) becomes `fee_cost`, `fee_currency`, `fee_rate`;
enums become their venue-neutral values (`buy`, `filled`); `raw` and nested sequences (an
OCO's legs) are left out. An order book becomes one row per level (`side`, `level`, `price`,
`amount`), best first.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any, Literal

import attrs

from unified.errors import ConfigurationError
from unified.models import OrderBook

Kind = Literal["decimal", "timestamp", "string", "bool", "int"]
_SCALARS: Mapping[type, Kind] = {Decimal: "decimal", datetime: "timestamp", str: "string",
                                 bool: "bool", int: "int"}
BOOK_COLUMNS: tuple[tuple[str, Kind], ...] = (
    ("symbol", "string"), ("timestamp", "timestamp"), ("sequence", "int"), ("side", "string"),
    ("level", "int"), ("price", "decimal"), ("amount", "decimal"))


@attrs.frozen
class Columns:
    """Named, typed columns of equal length; `values` keeps the exact Python values (Decimal,
    aware UTC datetime, str, bool, int or None)."""

    kinds: dict[str, Kind]
    values: dict[str, list[Any]]

    @property
    def names(self) -> list[str]:
        return list(self.kinds)

    def __len__(self) -> int:
        return len(next(iter(self.values.values()), []))

    def prepend(self, name: str, kind: Kind, values: list[Any]) -> Columns:
        return Columns({name: kind, **self.kinds}, {name: values, **self.values})


Leaf = tuple[str, Kind, Callable[[Any], Any]]


def _plain(tp: Any) -> Any:
    """`Decimal | None` -> Decimal; anything else unchanged."""
    if isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union:
        rest = [a for a in typing.get_args(tp) if a is not type(None)]
        return rest[0] if len(rest) == 1 else Any
    return tp


def _getter(outer: Callable[[Any], Any], name: str) -> Callable[[Any], Any]:
    def get(item: Any) -> Any:
        holder = outer(item)
        return None if holder is None else getattr(holder, name)
    return get


@cache
def leaves(cls: type, prefix: str = "") -> tuple[Leaf, ...]:
    """Every flat column of a model class: (name, kind, getter)."""
    out: list[Leaf] = []
    hints = typing.get_type_hints(cls)
    for field in attrs.fields(cls):
        tp = _plain(hints[field.name])
        name = f"{prefix}{field.name}"
        get = _getter(lambda item: item, field.name)
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            out.append((name, "string", _enum_value(get)))
        elif isinstance(tp, type) and attrs.has(tp):
            out.extend((n, k, _chain(get, g)) for n, k, g in leaves(tp, f"{name}_"))
        elif tp in _SCALARS:
            out.append((name, _SCALARS[tp], get))
        # Any (raw) and sequences (an OCO's legs, a book's levels) are left out
    return tuple(out)


def _enum_value(get: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def value(item: Any) -> Any:
        member = get(item)
        return None if member is None else str(member.value)
    return value


def _chain(first: Callable[[Any], Any], then: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def get(item: Any) -> Any:
        inner = first(item)
        return None if inner is None else then(inner)
    return get


def as_list(items: Iterable[Any] | Mapping[Any, Any]) -> list[Any]:
    """A list of models; a mapping (Balances, fetch_tickers' dict) gives its values."""
    if isinstance(items, Mapping):
        return list(items.values())
    return list(items)


def columns(items: Iterable[Any] | Mapping[Any, Any]) -> Columns:
    """Items of one model class as typed columns (an empty input has no columns)."""
    rows = as_list(items)
    classes = {type(item) for item in rows}
    if len(classes) > 1:
        names = ", ".join(sorted(c.__name__ for c in classes))
        raise ConfigurationError(f"a frame holds one kind of model, not a mix of {names}")
    if not rows:
        return Columns({}, {})
    cls = classes.pop()
    if cls is OrderBook:
        return book_columns(rows)
    if not attrs.has(cls):
        raise ConfigurationError(f"frames are made of unified models, not {cls.__name__}")
    found = leaves(cls)
    return Columns({n: k for n, k, _ in found}, {n: [get(r) for r in rows] for n, _, get in found})


def book_columns(books: Sequence[OrderBook], depth: int | None = None) -> Columns:
    """One row per level: bids then asks, each best first, `level` 0 the best."""
    values: dict[str, list[Any]] = {name: [] for name, _ in BOOK_COLUMNS}
    for book in books:
        for side, levels in (("bid", book.bids), ("ask", book.asks)):
            for i, level in enumerate(levels[:depth] if depth is not None else levels):
                for name, value in zip(values, (book.symbol, book.timestamp, book.sequence,
                                                side, i, level.price, level.amount), strict=True):
                    values[name].append(value)
    return Columns(dict(BOOK_COLUMNS), values)
