"""The facade's derivatives part (DESIGN 3c): mark and index prices, funding rates.

A base class of Exchange (like more_orders and funds_methods) so that each part of the facade
stays short; it checks nothing itself and delegates to unified.derivatives.Derivatives.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from unified.derivative_models import FundingRate, IndexPrice, MarkPrice, Position
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

    async def fetch_positions(self, symbols: list[str] | None = None) -> list[Position]:
        """Open positions (of `symbols` where given); `contracts` counts contracts."""
        return await self._derivatives.positions(symbols)

    async def fetch_position(self, symbol: str) -> Position | None:
        """One contract's open position, None when there is none."""
        return await self._derivatives.position(symbol)

    async def add_margin(self, symbol: str, amount: Decimal) -> Position:
        """Add `amount` of the settle currency to an isolated position's margin. Never sent
        twice: a lost answer raises AmbiguousOutcome. Returns the position afterwards."""
        return await self._derivatives.add_margin(symbol, amount, uuid.uuid4().hex)

    async def set_auto_deposit_margin(self, symbol: str, enabled: bool) -> None:
        """Turn the venue's automatic margin top-up of an isolated position on or off."""
        await self._derivatives.set_auto_deposit_margin(symbol, enabled)
