"""The series behind `unified plot`, exact (Decimal) and free of any data library, so that what
a chart shows can be checked against the fills and ledger it came from.

- `pnl_series(fills)`: per market, after each fill (oldest first), the cash flow in the quote
  currency (sells add `cost`, buys subtract it) plus the position in the base currency valued
  at that fill's price: a mark-to-market PnL that starts at 0 before the first fill. A fee in
  the quote currency is subtracted from the cash, one in the base currency from the position;
  fees in any other currency (e.g. KCS) are not in the PnL and are totalled in `other_fees`.
- `balance_series(entries)`: per currency, the balance after each ledger entry (oldest first):
  the venue's own `balance` where the entry has one, else the previous one plus `amount`
  (starting from 0: the change since the first entry).
- `fill_marks(candles, fills, seconds)`: the fills that fall inside the candles' time span.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise

import attrs

from unified.models import Candle, Fill, LedgerEntry, Side


@attrs.frozen
class PnlPoint:
    timestamp: datetime
    pnl: Decimal       # in the quote currency
    position: Decimal  # in the base currency
    price: Decimal     # the fill's price, at which the position is valued
    fill_id: str


@attrs.frozen
class PnlSeries:
    symbol: str
    quote: str
    points: tuple[PnlPoint, ...]
    other_fees: dict[str, Decimal]  # currency -> total of fees not in the PnL


@attrs.frozen
class BalancePoint:
    timestamp: datetime
    balance: Decimal
    entry_id: str


def _oldest_first(items: Sequence[Fill] | Sequence[LedgerEntry]) -> list[Fill | LedgerEntry]:
    """Oldest first; a walk that came newest first is reversed before the (stable) sort, so
    entries of one timestamp keep the venue's order."""
    rows: list[Fill | LedgerEntry] = list(items)
    stamps = [r.timestamp for r in rows]
    if len(rows) > 1 and stamps[0] > stamps[-1] \
            and all(a >= b for a, b in pairwise(stamps)):
        rows.reverse()
    return sorted(rows, key=lambda r: r.timestamp)


def pnl_series(fills: Iterable[Fill]) -> dict[str, PnlSeries]:
    """Cumulative mark-to-market PnL per market (see the module's docstring)."""
    by_symbol: dict[str, list[Fill]] = {}
    for fill in fills:
        by_symbol.setdefault(fill.symbol, []).append(fill)
    out: dict[str, PnlSeries] = {}
    for symbol, rows in by_symbol.items():
        base, _, quote = symbol.partition("/")
        cash = position = Decimal(0)
        points: list[PnlPoint] = []
        other: dict[str, Decimal] = {}
        for f in _oldest_first(rows):
            assert isinstance(f, Fill)
            sign = 1 if f.side is Side.BUY else -1
            position += sign * f.amount
            cash -= sign * f.cost
            if f.fee is not None:
                if f.fee.currency == quote:
                    cash -= f.fee.cost
                elif f.fee.currency == base:
                    position -= f.fee.cost
                else:
                    other[f.fee.currency] = other.get(f.fee.currency, Decimal(0)) + f.fee.cost
            points.append(PnlPoint(f.timestamp, cash + position * f.price, position, f.price,
                                   f.id))
        out[symbol] = PnlSeries(symbol, quote, tuple(points), other)
    return out


def balance_series(entries: Iterable[LedgerEntry]) -> dict[str, tuple[BalancePoint, ...]]:
    """Balance after each ledger entry, per currency (see the module's docstring)."""
    by_currency: dict[str, list[LedgerEntry]] = {}
    for entry in entries:
        by_currency.setdefault(entry.currency, []).append(entry)
    out: dict[str, tuple[BalancePoint, ...]] = {}
    for currency, rows in sorted(by_currency.items()):
        balance = Decimal(0)
        points: list[BalancePoint] = []
        for e in _oldest_first(rows):
            assert isinstance(e, LedgerEntry)
            balance = e.balance if e.balance is not None else balance + e.amount
            points.append(BalancePoint(e.timestamp, balance, e.id))
        out[currency] = tuple(points)
    return out


def fill_marks(candles: Sequence[Candle], fills: Iterable[Fill], seconds: int) -> list[Fill]:
    """The fills from the first candle's open to the last candle's close, oldest first."""
    if not candles:
        return []
    start = min(c.timestamp for c in candles)
    end = max(c.timestamp for c in candles) + timedelta(seconds=seconds)
    inside = [f for f in fills if start <= f.timestamp < end]
    return [f for f in _oldest_first(inside) if isinstance(f, Fill)]
