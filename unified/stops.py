"""Stop orders (DESIGN 3c): `create_order(..., stop_price=, trigger=)` where the venue's spec
has them (`create_stop_order` and its lookups), else NotSupported before anything is sent.

Its own module because a stop order lives in the venue's stop system until its trigger is
reached, apart from the orders that rest in the book (KuCoin's /api/v1/stop-order): it is
placed, looked up, listed and canceled through its own endpoints. The rules stay placement's:
journaled before it is sent (as op `create_stop_order`, so recovery looks in the right
place), a lost answer looked up by client id before it is ever sent again, else
AmbiguousOutcome. Once triggered, the venue places it as an ordinary order under the same id:
the ordinary lookups find it from then on, so those are asked first (unified.lookups).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from unified.arguments import positive_decimal
from unified.errors import ConfigurationError, OrderNotFound
from unified.lookups import OrderLookup
from unified.models import Order, Trigger
from unified.order_ops import require
from unified.pipeline import Pipeline
from unified.placement import Placement
from unified.precision import check_order

#: the journal's name for a stop create (recovery resolves it through the stop lookups)
CREATE = "create_stop_order"


def stop_fields(stop_price: Decimal | None, trigger: Trigger | None) -> dict[str, Any]:
    """The encoder's stop args ({} for an ordinary order); both or neither must be given."""
    if stop_price is None and trigger is None:
        return {}
    if stop_price is None or trigger is None:
        raise ConfigurationError("a stop order takes stop_price= and trigger= (Trigger.ABOVE "
                                 "fires when the price rises to it, Trigger.BELOW when it falls)")
    if not isinstance(trigger, Trigger):
        raise ConfigurationError(f"trigger must be a Trigger, got {trigger!r}")
    return {"stop_price": positive_decimal("stop_price", stop_price), "trigger": trigger}


class StopOrders:
    def __init__(self, pipeline: Pipeline, placement: Placement, lookup: OrderLookup) -> None:
        self._pipe = pipeline
        self._placement = placement
        self._lookup = lookup

    def check(self, args: Mapping[str, Any]) -> None:
        """Refusals before sending: the venue has stop orders; the stop is on the price step."""
        require(self._pipe, CREATE)
        check_order(args["market"], self._pipe.venue, price=args["stop_price"], amount=None,
                    cost=None)

    async def place(self, args: Mapping[str, Any], fetch: bool) -> Order:
        self.check(args)
        return await self._placement.place(
            args, fetch, send=lambda a: self._pipe.fetch(CREATE, a), lost=self._lost, op=CREATE)

    async def find(self, args: Mapping[str, Any]) -> Order | None:
        """The stop order a create with these args placed (by its client id), if any: still
        waiting (the stop lookup) or triggered since (the ordinary one, asked first)."""
        try:
            return await self._lookup.by_client_id(args["client_order_id"],
                                                   args["market"].symbol)
        except OrderNotFound:
            return None

    async def _lost(self, args: Mapping[str, Any], sent_at: datetime, fetch: bool) -> Order:
        async def find() -> Order | None:
            found = await self.find(args)
            return self._placement.known.remember(found) if found is not None else None

        async def resend() -> Order:
            placed = await self._pipe.fetch(CREATE, args)  # the same client id
            return await self._placement.complete(placed, args, self._pipe.clock.now(), fetch)

        return await self._placement.settle_lost(f"the {args['market'].symbol} stop order",
                                                 args["client_order_id"], find, resend)
