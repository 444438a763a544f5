"""Public market data: tickers, books, trades and candles, normalised the same on every venue.

Its own module because these reads share one shape of work (one request, then fill in what
the venue's answer leaves out: the symbol asked for, the order and the trim) and none of the
order or history rules; streams will yield the same models built here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs

from unified import arguments
from unified.convert import timeframe_seconds
from unified.errors import ConfigurationError
from unified.markets import Markets
from unified.models import Candle, OrderBook, Ticker, Trade
from unified.pipeline import Pipeline


class MarketData:
    def __init__(self, pipeline: Pipeline, markets: Markets) -> None:
        self._pipe = pipeline
        self._markets = markets

    async def ticker(self, symbol: str) -> Ticker:
        args = await self._markets.args(symbol)
        result: Ticker = await self._pipe.fetch("fetch_ticker", args)
        # Some venues' tickers do not name their pair: it is the one asked for.
        return result if result.symbol else attrs.evolve(result, symbol=args["market"].symbol)

    async def tickers(self, symbols: Sequence[str] | None) -> dict[str, Ticker]:
        wanted, asked = None, arguments.symbols("symbols", symbols)
        if asked is not None:
            wanted = {(await self._markets.market(s)).symbol for s in asked}
        else:
            await self._markets.load()
        tickers: list[Ticker] = await self._pipe.fetch("fetch_tickers")
        return {t.symbol: t for t in tickers if wanted is None or t.symbol in wanted}

    async def order_book(self, symbol: str, limit: int | None) -> OrderBook:
        arguments.positive_int("limit", limit)
        args = await self._markets.args(symbol, limit=limit)
        book: OrderBook = await self._pipe.fetch(self._book_op(limit), args)
        # Book and trade answers may not name their symbol: it is the one asked for.
        return attrs.evolve(
            book, symbol=args["market"].symbol,
            bids=book.bids[:limit] if limit else book.bids,
            asks=book.asks[:limit] if limit else book.asks,
        )

    def _book_op(self, limit: int | None) -> str:
        """Past the venue's partial books (KuCoin's level2_20/100), its whole book where it
        has one (the spec's order_book_full_depth): what a limit of 150 asks for."""
        spec = self._pipe.spec
        depths = spec.capability("order_book_depths") or ()
        if (limit is not None and depths and limit > max(depths)
                and spec.capability("order_book_full_depth")):
            return "fetch_order_book_full"
        return "fetch_order_book"

    async def trades(self, symbol: str, limit: int | None, after: str | None = None
                     ) -> list[Trade]:
        """The newest trades; with `after` (a trade id, where the spec's trades_after_id
        says the venue reads one), those after it, oldest first, at most a page of them."""
        arguments.positive_int("limit", limit)
        args = await self._markets.args(symbol)
        if after is not None:
            args["after_id"] = after
        trades: list[Trade] = await self._pipe.fetch("fetch_trades", args)
        trades = [attrs.evolve(t, symbol=args["market"].symbol) for t in trades]
        trades.sort(key=lambda t: t.timestamp)
        return trades[-limit:] if limit else trades

    async def ohlcv(self, symbol: str, timeframe: str, since: datetime | None,
                    limit: int | None) -> list[Candle]:
        arguments.positive_int("limit", limit)
        timeframes = self._pipe.spec.timeframes
        if not isinstance(timeframe, str) or timeframe not in timeframes:
            raise ConfigurationError(
                f"{self._pipe.venue} timeframes are {', '.join(timeframes)}; got {timeframe!r}"
            )
        args = await self._markets.args(
            symbol, timeframe=timeframes[timeframe], since=arguments.aware("since", since),
            limit=limit, timeframe_seconds=timeframe_seconds(timeframe),
        )
        candles: list[Candle] = await self._pipe.fetch("fetch_ohlcv", args)
        candles.sort(key=lambda c: c.timestamp)
        if since is not None:
            candles = [c for c in candles if c.timestamp >= since]
            return candles[:limit] if limit else candles
        return candles[-limit:] if limit else candles  # the most recent ones
