"""Derivatives market data (DESIGN 3c): mark and index prices, funding rates and their history.

A room beside market_data: the same one-request reads, plus the funding history walked with
the one pagination loop (unified.history / unified.paging). Venue-neutral: an operation the
spec lacks is NotSupported before anything is sent; a venue whose funding history needs both
ends of a time window (the spec's `funding_history_window_days`) gets them filled in here,
`until` the venue's now and `since` that many days before it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import attrs

from unified import arguments
from unified.convert import to_ms
from unified.derivative_models import FundingRate, IndexPrice, MarkPrice
from unified.errors import ConfigurationError, NotSupported
from unified.history import History, PageWalk, take
from unified.markets import Markets
from unified.models import Market, MarketKind, Page
from unified.pipeline import Pipeline

FUNDING_HISTORY = "iter_funding_rate_history"


class Derivatives:
    def __init__(self, pipeline: Pipeline, markets: Markets, history: History) -> None:
        self._pipe = pipeline
        self._markets = markets
        self._history = history

    def _require(self, op: str) -> None:
        if op not in self._pipe.spec.endpoints:
            raise NotSupported(f"{self._pipe.venue} does not support {op}")

    async def _args(self, op: str, symbol: str, **more: Any) -> dict[str, Any]:
        self._require(op)
        args = await self._markets.args(symbol, **more)
        market: Market = args["market"]
        if market.kind is MarketKind.SPOT:
            raise ConfigurationError(f"{market.symbol} is a spot market: {op} is for contracts")
        return args

    async def _one(self, op: str, symbol: str) -> Any:
        args = await self._args(op, symbol)
        result = await self._pipe.fetch(op, args)
        # answers may name an index or funding series, not the contract: it is the one asked
        return attrs.evolve(result, symbol=args["market"].symbol)

    async def mark_price(self, symbol: str) -> MarkPrice:
        result: MarkPrice = await self._one("fetch_mark_price", symbol)
        return result

    async def index_price(self, symbol: str) -> IndexPrice:
        result: IndexPrice = await self._one("fetch_index_price", symbol)
        return result

    async def funding_rate(self, symbol: str) -> FundingRate:
        result: FundingRate = await self._one("fetch_funding_rate", symbol)
        return result

    def funding_history(self, symbol: str, since: datetime | None, until: datetime | None,
                        cursor: str | None) -> PageWalk[FundingRate]:
        """Every settled rate of the window, pages as the venue gives them (newest first on
        some venues); resumable from a page's cursor."""
        self._require(FUNDING_HISTORY)
        since, until = self._window(since, until)
        arguments.window(since, until)
        markets, history = self._markets, self._history

        async def pages() -> AsyncIterator[Page[FundingRate]]:
            args = await markets.args(symbol, **_window_args(since, until))
            walk = history.walk(FUNDING_HISTORY, args, cursor=cursor)
            async for page in walk.pages():
                named = tuple(attrs.evolve(r, symbol=args["market"].symbol) for r in page.items)
                yield attrs.evolve(page, items=named)

        return PageWalk(pages)

    async def funding_history_list(self, symbol: str, since: datetime | None,
                                   limit: int | None) -> list[FundingRate]:
        """Oldest first: from `since` the first `limit`, else the most recent `limit`."""
        arguments.positive_int("limit", limit)
        await self._args(FUNDING_HISTORY, symbol)
        rates = await take(self.funding_history(symbol, since, None, None), None)
        rates.sort(key=lambda r: r.timestamp)
        if since is not None:
            return rates[:limit] if limit else rates
        return rates[-limit:] if limit else rates

    def _window(self, since: datetime | None, until: datetime | None
                ) -> tuple[datetime | None, datetime | None]:
        since = arguments.aware("since", since)
        until = arguments.aware("until", until)
        days = self._pipe.spec.capability("funding_history_window_days")
        if not days:
            return since, until
        until = until or self._pipe.clock.now()
        return since or until - timedelta(days=int(days)), until


def _window_args(since: datetime | None, until: datetime | None) -> dict[str, Any]:
    return {"since": since, "until": until,
            "since_ms": to_ms(since) if since else None,
            "until_ms": to_ms(until) if until else None}
