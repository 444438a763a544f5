"""The loaded markets: one load per client, symbol lookups, and the encoder args of a symbol.

Its own module because every other room needs "which market is this symbol" and nothing
else about it: market data, orders, history walks and, later, streams and futures contracts.
"""

from __future__ import annotations

import asyncio
from typing import Any

from unified.convert import to_decimal
from unified.errors import BadSymbol, ConfigurationError, VenueError
from unified.models import Market
from unified.pipeline import Pipeline


class Markets:
    """Loads the venue's markets once (or from the spec for venues without an endpoint) and
    hands the decoder context the loaded tables."""

    def __init__(self, pipeline: Pipeline) -> None:
        self._pipe = pipeline
        self._by_symbol: dict[str, Market] | None = None
        self._lock = asyncio.Lock()
        #: listed markets the venue said it does not trade (an `untraded` error row)
        self.untraded: set[str] = set()

    async def load(self, reload: bool = False) -> dict[str, Market]:
        async with self._lock:
            if self._by_symbol is None or reload:
                markets: list[Market] = (
                    self._from_spec() if self._pipe.spec.capability("static_markets")
                    else await self._pipe.fetch("load_markets")
                )
                self._by_symbol = {m.symbol: m for m in markets}
                self._pipe.use_markets(self._by_symbol, {m.venue_symbol: m for m in markets})
            return dict(self._by_symbol)

    async def traded(self) -> list[str]:
        """The loaded markets a call over every market asks about: all but those the venue
        refused as not traded."""
        return sorted(set(await self.load()) - self.untraded)

    def refuses(self, symbol: str, error: VenueError) -> bool:
        """Whether `error` is the venue saying it does not trade `symbol` at all (its error
        table row is `untraded`: a spec may list markets of several hosts, and legacy v1's
        www.okex.com answers 1007 for www.okcoin.com's pairs); if so, calls over every market
        leave it out from now on."""
        message = str(error.args[0]) if error.args else ""
        row = self._pipe.tables.errors.row_for(error.http_status, error.code, message)
        if row is None or not row.untraded:
            return False
        self.untraded.add(symbol)
        return True

    def _from_spec(self) -> list[Market]:
        """Venues without an instruments endpoint list their markets in the spec."""
        markets = []
        for row in self._pipe.spec.markets:
            symbol = str(row["symbol"])
            base, _, quote = symbol.partition("/")
            markets.append(Market(
                symbol=symbol, venue_symbol=self._pipe.tables.symbols.to_venue(symbol), base=base,
                quote=quote, price_increment=to_decimal(row["price_increment"]),
                amount_increment=to_decimal(row["amount_increment"]),
                min_amount=to_decimal(row["min_amount"]),
                min_cost=to_decimal(row["min_cost"]) if "min_cost" in row else None,
                active=bool(row.get("active", True)), raw=row,
            ))
        return markets

    async def market(self, symbol: str) -> Market:
        if self._by_symbol is None:
            await self.load()
        return self.loaded(symbol)

    def loaded(self, symbol: str) -> Market:
        """A market of the loaded table, without I/O."""
        if not isinstance(symbol, str):
            raise BadSymbol(f"symbol must be a string like 'BTC/USDT', got {symbol!r}")
        if self._by_symbol is None:
            raise ConfigurationError("markets are not loaded yet: await ex.load_markets() first")
        try:
            return self._by_symbol[symbol]
        except KeyError:
            raise BadSymbol(f"{self._pipe.venue} has no market {symbol!r}") from None

    async def args(self, symbol: str, **more: Any) -> dict[str, Any]:
        """An encoder's args for an operation on one market."""
        market = await self.market(symbol)
        return {"symbol": market.venue_symbol, "market": market, **more}
