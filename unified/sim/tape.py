"""Figures from the engine's public tape: 24 h statistics with the best prices, and candles."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from unified.sim.records import ZERO, PublicTrade

if TYPE_CHECKING:
    from unified.sim.book import Engine

#: (open time, open, high, low, close, volume, quote volume)
Candle = tuple[datetime, Decimal, Decimal, Decimal, Decimal, Decimal, Decimal]


def stats(engine: Engine, symbol: str) -> dict[str, Decimal | None]:
    """24 h figures from the public tape, plus the best prices."""
    since = engine.clock.now() - timedelta(days=1)
    day = [t for t in engine.trades[engine.market(symbol).symbol] if t.at >= since]
    bids, asks = engine.depth(symbol, 1)
    return {
        "last": day[-1].price if day else None,
        "open": day[0].price if day else None,
        "high": max((t.price for t in day), default=None),
        "low": min((t.price for t in day), default=None),
        "volume": sum((t.amount for t in day), ZERO),
        "quote_volume": sum((t.amount * t.price for t in day), ZERO),
        "bid": bids[0][0] if bids else None,
        "bid_size": bids[0][1] if bids else None,
        "ask": asks[0][0] if asks else None,
        "ask_size": asks[0][1] if asks else None,
    }


def candles(engine: Engine, symbol: str, seconds: int, start: datetime | None = None,
            end: datetime | None = None) -> list[Candle]:
    """Oldest first."""
    buckets: dict[int, list[PublicTrade]] = {}
    for t in engine.trades[engine.market(symbol).symbol]:
        if (start and t.at < start) or (end and t.at >= end):
            continue
        buckets.setdefault(int(t.at.timestamp()) // seconds * seconds, []).append(t)
    rows = []
    for stamp in sorted(buckets):
        ts = buckets[stamp]
        rows.append((datetime.fromtimestamp(stamp, tz=engine.clock.now().tzinfo),
                     ts[0].price, max(t.price for t in ts), min(t.price for t in ts),
                     ts[-1].price, sum((t.amount for t in ts), ZERO),
                     sum((t.amount * t.price for t in ts), ZERO)))
    return rows
