"""Bad arguments never reach the wire: every public call checks its arguments first and fails
with a ConfigurationError naming the argument, on every venue, through the real transport."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from unified import ConfigurationError, OrderType, Side
from unified.client import Exchange

from ..conftest import VENUES, run
from .harness import Session, session

NOW = datetime.now(UTC)
Call = Callable[[Exchange, Session], Awaitable[Any]]


async def _first(walk: Any) -> Any:
    async for item in walk:
        return item
    return None


BAD: dict[str, tuple[Call, str]] = {
    "trades limit as text": (lambda ex, s: ex.fetch_trades(s.symbol, limit="5"), "limit"),
    "trades limit negative": (lambda ex, s: ex.fetch_trades(s.symbol, limit=-1), "limit"),
    "candles limit as text": (lambda ex, s: ex.fetch_ohlcv(s.symbol, limit="5"), "limit"),
    "candles limit zero": (lambda ex, s: ex.fetch_ohlcv(s.symbol, limit=0), "limit"),
    "candles naive since": (lambda ex, s: ex.fetch_ohlcv(s.symbol, since=datetime(2024, 1, 1)),
                            "since"),
    "book limit as bool": (lambda ex, s: ex.fetch_order_book(s.symbol, limit=True), "limit"),
    "tickers as one string": (lambda ex, s: ex.fetch_tickers(s.symbol), "symbols"),
    "post_only as text": (lambda ex, s: ex.create_order(
        s.symbol, OrderType.LIMIT, Side.BUY, s.amount, s.price("0.9"), post_only="no"),
        "post_only"),
    "amount as float": (lambda ex, s: ex.create_order(
        s.symbol, OrderType.LIMIT, Side.BUY, 0.5, s.price("0.9")), "amount"),
    "huge amount": (lambda ex, s: ex.create_order(
        s.symbol, OrderType.LIMIT, Side.BUY, Decimal("1E+100000"), s.price("0.9")), "amount"),
    "nan price": (lambda ex, s: ex.create_order(
        s.symbol, OrderType.LIMIT, Side.BUY, s.amount, Decimal("NaN")), "price"),
    "side as text": (lambda ex, s: ex.create_order(
        s.symbol, OrderType.LIMIT, "buy", s.amount, s.price("0.9")), "side"),
    "cancel ids as one string": (lambda ex, s: ex.cancel_orders("abc", s.symbol), "ids"),
    "cancel empty id": (lambda ex, s: ex.cancel_order("", s.symbol), "order id"),
    "fetch order id as int": (lambda ex, s: ex.fetch_order(42, s.symbol), "order id"),
    "since after until": (lambda ex, s: _first(ex.iter_closed_orders(
        s.symbol, since=NOW, until=NOW - timedelta(days=1))), "since"),
    "closed orders limit as text": (lambda ex, s: ex.fetch_closed_orders(s.symbol, limit="5"),
                                    "limit"),
    "cursor as bytes": (lambda ex, s: _first(ex.iter_closed_orders(s.symbol, cursor=b"x")),
                        "cursor"),
    "reload as text": (lambda ex, s: ex.load_markets(reload="yes"), "reload"),
    "symbol as int": (lambda ex, s: ex.fetch_ticker(7), "symbol"),
}


@pytest.mark.parametrize("venue", VENUES)
@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_arguments_never_reach_the_wire(venue: str, case: str) -> None:
    call, names = BAD[case]

    async def scenario() -> None:
        async with session(venue) as s:
            sent = sum(s.sim.requests.values())
            with pytest.raises(ConfigurationError, match=names):
                await call(s.ex, s)
            assert sum(s.sim.requests.values()) == sent
            assert s.orders_at_venue() == []
    run(scenario())
