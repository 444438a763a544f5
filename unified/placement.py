"""Placing orders and the lost-answer rules (DESIGN.md section 6), written once.

Its own module because "never placed twice" is the rule that matters most and must not be
copied: REST creates, batch creates and (later) the WebSocket order API hand their lost
answers to `reconcile`, which looks the order up before anything is sent again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from unified.errors import (
    AmbiguousOutcome,
    DecodeError,
    DuplicateClientOrderId,
    OrderNotFound,
    RateLimited,
    TransportError,
    VenueError,
    VenueUnavailable,
)
from unified.history import History
from unified.lookups import OrderLookup
from unified.markets import Markets
from unified.models import Order, OrderStatus
from unified.pipeline import Pipeline
from unified.venue import PlacedOrder

log = logging.getLogger("unified.client")
_RECONCILE_SLACK = timedelta(seconds=5)
Outcome = Order | VenueError | AmbiguousOutcome


class Placement:
    def __init__(self, pipeline: Pipeline, markets: Markets, lookup: OrderLookup,
                 history: History) -> None:
        self._pipe = pipeline
        self._markets = markets
        self._lookup = lookup
        self._history = history

    async def place(self, args: Mapping[str, Any]) -> Order:
        """One order from prepared args (unified.order_args)."""
        sent_at = self._pipe.clock.now()
        try:
            placed = await self._pipe.fetch("create_order", args)
        except (TransportError, VenueUnavailable) as exc:
            log.info("%s create_order outcome unknown (%s); reconciling", self._pipe.venue,
                     exc.__class__.__name__)
            return await self.reconcile(args, sent_at)
        return await self._complete(placed, args)

    async def place_many(self, symbol: str, prepared: Sequence[Mapping[str, Any]]
                         ) -> list[Outcome]:
        """Through the venue's batch endpoint in chunks of the size it allows, else one by one;
        one result per request, in order."""
        if "create_orders" not in self._pipe.spec.endpoints:
            return [await _settled(self.place(args)) for args in prepared]
        results: list[Outcome] = []
        size = int(self._pipe.spec.capability("batch_create_max") or 1)
        for start in range(0, len(prepared), size):
            results.extend(await self._batch(symbol, prepared[start:start + size]))
        return results

    async def _batch(self, symbol: str, chunk: Sequence[Mapping[str, Any]]) -> list[Outcome]:
        sent_at = self._pipe.clock.now()
        try:
            placed = await self._pipe.fetch("create_orders",
                                            await self._markets.args(symbol, orders=chunk))
        except (TransportError, VenueUnavailable) as exc:
            log.info("%s create_orders outcome unknown (%s); reconciling each",
                     self._pipe.venue, exc.__class__.__name__)
            return [await _settled(self.reconcile(args, sent_at)) for args in chunk]
        except VenueError as exc:  # the venue refused the whole batch
            return [exc for _ in chunk]
        if not isinstance(placed, list) or len(placed) != len(chunk):
            raise DecodeError(f"{self._pipe.venue} create_orders: {len(chunk)} orders sent, "
                              f"the answer lists {len(placed)}")
        return [item.error if item.error is not None else await self._complete(item, args)
                for item, args in zip(placed, chunk, strict=True)]

    async def _complete(self, placed: Order | PlacedOrder, args: Mapping[str, Any]) -> Order:
        if isinstance(placed, Order):
            return placed
        try:
            return await self._lookup.by_id(placed.id, args["market"].symbol)
        except (TransportError, VenueError):
            # Placed for sure; only its details are late. Report what we know.
            return self._pending_order(placed, args)

    def _pending_order(self, placed: PlacedOrder, args: Mapping[str, Any]) -> Order:
        return Order(
            id=placed.id, client_order_id=placed.client_order_id or args["client_order_id"],
            symbol=args["market"].symbol, side=args["side"], type=args["type"],
            status=OrderStatus.PENDING, price=args["price"], amount=args["amount"],
            filled=Decimal(0), remaining=args["amount"], average=None, cost=Decimal(0), fee=None,
            time_in_force=args["time_in_force"], post_only=args["post_only"],
            created_at=self._pipe.clock.now(), updated_at=None,
        )

    async def reconcile(self, args: Mapping[str, Any], sent_at: datetime) -> Order:
        """The answer to a create was lost: find the order before ever sending it again."""
        retry = self._pipe.retry
        for _ in range(retry.attempts):
            try:
                found = await self._find_placed(args, sent_at)
                if found is not None:
                    return found
                placed = await self._pipe.fetch("create_order", args)  # same client id
                return await self._complete(placed, args)
            except DuplicateClientOrderId:
                continue  # it did land after all: look again
            except (TransportError, VenueUnavailable, RateLimited) as exc:
                delay = retry.delay(1, exc)
                if delay > self._pipe.max_wait:
                    break  # the venue cannot be asked in time: say so rather than sleep
                await self._pipe.sleep(delay)
        raise AmbiguousOutcome(
            f"could not establish whether the {args['market'].symbol} order was placed",
            venue=self._pipe.venue, client_order_id=args["client_order_id"],
        )

    async def _find_placed(self, args: Mapping[str, Any], sent_at: datetime) -> Order | None:
        symbol = args["market"].symbol
        coid = args["client_order_id"]
        if coid is not None:
            try:
                return await self._lookup.by_client_id(coid, symbol)
            except OrderNotFound:
                return None
        # No client ids: a matching order created since we sent is ours.
        candidates = list(await self._lookup.open_orders(symbol))
        async for order in self._history.closed_orders(symbol, None, None, None, None):
            if order.created_at is not None and order.created_at < sent_at:
                break
            candidates.append(order)
        matches = [o for o in candidates if _same_order(o, args, sent_at)]
        if len(matches) > 1:
            raise AmbiguousOutcome(
                f"{len(matches)} orders match the lost {symbol} request", venue=self._pipe.venue,
                client_order_id=None,
            )
        return matches[0] if matches else None


async def _settled(placing: Awaitable[Order]) -> Outcome:
    try:
        return await placing
    except (VenueError, AmbiguousOutcome) as exc:
        return exc


def _same_order(order: Order, args: Mapping[str, Any], sent_at: datetime) -> bool:
    return (
        order.side is args["side"]
        and order.type is args["type"]
        and (args["price"] is None or order.price == args["price"])
        and (args["amount"] is None or order.amount == args["amount"])
        and (order.created_at is None or order.created_at >= sent_at - _RECONCILE_SLACK)
    )
