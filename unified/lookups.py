"""Looking orders up: by id, by client id, and the open ones.

Its own module because placement, cancels and (later) stream reconciliation all answer
"what state is this order in now" the same way, and none of them should own it.
"""

from __future__ import annotations

from typing import Any

from unified.arguments import reference
from unified.errors import ConfigurationError, NotSupported
from unified.history import History, PageWalk
from unified.markets import Markets
from unified.models import Order
from unified.pipeline import Pipeline


class OrderLookup:
    def __init__(self, pipeline: Pipeline, markets: Markets, history: History) -> None:
        self._pipe = pipeline
        self._markets = markets
        self._history = history

    async def by_id(self, id: str, symbol: str) -> Order:
        reference("an order id", id)
        result: Order = await self._pipe.fetch("fetch_order",
                                               await self._markets.args(symbol, id=id))
        return result

    async def by_client_id(self, client_order_id: str, symbol: str) -> Order:
        if not self._pipe.spec.capability("fetch_order_by_client_id"):
            raise NotSupported(f"{self._pipe.venue} has no client order ids")
        reference("client_order_id", client_order_id)
        args = await self._markets.args(symbol, id=client_order_id)
        result: Order = await self._pipe.fetch("fetch_order_by_client_id", args)
        return result

    async def open_orders(self, symbol: str | None) -> list[Order]:
        """Every open order of `symbol`; with None, of every market the venue says has some
        (its fetch_open_order_symbols; ConfigurationError before sending where it has none)."""
        if symbol is not None:
            return [o async for o in self._open_walk(await self._markets.args(symbol))]
        if "fetch_open_order_symbols" not in self._pipe.spec.endpoints:
            raise ConfigurationError(f"{self._pipe.venue} lists open orders by market only: "
                                     "pass a symbol")
        await self._markets.load()
        names: list[str] = await self._pipe.fetch("fetch_open_order_symbols")
        return [o for name in names
                async for o in self._open_walk(await self._markets.args(name))]

    def _open_walk(self, args: dict[str, Any]) -> PageWalk[Order]:
        walk: PageWalk[Order] = self._history.walk("fetch_open_orders", args)
        return walk
