"""Looking orders up: by id, by client id, and the open ones.

Its own module because placement, cancels and (later) stream reconciliation all answer
"what state is this order in now" the same way, and none of them should own it.

Where the venue keeps some orders apart (order families, unified.families: stop orders
waiting for their trigger, margin orders), an order the ordinary lookups do not know is looked
for in each family next; the open orders include the waiting stops (with `stop_price` set).
"""

from __future__ import annotations

import contextlib
from typing import Any

from unified.arguments import reference
from unified.errors import ConfigurationError, NotSupported, OrderNotFound
from unified.history import History, PageWalk
from unified.markets import Markets
from unified.models import MarginMode, Order
from unified.pipeline import Pipeline

#: the order families a spec may have (unified.families), in the order fallbacks try them
FAMILIES = ("stop", "margin")


def family_op(op: str, family: str) -> str:
    """An ordinary order op's name in `family` (fetch_order -> fetch_stop_order, ...)."""
    return op.replace("_order", f"_{family}_order", 1)


def families(pipe: Pipeline) -> list[str]:
    """The families the venue keeps apart: their own create and their own lookup (stop
    orders that the ordinary lookups and cancels know, one id space, are not apart)."""
    endpoints = pipe.spec.endpoints
    return [f for f in FAMILIES
            if f"create_{f}_order" in endpoints and f"fetch_{f}_order" in endpoints]


class OrderLookup:
    def __init__(self, pipeline: Pipeline, markets: Markets, history: History) -> None:
        self._pipe = pipeline
        self._markets = markets
        self._history = history

    async def by_id(self, id: str, symbol: str) -> Order:
        reference("an order id", id)
        return await self._either("fetch_order", await self._markets.args(symbol, id=id))

    async def by_client_id(self, client_order_id: str, symbol: str) -> Order:
        if not self._pipe.spec.capability("fetch_order_by_client_id"):
            raise NotSupported(f"{self._pipe.venue} has no client order ids")
        reference("client_order_id", client_order_id)
        args = await self._markets.args(symbol, id=client_order_id)
        return await self._either("fetch_order_by_client_id", args)

    async def _either(self, op: str, args: dict[str, Any]) -> Order:
        """The ordinary lookup `op`; where it knows no such order, each family's after it."""
        try:
            result: Order = await self._pipe.fetch(op, args)
        except OrderNotFound:
            for family in families(self._pipe):
                with contextlib.suppress(OrderNotFound):
                    found: Order = await self._pipe.fetch(family_op(op, family), args)
                    return found
            raise
        return result

    def has_stops(self) -> bool:
        return "iter_open_stop_orders" in self._pipe.spec.endpoints

    async def stop_orders(self, symbol: str | None) -> list[Order]:
        """The stop orders waiting for their trigger (of `symbol`, or all); [] without any."""
        if not self.has_stops():
            return []
        args = await self._markets.args(symbol) if symbol is not None else {"market": None}
        walk: PageWalk[Order] = self._history.walk("iter_open_stop_orders", args)
        return [o async for o in walk]

    async def open_orders(self, symbol: str | None, stops: bool = True) -> list[Order]:
        """Every open order of `symbol`; with None, of every market the venue says has some
        (its fetch_open_order_symbols; ConfigurationError before sending where it has none).
        Then the stop orders still waiting, unless `stops` is False."""
        if symbol is not None:
            found = [o async for o in self._open_walk(await self._markets.args(symbol))]
        elif "fetch_open_order_symbols" not in self._pipe.spec.endpoints:
            raise ConfigurationError(f"{self._pipe.venue} lists open orders by market only: "
                                     "pass a symbol")
        else:
            await self._markets.load()
            names: list[str] = await self._pipe.fetch("fetch_open_order_symbols")
            found = [o for name in names
                     async for o in self._open_walk(await self._markets.args(name))]
        return found + (await self.stop_orders(symbol) if stops else [])

    async def margin_orders(self, symbol: str | None, mode: MarginMode) -> list[Order]:
        """The open margin orders of one market and mode (the margin family's list)."""
        if not isinstance(mode, MarginMode):
            raise ConfigurationError(f"margin_mode must be a MarginMode, got {mode!r}")
        if "margin" not in families(self._pipe):
            raise NotSupported(f"{self._pipe.venue} has no margin orders")
        if symbol is None:
            raise ConfigurationError("margin orders are listed by market: pass a symbol")
        walk: PageWalk[Order] = self._history.walk(
            "iter_open_margin_orders", await self._markets.args(symbol, margin_mode=mode))
        return [o async for o in walk]

    def _open_walk(self, args: dict[str, Any]) -> PageWalk[Order]:
        walk: PageWalk[Order] = self._history.walk("fetch_open_orders", args)
        return walk
