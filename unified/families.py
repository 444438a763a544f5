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

from unified.errors import OrderNotFound
from unified.lookups import OrderLookup
from unified.models import Order
from unified.order_ops import require
from unified.pipeline import Pipeline
from unified.placement import Placement


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
                                           lost=self._lost, op=self.create)

    async def find(self, args: Mapping[str, Any]) -> Order | None:
        """The order a create with these args placed (by its client id), if any: the ordinary
        lookup first (a stop triggered since is an ordinary order), then the families'."""
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
            placed = await self._pipe.fetch(self.create, args)  # the same client id
            return await self._placement.complete(placed, args, self._pipe.clock.now(), fetch)

        return await self._placement.settle_lost(
            f"the {args['market'].symbol} {self.name} order", args["client_order_id"], find,
            resend)
