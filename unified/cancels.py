"""Cancels: one, several (the venue's batch endpoint where it has one), by id or client id.

Its own module because a cancel, unlike a create, is safe to repeat: its lost answers are
retried like reads and a repeat that finds the order finished reports its final state. These
rules differ from placement's and are shared by REST and (later) WebSocket cancels.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any

from unified.arguments import reference, references
from unified.errors import OrderNotFound, TransportError, VenueUnavailable
from unified.lookups import OrderLookup
from unified.markets import Markets
from unified.models import Order
from unified.pipeline import Pipeline


class Cancels:
    def __init__(self, pipeline: Pipeline, markets: Markets, lookup: OrderLookup) -> None:
        self._pipe = pipeline
        self._markets = markets
        self._lookup = lookup

    async def one(self, op: str, lookup_op: str, ref: str, symbol: str) -> Order:
        """Cancel by id (op "cancel_order") or client id; the order's state after it."""
        reference("an order id", ref)
        args = await self._markets.args(symbol, id=ref)
        try:
            result = await self._repeatable(op, args)
        except OrderNotFound:
            # Canceling twice is safe: a finished order reports its final state.
            order: Order = await self._pipe.fetch(lookup_op, args)
            if order.status.is_final:
                return order
            raise
        if isinstance(result, Order) and result.status.is_final:
            return result
        after: Order = await self._pipe.fetch(lookup_op, args)  # its state after the cancel
        return after

    async def many(self, ids: Sequence[str], symbol: str) -> list[Order]:
        refs = references("ids", ids)
        batch = "cancel_orders" in self._pipe.spec.endpoints
        if batch:
            size = int(self._pipe.spec.capability("cancel_ids_max") or 1)
            for start in range(0, len(refs), size):
                args = await self._markets.args(symbol, ids=refs[start:start + size])
                # Already finished or unknown ids: the lookups below tell which.
                with contextlib.suppress(OrderNotFound):
                    await self._repeatable("cancel_orders", args)
        orders, missing = [], []
        for ref in refs:
            try:
                orders.append(await self._lookup.by_id(ref, symbol) if batch
                              else await self.one("cancel_order", "fetch_order", ref, symbol))
            except OrderNotFound:
                missing.append(ref)
        if missing:
            raise OrderNotFound(f"no such orders: {', '.join(missing)}", venue=self._pipe.venue)
        return orders

    async def _repeatable(self, op: str, args: Mapping[str, Any]) -> Any:
        """A write that is safe to repeat: retried like a read when its answer is lost. A repeat
        that finds the order already canceled surfaces as OrderNotFound, which the caller
        resolves by looking the order up."""
        retry = self._pipe.retry
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._pipe.fetch(op, args)
            except (TransportError, VenueUnavailable) as exc:
                if attempt >= retry.attempts:
                    raise
                await self._pipe.sleep(retry.delay(attempt, exc))
