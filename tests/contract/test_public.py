"""Public market data, the same on every venue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

import unified
from unified import BadSymbol, ConfigurationError

from ..conftest import VENUES, run
from .harness import session


@pytest.mark.parametrize("venue", VENUES)
def test_markets(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            markets = await s.ex.load_markets()
            assert markets
            for symbol, m in markets.items():
                # BASE/QUOTE; a contract's :SETTLE after it (and a dated one's -YYMMDD)
                assert symbol == m.symbol and symbol.startswith(f"{m.base}/{m.quote}")
                assert symbol == f"{m.base}/{m.quote}" if m.settle is None \
                    else symbol.startswith(f"{m.base}/{m.quote}:{m.settle}")
                assert m.base.isupper() and m.quote.isupper()
                for value in (m.price_increment, m.amount_increment, m.min_amount):
                    assert isinstance(value, Decimal) and value > 0
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_ticker_and_tickers(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            t = await s.ex.fetch_ticker(s.symbol)
            assert t.symbol == s.symbol
            assert t.timestamp.tzinfo is not None
            assert abs(t.timestamp - datetime.now(UTC)) < timedelta(minutes=5)
            assert t.bid is not None and t.ask is not None and t.bid < t.ask
            assert t.last is not None and t.last > 0
            tickers = await s.ex.fetch_tickers([s.symbol])
            assert list(tickers) == [s.symbol]
            assert tickers[s.symbol].bid == t.bid
            everything = await s.ex.fetch_tickers()
            assert s.symbol in everything and len(everything) >= 1
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_order_book(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            book = await s.ex.fetch_order_book(s.symbol, limit=5)
            assert book.symbol == s.symbol
            assert 0 < len(book.bids) <= 5 and 0 < len(book.asks) <= 5
            assert list(book.bids) == sorted(book.bids, key=lambda lv: -lv.price)
            assert list(book.asks) == sorted(book.asks, key=lambda lv: lv.price)
            assert book.bids[0].price < book.asks[0].price
            assert all(lv.amount > 0 for lv in book.bids + book.asks)
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_public_trades_and_candles(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            trades = await s.ex.fetch_trades(s.symbol)
            assert trades
            assert [t.timestamp for t in trades] == sorted(t.timestamp for t in trades)
            assert all(t.symbol == s.symbol and t.price > 0 and t.amount > 0 for t in trades)
            candles = await s.ex.fetch_ohlcv(s.symbol, "1m", limit=50)
            assert 0 < len(candles) <= 50
            for c in candles:
                assert c.low <= min(c.open, c.close) <= max(c.open, c.close) <= c.high
                assert c.timestamp.tzinfo is not None and c.timestamp.second == 0
            assert [c.timestamp for c in candles] == sorted({c.timestamp for c in candles})
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_time(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            now = await s.ex.fetch_time()
            assert abs(now - datetime.now(UTC)) < timedelta(minutes=1)
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_bad_symbols_are_refused_before_sending(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            before = dict(s.sim.requests)
            for bad in ("NOPE/USDT", "btc-usdt", "", "BTCUSDT"):
                with pytest.raises(BadSymbol):
                    await s.ex.fetch_ticker(bad)
            with pytest.raises(BadSymbol):
                await s.ex.fetch_ticker(42)  # type: ignore[arg-type]
            with pytest.raises(ConfigurationError):
                await s.ex.fetch_ohlcv(s.symbol, "7x")
            with pytest.raises(ConfigurationError):
                await s.ex.fetch_order_book(s.symbol, limit=0)
            assert s.sim.requests == before
    run(scenario())


def test_unknown_venue() -> None:
    with pytest.raises(ConfigurationError, match="unknown venue"):
        unified.connect("nasdaq")
    with pytest.raises(ConfigurationError):
        unified.connect(VENUES[0], base_url="http://127.0.0.1:1/api/v1")
    with pytest.raises(ConfigurationError, match="https"):
        unified.connect(VENUES[0], credentials=unified.Credentials("k", "s", "p"),
                        base_url="http://exchange.example.com")
