"""OCO pairs (DESIGN 3d): create, cancel, look up, list.

Its own module because an OCO pair is not an Order (its id names the pair; its two legs are
Orders) while its create follows the same lost-answer rule as an order's (DESIGN 6): a client
id is always sent, and a lost answer is looked up by it before anything is sent again, through
placement's one reconcile loop (Placement.settle_lost). OCO creates are not journaled: the
journal's recovery knows how to resolve order creates and cancels only.
"""

from __future__ import annotations

import contextlib
from decimal import Decimal
from typing import Any

from unified.arguments import flag, positive_decimal, reference
from unified.cancels import Cancels
from unified.errors import (
    AmbiguousOutcome,
    ConfigurationError,
    OrderNotFound,
    TransportError,
    VenueError,
)
from unified.history import History, PageWalk
from unified.markets import Markets
from unified.models import OcoOrder, OrderStatus, Side
from unified.order_args import OrderChecks
from unified.order_ops import require
from unified.pipeline import Pipeline
from unified.placement import UNKNOWN_OUTCOME, Placement
from unified.precision import check_order
from unified.venue import PlacedOrder


class OcoOrders:
    def __init__(self, pipeline: Pipeline, markets: Markets, checks: OrderChecks,
                 placement: Placement, cancels: Cancels, history: History) -> None:
        self._pipe = pipeline
        self._markets = markets
        self._checks = checks
        self._placement = placement
        self._cancels = cancels
        self._history = history

    async def create(self, symbol: str, side: Side, amount: Decimal, price: Decimal,
                     stop_price: Decimal, limit_price: Decimal, client_order_id: str | None
                     ) -> OcoOrder:
        """One pair: a limit order at `price`, and one at `limit_price` placed when the market
        reaches `stop_price`. Then looked up for its legs (PENDING without legs if that lookup
        fails: the pair was placed)."""
        require(self._pipe, "create_oco_order")
        if not isinstance(side, Side):
            raise ConfigurationError(f"side must be a Side, got {side!r}")
        for name, value in (("amount", amount), ("price", price), ("stop_price", stop_price),
                            ("limit_price", limit_price)):
            positive_decimal(name, value)
        coid = self._checks.client_order_id(client_order_id)
        args = await self._markets.args(symbol, side=side, amount=amount, price=price,
                                        stop_price=stop_price, limit_price=limit_price,
                                        client_order_id=coid)
        for p in (price, stop_price, limit_price):
            check_order(args["market"], self._pipe.venue, price=p, amount=amount, cost=None)
        try:
            placed: PlacedOrder = await self._pipe.fetch("create_oco_order", args)
        except UNKNOWN_OUTCOME:
            return await self._placement.settle_lost(
                f"the {args['market'].symbol} OCO pair", coid,
                lambda: self._find(args), lambda: self._send(args))
        return await self._completed(placed.id, args)

    async def _send(self, args: dict[str, Any]) -> OcoOrder:
        placed: PlacedOrder = await self._pipe.fetch("create_oco_order", args)  # same client id
        return await self._completed(placed.id, args)

    async def _find(self, args: dict[str, Any]) -> OcoOrder | None:
        if args["client_order_id"] is None or "fetch_oco_order_by_client_id" not in \
                self._pipe.spec.endpoints:  # cannot be looked up: never resent blindly
            raise AmbiguousOutcome("could not establish whether the OCO pair was placed",
                                   venue=self._pipe.venue, client_order_id=None)
        try:
            found: OcoOrder = await self._pipe.fetch(
                "fetch_oco_order_by_client_id", {**args, "id": args["client_order_id"]})
        except OrderNotFound:
            return None
        return await self._completed(found.id, args)

    async def _completed(self, id: str, args: dict[str, Any]) -> OcoOrder:
        with contextlib.suppress(TransportError, VenueError):
            return await self.fetch(id, args["market"].symbol)
        return OcoOrder(id=id, client_order_id=args["client_order_id"],
                        symbol=args["market"].symbol, status=OrderStatus.PENDING, legs=())

    async def cancel(self, id: str, symbol: str, by_client_id: bool = False) -> OcoOrder:
        """Cancel the pair (by its id, or the client id it was placed with); its state after
        (both legs canceled) as the venue reports it."""
        op = "cancel_oco_order_by_client_id" if flag("by_client_id", by_client_id) \
            else "cancel_oco_order"
        require(self._pipe, op)
        reference("an OCO order id", id)
        args = await self._markets.args(symbol, id=id)
        # Safe to repeat (retried like a read); not journaled: recovery repeats order cancels.
        with contextlib.suppress(OrderNotFound):  # already done: the lookup says how
            await self._cancels.repeat(op, args, journaled=False)
        return await self.fetch(id, symbol, by_client_id)

    async def fetch(self, id: str, symbol: str, by_client_id: bool = False) -> OcoOrder:
        """The pair with its legs (a client id is looked up first, then the pair's detail)."""
        require(self._pipe, "fetch_oco_order")
        reference("an OCO order id", id)
        args = await self._markets.args(symbol, id=id)
        if flag("by_client_id", by_client_id):
            require(self._pipe, "fetch_oco_order_by_client_id")
            found: OcoOrder = await self._pipe.fetch("fetch_oco_order_by_client_id", args)
            args = {**args, "id": found.id}
        result: OcoOrder = await self._pipe.fetch("fetch_oco_order", args)
        return result

    async def every(self, symbol: str | None) -> list[OcoOrder]:
        """Every page of the venue's OCO list (of one market, or all); its items name no legs."""
        require(self._pipe, "fetch_oco_orders")
        args = await self._markets.args(symbol) if symbol is not None else {}
        if symbol is None:
            await self._markets.load()
        walk: PageWalk[OcoOrder] = self._history.walk("fetch_oco_orders", args)
        return [o async for o in walk]
