"""The facade's derivatives part (DESIGN 3c): mark and index prices, funding rates.

A base class of Exchange (like more_orders and funds_methods) so that each part of the facade
stays short; it checks nothing itself and delegates to unified.derivatives.Derivatives.
"""

from __future__ import annotations

from datetime import datetime

from unified.derivative_models import FundingRate, IndexPrice, MarkPrice
from unified.derivatives import Derivatives
from unified.history import PageWalk


class DerivativesMethods:
    _derivatives: Derivatives

    async def fetch_mark_price(self, symbol: str) -> MarkPrice:
        """The contract's mark price (and its index price where the answer has it)."""
        return await self._derivatives.mark_price(symbol)

    async def fetch_index_price(self, symbol: str) -> IndexPrice:
        return await self._derivatives.index_price(symbol)

    async def fetch_funding_rate(self, symbol: str) -> FundingRate:
        """The current period's rate, the predicted next one and the next settlement time."""
        return await self._derivatives.funding_rate(symbol)

    async def fetch_funding_rate_history(self, symbol: str, since: datetime | None = None,
                                         limit: int | None = None) -> list[FundingRate]:
        """Settled rates, oldest first: from `since` the first `limit`, else the latest."""
        return await self._derivatives.funding_history_list(symbol, since, limit)

    def iter_funding_rate_history(self, symbol: str, since: datetime | None = None,
                                  until: datetime | None = None, cursor: str | None = None
                                  ) -> PageWalk[FundingRate]:
        """Every settled rate of the window, walked to the end (resumable by page cursor)."""
        return self._derivatives.funding_history(symbol, since, until, cursor)
