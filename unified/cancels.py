"""Cancels: one, several (the venue's batch endpoint where it has one), all, by id or client id.

Its own module because a cancel, unlike a create, is safe to repeat: its lost answers are
retried like reads and a repeat that finds the order finished reports its final state. These
rules differ from placement's and are shared by REST and (later) WebSocket cancels.

One round trip: a cancel of an order this client has reported (placement.KnownOrders) is one
request, its result that order with what the venue's answer says: the venue's status and
sizes where the answer reports them (KuCoin's sync endpoints), else CANCELING: the venue took
the cancel and its answer does not say it is done. An order this client has not seen, or
`fetch=True`, is looked up after the cancel.

An order of a family the venue keeps apart (unified.families: a stop order still waiting, a
margin order) is canceled through that family's endpoints: where the ordinary cancel knows no
such order, each family's cancel is sent next. The venue's stop system keeps no canceled
orders to look up, so an unreported stop order is looked up before its cancel, not after.

A cancel-all is the exception to "safe to repeat": sent again later it would also cancel
orders placed since. Its intent records the ids of the open orders it was meant for (it lists
them first); recovery cancels those that are still open, by id, and never resends it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from unified.arguments import reference, references
from unified.errors import (
    ConfigurationError,
    DecodeError,
    OrderNotFound,
    TransportError,
    VenueError,
    VenueUnavailable,
)
from unified.journal import OPEN_IDS, Journal
from unified.lookups import OrderLookup, families, family_op
from unified.markets import Markets
from unified.models import Order, OrderStatus
from unified.pipeline import Pipeline
from unified.placement import KnownOrders, Send
from unified.venue import PlacedOrder, ReportedState

#: the ordinary cancels, which fall back to the families' (unified.families)
ORDINARY = ("cancel_order", "cancel_order_by_client_id")


#: what a cancel-all of stop orders answers for each: the stop is gone, nothing filled
CANCELED = "canceled"


def by_market(orders: Sequence[Order]) -> dict[str, list[str]]:
    """The ids of `orders`, per market: what a cancel-all's intent records it was meant for."""
    ids: dict[str, list[str]] = {}
    for o in orders:
        ids.setdefault(o.symbol, []).append(o.id)
    return ids


def after_cancel(known: Order, answer: Any) -> Order:
    """`known` (as last reported) once the venue took its cancel and answered `answer`."""
    if isinstance(answer, ReportedState):
        same = answer.filled == known.filled
        return attrs.evolve(
            known, status=answer.status, filled=answer.filled,
            remaining=known.amount - answer.filled if known.amount is not None else None,
            # a fill the answer reports without its price: its average and fee are unknown
            average=known.average if same else None, fee=known.fee if same else None,
            updated_at=answer.updated_at or known.updated_at, raw=answer.raw,
        )
    if isinstance(answer, Order):
        return answer
    if answer == CANCELED:
        return attrs.evolve(known, status=OrderStatus.CANCELED)
    return attrs.evolve(known, status=OrderStatus.CANCELING)


class Cancels:
    def __init__(self, pipeline: Pipeline, markets: Markets, lookup: OrderLookup,
                 known: KnownOrders | None = None, journal: Journal | None = None) -> None:
        self._pipe = pipeline
        self._markets = markets
        self._lookup = lookup
        self._known = known if known is not None else KnownOrders()
        self.journal = journal if journal is not None else Journal()

    async def one(self, op: str, lookup_op: str, ref: str, symbol: str,
                  fetch: bool = False, send: Send | None = None,
                  via: Callable[[str], Send | None] | None = None) -> Order:
        """Cancel by id (op "cancel_order") or client id; the order's state after it. `send`
        carries it another way (the WebSocket order API), under the same rules; `via(family)`
        carries the families' cancels that follow an ordinary one that knew no such order
        (None: over REST). Without `via`, a cancel sent another way has no such fallback."""
        reference("an order id", ref)
        by_client = op.endswith("_by_client_id")
        args = await self._markets.args(symbol, id=ref, by_client_id=by_client)
        stop = op.startswith("cancel_stop_order")
        known = self._known.get(args["market"].symbol, ref, by_client)
        if stop and known is None:
            known = await self._pipe.fetch(lookup_op, args)
        try:
            answer = await self.repeat(op, args, send=send)
        except OrderNotFound:
            fallback = op in ORDINARY and (send is None or via is not None)
            for family in families(self._pipe) if fallback else ():
                with contextlib.suppress(OrderNotFound):
                    return await self.one(family_op(op, family),
                                          family_op(lookup_op, family), ref, symbol, fetch,
                                          send=via(family) if via is not None else None)
            # Canceling twice is safe: a finished order reports its final state.
            order: Order = await self._pipe.fetch(lookup_op, args)
            if order.status.is_final:
                return self._known.remember(order)
            raise
        if isinstance(answer, Order) and (answer.status.is_final or not fetch):
            return self._known.remember(answer)
        if known is not None and (not fetch or stop):  # a canceled stop is nowhere to fetch
            return self._known.remember(after_cancel(known, answer))
        after: Order = await self._pipe.fetch(lookup_op, args)  # its state after the cancel
        return self._known.remember(after)

    async def many(self, ids: Sequence[str], symbol: str) -> list[Order]:
        refs = references("ids", ids)
        accepted: dict[str, Any] = {}
        if "cancel_orders" in self._pipe.spec.endpoints:
            accepted = await self._batches(refs, symbol)
        orders, missing = [], []
        for ref in refs:
            known = self._known.get(symbol, ref)
            try:
                if ref in accepted and known is not None:
                    orders.append(self._known.remember(after_cancel(known, accepted[ref])))
                elif "cancel_orders" in self._pipe.spec.endpoints:
                    # refused (finished meanwhile?), unknown to this client or never existed
                    orders.append(self._known.remember(await self._lookup.by_id(ref, symbol)))
                else:
                    orders.append(await self.one("cancel_order", "fetch_order", ref, symbol))
            except OrderNotFound:
                missing.append(ref)
        if missing:
            raise OrderNotFound(f"no such orders: {', '.join(missing)}", venue=self._pipe.venue)
        return orders

    async def _batches(self, refs: list[str], symbol: str) -> dict[str, Any]:
        """The venue's batch cancel in chunks of the size it allows: the ids it took."""
        accepted: dict[str, Any] = {}
        size = int(self._pipe.spec.capability("cancel_ids_max") or 1)
        for start in range(0, len(refs), size):
            args = await self._markets.args(symbol, ids=refs[start:start + size])
            # Already finished or unknown ids: the lookups tell which.
            with contextlib.suppress(OrderNotFound):
                answers = await self.repeat("cancel_orders", args)
                for answer in answers if isinstance(answers, list) else ():
                    if isinstance(answer, PlacedOrder) and answer.error is None:
                        accepted[answer.id] = answer
        return accepted

    async def every(self, symbol: str | None) -> list[Order]:
        """Cancel every open order of one market, or of every market (symbol None); the
        orders that were open, in their state after the cancel."""
        stops = await self._every_stop(symbol)
        return await self._every_ordinary(symbol) + stops

    async def _every_stop(self, symbol: str | None) -> list[Order]:
        """The stop orders waiting (of one market, or all), canceled by the venue's stop
        cancel-all (KuCoin's ordinary cancel-all leaves them)."""
        waiting = [self._known.remember(o) for o in await self._lookup.stop_orders(symbol)]
        if waiting:
            await self.repeat("cancel_all_stop_orders", await self._markets.args(symbol)
                              if symbol is not None else {"market": None},
                              meant=by_market(waiting))
        return [self._known.remember(after_cancel(o, CANCELED)) for o in waiting]

    async def _every_ordinary(self, symbol: str | None) -> list[Order]:
        symbols, named = ([(await self._markets.market(symbol)).symbol], True) \
            if symbol is not None else await self._open_symbols()
        listed = await self._listed(symbols, every=symbol is None)
        symbols = list(listed)
        endpoints = self._pipe.spec.endpoints
        if symbol is None and "cancel_all_orders_everywhere" in endpoints:
            if not named:
                return []  # the venue says no market holds an open order
            refused: list[VenueError] = await self.repeat(
                "cancel_all_orders_everywhere", {},
                meant=by_market([o for s in symbols for o in listed[s]]))
            if refused:  # the venue names the markets it could not cancel
                raise refused[0]
        elif "cancel_all_orders" in endpoints:
            for s in symbols:
                if listed[s] or symbol is not None:
                    await self.repeat("cancel_all_orders", await self._markets.args(s),
                                      meant=by_market(listed[s]))
        else:  # no cancel-all at the venue: its batch cancel (else one by one), per market
            return [o for s in symbols if listed[s]
                    for o in await self.many([o.id for o in listed[s]], s)]
        return [self._known.remember(after_cancel(o, None)) for s in symbols for o in listed[s]]

    async def _listed(self, symbols: list[str], every: bool) -> dict[str, list[Order]]:
        """The open orders of each market; over every market, one the venue does not trade
        is left out (Markets.refuses) rather than failing the whole cancel."""
        listed: dict[str, list[Order]] = {}
        for s in symbols:
            try:
                orders = await self._lookup.open_orders(s, stops=False)
            except VenueError as exc:
                if every and self._markets.refuses(s, exc):
                    continue
                raise
            listed[s] = [self._known.remember(o) for o in orders]
        return listed

    async def _open_symbols(self) -> tuple[list[str], bool]:
        """The loaded markets that may hold open orders: those the venue names where it has
        such a list, else every one (one open-orders walk each); and whether it named any."""
        loaded = await self._markets.load()
        if "fetch_open_order_symbols" not in self._pipe.spec.endpoints:
            return await self._markets.traded(), True
        named: list[str] = await self._pipe.fetch("fetch_open_order_symbols")
        # a market listed since the load: canceled by the venue-wide call, not reported
        return [s for s in named if s in loaded], bool(named)

    async def cancel_meant(self, ids: Mapping[str, Sequence[str]], stops: bool) -> list[Order]:
        """Of the orders a cancel-all whose outcome stayed unknown was meant for (`ids` per
        market, as its intent recorded them), those still open (still waiting, `stops`),
        canceled by id, which is safe to repeat; the cancel-all itself is never sent again:
        it would cancel orders placed since. Each in its state after the cancel."""
        wanted = {s: set(refs) for s, refs in ids.items() if refs}
        if stops:
            listed = {s: [self._known.remember(o) for o in await self._lookup.stop_orders(s)]
                      for s in wanted}
        else:
            listed = await self._listed(list(wanted), every=True)
        stop = "stop" in families(self._pipe)  # its own system (else one id space)
        op, lookup_op = ("cancel_stop_order", "fetch_stop_order") if stops and stop \
            else ("cancel_order", "fetch_order")
        return [await self.one(op, lookup_op, o.id, s)
                for s, orders in listed.items() for o in orders if o.id in wanted[s]]

    async def repeat(self, op: str, args: Mapping[str, Any], journaled: bool = True,
                     send: Send | None = None, meant: Mapping[str, list[str]] | None = None
                     ) -> Any:
        """A cancel write, journaled: recorded before it is sent, settled once the venue took
        or refused it; left open when its outcome stays unknown (Exchange.reconcile repeats
        it, which is safe, under the intent it already has: journaled=False). A cancel-all's
        intent records `meant`, the ids of the orders it is meant for per market (not sent):
        reconcile cancels those by id (cancel_meant) rather than repeating it."""
        if not journaled:
            return await self._repeatable(op, args, send)
        kept = {**args, OPEN_IDS: meant} if meant is not None else args
        intent = self.journal.record(venue=self._pipe.venue, op=op, args=kept,
                                     sent_at=self._pipe.clock.now())
        try:
            answer = await self._repeatable(op, args, send)
        except (VenueError, ConfigurationError) as exc:
            self.journal.settle(intent, f"refused: {type(exc).__name__}")
            raise
        self.journal.settle(intent, "done")
        return answer

    async def _repeatable(self, op: str, args: Mapping[str, Any], send: Send | None = None
                          ) -> Any:
        """A write that is safe to repeat: retried like a read when its answer is lost or cannot
        be read. A repeat that finds the order already canceled surfaces as OrderNotFound,
        which the caller resolves by looking the order up."""
        retry = self._pipe.retry
        attempt = 0
        while True:
            attempt += 1
            try:
                return await (send(args) if send else self._pipe.fetch(op, args))
            except (TransportError, VenueUnavailable, DecodeError) as exc:
                if attempt >= retry.attempts:
                    raise
                await self._pipe.sleep(retry.delay(attempt, exc))
