"""edit_order (DESIGN 3d): which request an edit takes, and what a lost answer means.

Its own module because an edit has a rule of its own. It replaces the order (KuCoin's alter:
the old order is canceled and a new one placed, with a new id and the same client id), except
where only the amount goes down at the same price and the venue has a partial cancel: then the
difference is canceled off the order in place (same id, same place in the queue).

A lost answer is never resent blindly; the order is looked up first. An alter names the old
order by id, so it cannot act twice (once it has acted the old order is gone): if the old order
still rests unchanged, the edit did not happen and is sent once more (a late first alter makes
that one fail, and the lookup below then finds the replacement); if the old order is finished,
its replacement is the order that now carries its client id. A partial cancel is relative (a
size to take off), so it is resent only while the order still has its old amount. Whatever
cannot be settled that way is AmbiguousOutcome, carrying the client id.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from unified.arguments import positive_decimal, reference
from unified.errors import AmbiguousOutcome, ConfigurationError, ConnectionFailed, OrderNotFound
from unified.lookups import OrderLookup
from unified.markets import Markets
from unified.models import Order
from unified.order_ops import require
from unified.pipeline import Pipeline
from unified.placement import UNKNOWN_OUTCOME, KnownOrders, Send
from unified.precision import check_order
from unified.venue import PlacedOrder

PARTIAL = "cancel_order_partial"


class Edits:
    def __init__(self, pipeline: Pipeline, markets: Markets, lookup: OrderLookup,
                 known: KnownOrders) -> None:
        self._pipe = pipeline
        self._markets = markets
        self._lookup = lookup
        self._known = known

    async def edit(self, id: str, symbol: str, amount: Decimal | None, price: Decimal | None,
                   send: Send | None = None) -> Order:
        """The order that rests after the edit: the replacement (raw["replaced_order_id"] names
        the old id) or, after a partial cancel, the same order (raw["partial_cancel"] says how
        much was taken off). Where the new amount is at or below what had filled, the venue
        places nothing: the old order, finished, is returned."""
        require(self._pipe, "edit_order")
        reference("an order id", id)
        positive_decimal("amount", amount, allow_none=True)
        positive_decimal("price", price, allow_none=True)
        if amount is None and price is None:
            raise ConfigurationError("edit_order needs amount or price (or both)")
        args = await self._markets.args(symbol, id=id, amount=amount, price=price)
        check_order(args["market"], self._pipe.venue, price=price, amount=amount, cost=None)
        current = await self._shrinkable(args, send)
        if current is not None and current.amount is not None and amount is not None:
            return await self._shrink(args, current, current.amount - amount)
        return await self._replace(args, send)

    async def _shrinkable(self, args: dict[str, Any], send: Send | None) -> Order | None:
        """The order's state when a partial cancel can do this edit, else None (no lookup is
        made when the new price alone already rules it out)."""
        amount, price = args["amount"], args["price"]
        if send is not None or amount is None or PARTIAL not in self._pipe.spec.endpoints:
            return None
        symbol = args["market"].symbol
        order = self._known.get(symbol, args["id"])
        if order is None or not order.status.is_open:
            if price is not None and order is None:
                return None  # a new price: an alter whatever the order holds
            order = await self._lookup.by_id(args["id"], symbol)
        same_price = price is None or price == order.price
        if order.status.is_open and same_price and order.amount is not None \
                and order.filled < amount < order.amount:
            return order
        return None

    async def _shrink(self, args: dict[str, Any], order: Order, size: Decimal) -> Order:
        shrink = {**args, "amount": size}
        for attempt in (1, 2):
            try:
                await self._pipe.fetch(PARTIAL, shrink)
                break
            except UNKNOWN_OUTCOME as exc:
                if isinstance(exc, ConnectionFailed) and not exc.request_sent:
                    raise
                now = await self._lookup.by_id(order.id, order.symbol)
                if not now.status.is_open or now.amount == args["amount"]:
                    break  # it acted, or the order finished meanwhile: its state says which
                if now.amount != order.amount or attempt == 2:
                    raise self._ambiguous(args, exc, order.client_order_id) from None
        after = await self._lookup.by_id(order.id, order.symbol)
        return self._known.remember(attrs.evolve(
            after, raw={"partial_cancel": str(size), "order": after.raw}))

    async def _replace(self, args: dict[str, Any], send: Send | None) -> Order:
        id, symbol = args["id"], args["market"].symbol
        try:
            answer: PlacedOrder = await (send(args) if send is not None
                                         else self._pipe.fetch("edit_order", args))
        except UNKNOWN_OUTCOME as exc:
            if isinstance(exc, ConnectionFailed) and not exc.request_sent:
                raise  # nothing left this machine: nothing was edited
            found = await self._settle_lost(args, exc, send)
            return self._replaced(found, id)
        try:
            order = await self._lookup.by_id(answer.id, symbol)
        except OrderNotFound:
            order = await self._lookup.by_id(id, symbol)  # nothing new rests
        return self._replaced(order, id)

    async def _settle_lost(self, args: dict[str, Any], exc: Exception, send: Send | None
                           ) -> Order:
        id, symbol = args["id"], args["market"].symbol
        known = self._known.get(symbol, id)
        coid = known.client_order_id if known else None
        try:
            old = await self._lookup.by_id(id, symbol)
            coid = old.client_order_id or coid
            if old.status.is_open:  # still resting under its id: the alter has not acted
                answer: PlacedOrder = await (send(args) if send is not None
                                             else self._pipe.fetch("edit_order", args))
                return await self._lookup.by_id(answer.id, symbol)
        except (*UNKNOWN_OUTCOME, OrderNotFound):
            pass  # the resend (or the lookup) settled nothing: find the replacement below
        if coid and self._pipe.spec.capability("fetch_order_by_client_id"):
            try:
                now = await self._lookup.by_client_id(coid, symbol)
            except (*UNKNOWN_OUTCOME, OrderNotFound):
                now = None
            if now is not None and now.id != id:
                return now
        raise self._ambiguous(args, exc, coid) from None

    def _replaced(self, order: Order, old_id: str) -> Order:
        raw = {"replaced_order_id": old_id, "order": order.raw}
        return self._known.remember(attrs.evolve(order, raw=raw))

    def _ambiguous(self, args: dict[str, Any], exc: Exception, coid: str | None
                   ) -> AmbiguousOutcome:
        return AmbiguousOutcome(
            f"could not establish whether {args['market'].symbol} order {args['id']} was "
            f"edited ({exc}); look it up", venue=self._pipe.venue, client_order_id=coid)
