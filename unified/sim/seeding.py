"""The engine's starting state: a market maker's ladder around each market's mid and a public
tape over the recent past. Deterministic for the engine's seed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from unified.models import OrderType, Side
from unified.sim.records import HOUSE_ACCOUNT, PublicTrade

if TYPE_CHECKING:
    from unified.sim.book import Engine


def seed_book(engine: Engine, levels: int = 25) -> None:
    """A market maker quoting a ladder around each market's mid, with deep pockets."""
    for m in engine.markets.values():
        engine.deposit(HOUSE_ACCOUNT, m.base, Decimal(10) ** 9)
        engine.deposit(HOUSE_ACCOUNT, m.quote, Decimal(10) ** 12)
        step = max(m.price_increment, (m.mid / 2000).quantize(m.price_increment))
        for i in range(1, levels + 1):
            size = (m.min_amount * 100 * engine.rng.randint(5, 200)).quantize(m.amount_increment)
            for side, price in ((Side.BUY, m.mid - step * i), (Side.SELL, m.mid + step * i)):
                engine.place(HOUSE_ACCOUNT, m.symbol, side, OrderType.LIMIT, amount=size,
                             price=price)


def seed_tape(engine: Engine, count: int = 300, spacing: timedelta = timedelta(minutes=1)
              ) -> None:
    """Public trades over the recent past, for tickers and candles (no balances move, nothing
    is streamed: it is history)."""
    now = engine.clock.now()
    for m in engine.markets.values():
        price = m.mid
        for i in range(count, 0, -1):
            price = max(m.price_increment, price + m.price_increment * engine.rng.randint(-5, 5))
            size = (m.min_amount * engine.rng.randint(1, 50)).quantize(m.amount_increment)
            side = Side.BUY if engine.rng.random() < 0.5 else Side.SELL
            engine.trades[m.symbol].append(
                PublicTrade(engine.next_trade_id(), m.symbol, price, size, side,
                            now - spacing * i))
