"""Order families: orders a venue keeps apart from its ordinary ones, with their own endpoints
for each verb (KuCoin's stop orders in its stop system, its margin orders in the margin HF
system). A family `f` is the spec's `create_f_order`, `fetch_f_order`,
`fetch_f_order_by_client_id`, `cancel_f_order`, `cancel_f_order_by_client_id`, and where the
venue has them `iter_open_f_orders` and `cancel_all_f_orders`.

Its own module because every family follows placement's rules unchanged, written once here:
journaled before it is sent (as `create_f_order`, so recovery looks in the right place), a lost
answer looked up by client id before it is ever sent again, else AmbiguousOutcome. The ordinary
lookups and cancels fall back to the families' for an order they do not know (unified.lookups,
unified.cancels), so `fetch_order` and `cancel_order` work on any of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from unified.errors import ConfigurationError, OrderNotFound
from unified.lookups import OrderLookup
from unified.models import MarginMode, Order, OrderType, TimeInForce
from unified.order_ops import require
from unified.order_options import OrderOptions, extras
from unified.pipeline import Pipeline
from unified.placement import Placement
from unified.stops import check_stop


def margin_fields(pipe: Pipeline, mode: MarginMode | None, auto_borrow: bool,
                  auto_repay: bool, type: OrderType, tif: TimeInForce | None
                  ) -> dict[str, Any]:
    """A margin order's extras for the encoder ({} for a spot order), checked before sending:
    NotSupported where the venue has no margin orders."""
    if mode is None and auto_borrow is False and auto_repay is False:
        return {}
    options: OrderOptions = {"margin_mode": mode, "auto_borrow": auto_borrow,
                             "auto_repay": auto_repay}
    return extras(pipe.spec, options, type, tif)


async def place(pipe: Pipeline, placement: Placement, families: Mapping[str, OrderFamily],
                args: Mapping[str, Any], stop: Mapping[str, Any], margin: Mapping[str, Any],
                fetch: bool) -> Order:
    """One order from prepared args, into the family its stop or margin fields name."""
    if stop and margin:
        raise ConfigurationError("a stop order on margin is not offered: place the stop order "
                                 "or the margin order")
    if stop:
        stopped = {**args, **stop}
        check_stop(pipe, stopped)
        return await families["stop"].place(stopped, fetch)
    if margin:
        return await families["margin"].place({**args, "extras": margin}, fetch)
    return await placement.place(args, fetch)


class OrderFamily:
    def __init__(self, name: str, pipeline: Pipeline, placement: Placement,
                 lookup: OrderLookup) -> None:
        self.name = name
        self.create = f"create_{name}_order"
        self._pipe = pipeline
        self._placement = placement
        self._lookup = lookup

    async def place(self, args: Mapping[str, Any], fetch: bool) -> Order:
        require(self._pipe, self.create)
        return await self._placement.place(args, fetch,
                                           send=lambda a: self._pipe.fetch(self.create, a),
                                           lost=self.lost, op=self.create)

    async def find(self, args: Mapping[str, Any]) -> Order | None:
        """The order a create with these args placed (by its client id), if any: the ordinary
        lookup first (a stop triggered since is an ordinary order), then the families'."""
        try:
            return await self._lookup.by_client_id(args["client_order_id"],
                                                   args["market"].symbol)
        except OrderNotFound:
            return None

    async def lost(self, args: Mapping[str, Any], sent_at: datetime, fetch: bool) -> Order:
        """A create of this family whose answer was lost (over REST or another carrier): the
        order looked up by client id; not found: sent once more over REST, the same id."""
        async def find() -> Order | None:
            found = await self.find(args)
            return self._placement.known.remember(found) if found is not None else None

        async def resend() -> Order:
            placed = await self._pipe.fetch(self.create, args)  # the same client id
            return await self._placement.complete(placed, args, self._pipe.clock.now(), fetch)

        return await self._placement.settle_lost(
            f"the {args['market'].symbol} {self.name} order", args["client_order_id"], find,
            resend)
