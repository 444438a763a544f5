"""Unified models as data frames: pandas, polars or Arrow, exact by default.

    from unified import frames
    df = frames.to_pandas(await ex.fetch_my_trades("BTC/USDT"))      # a list of models
    df = await frames.to_pandas_async(ex.iter_ledger("USDT"))        # a whole walk
    pl_df = frames.to_polars(fills)                                  # Decimal(p, s) columns
    df = frames.to_pandas(fills, floats=True)                        # float64 instead
    snap = frames.tickers_frame({"kucoin": t1, "okcoinjp": t2})      # one row per venue
    depth = frames.books_frame({"kucoin": b1, "okcoinjp": b2}, depth=5)

Columns are the models' fields (a Fee becomes fee_cost, fee_currency, fee_rate; enums their
values; `raw` left out); times are UTC. Exact: pandas holds the Decimal objects themselves
(object dtype), polars and Arrow `decimal128` with a precision and scale per column that hold
every value exactly, refusing (ConfigurationError) a value none can hold rather than rounding
it. `floats=True` gives float64 columns. pandas, polars and pyarrow come with the `data` extra
(`pip install "exchange-unified[data]"`); without it these calls raise ConfigurationError
naming it. Nothing here imports them until a frame is made.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable, Mapping
from typing import Any, Literal

from unified.frames.build import (
    DATA_EXTRA,
    arrow_table,
    decimal_shape,
    need,
    pandas_frame,
    polars_frame,
)
from unified.frames.columns import Columns, as_list, book_columns, columns
from unified.frames.series import (
    BalancePoint,
    PnlPoint,
    PnlSeries,
    balance_series,
    fill_marks,
    pnl_series,
)
from unified.models import OrderBook, Ticker

Backend = Literal["pandas", "polars", "arrow"]

__all__ = [
    "DATA_EXTRA", "BalancePoint", "Columns", "PnlPoint", "PnlSeries", "arrow_table",
    "balance_series", "books_frame", "collect", "columns", "decimal_shape", "fill_marks",
    "need", "pnl_series", "tickers_frame", "to_arrow", "to_arrow_async", "to_pandas",
    "to_pandas_async", "to_polars", "to_polars_async",
]


def _frame(cols: Columns, backend: Backend, floats: bool) -> Any:
    if backend == "pandas":
        return pandas_frame(cols, floats)
    if backend == "polars":
        return polars_frame(cols, floats)
    if backend == "arrow":
        return arrow_table(cols, floats)
    raise ValueError(f"backend: pandas, polars or arrow, not {backend!r}")


def to_pandas(items: Iterable[Any] | Mapping[Any, Any], *, floats: bool = False) -> Any:
    """A pandas.DataFrame of models of one kind (a list, a tuple, Balances, a dict of them)."""
    return pandas_frame(columns(items), floats)


def to_polars(items: Iterable[Any] | Mapping[Any, Any], *, floats: bool = False) -> Any:
    """A polars.DataFrame of models of one kind."""
    return polars_frame(columns(items), floats)


def to_arrow(items: Iterable[Any] | Mapping[Any, Any], *, floats: bool = False) -> Any:
    """A pyarrow.Table of models of one kind."""
    return arrow_table(columns(items), floats)


async def collect(walk: AsyncIterable[Any]) -> list[Any]:
    """Every item of an async walk (a PageWalk from ex.iter_*), in order."""
    return [item async for item in walk]


async def to_pandas_async(walk: AsyncIterable[Any], *, floats: bool = False) -> Any:
    """A whole walk (ex.iter_my_trades(...), any async iterable of models) as pandas."""
    return to_pandas(await collect(walk), floats=floats)


async def to_polars_async(walk: AsyncIterable[Any], *, floats: bool = False) -> Any:
    """A whole walk as polars."""
    return to_polars(await collect(walk), floats=floats)


async def to_arrow_async(walk: AsyncIterable[Any], *, floats: bool = False) -> Any:
    """A whole walk as a pyarrow.Table."""
    return to_arrow(await collect(walk), floats=floats)


def _venue_column(parts: list[tuple[str, Columns]]) -> Columns:
    if not parts:
        return Columns({"venue": "string"}, {"venue": []})
    kinds = parts[0][1].kinds
    values: dict[str, list[Any]] = {name: [] for name in kinds}
    venues: list[Any] = []
    for venue, cols in parts:
        venues.extend([venue] * len(cols))
        for name in kinds:
            values[name].extend(cols.values[name])
    return Columns(kinds, values).prepend("venue", "string", venues)


def tickers_frame(tickers: Mapping[str, Ticker | Iterable[Ticker] | Mapping[str, Ticker]], *,
                  backend: Backend = "pandas", floats: bool = False) -> Any:
    """Ticker snapshots of several venues as one frame, a `venue` column first: a venue maps
    to one Ticker, or to several (fetch_tickers' dict, a list)."""
    parts: list[tuple[str, Columns]] = []
    for venue, given in tickers.items():
        rows = [given] if isinstance(given, Ticker) else as_list(given)
        parts.append((venue, columns(rows) if rows else columns([])))
    return _frame(_venue_column([p for p in parts if p[1].kinds]), backend, floats)


def books_frame(books: Mapping[str, OrderBook], *, depth: int | None = None,
                backend: Backend = "pandas", floats: bool = False) -> Any:
    """Order book snapshots of several venues as one frame: one row per venue, side and
    level (`level` 0 the best), at most `depth` levels a side."""
    parts = [(venue, book_columns([book], depth)) for venue, book in books.items()]
    return _frame(_venue_column(parts), backend, floats)
