"""Placing orders and the lost-answer rules (DESIGN.md section 6), written once.

Its own module because "never placed twice" is the rule that matters most and must not be
copied: REST creates, batch creates and (later) the WebSocket order API hand their lost
answers to `reconcile`, which looks the order up before anything is sent again.

One round trip: a create is one request. Its Order is built from the request and the venue's
answer: where the answer reports the order's state (a ReportedState: KuCoin's sync endpoints)
the status and sizes are the venue's; where it only names the order (a PlacedOrder) the order
is PENDING: accepted by the venue, its state not reported. `fetch=True` looks it up after.
The orders this client reports are remembered (KnownOrders), so that a cancel can report the
order after one request too (unified.cancels), and so that an order it already reported as
placed is never taken for another, identical, create whose answer was lost (v1's matching).
"""

from __future__ import annotations

import contextlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from unified.errors import (
    AmbiguousOutcome,
    ConfigurationError,
    ConnectionFailed,
    DecodeError,
    DuplicateClientOrderId,
    OrderNotFound,
    RateLimited,
    TransportError,
    UnifiedError,
    VenueError,
    VenueUnavailable,
)
from unified.history import History
from unified.journal import Journal
from unified.lookups import OrderLookup
from unified.markets import Markets
from unified.models import Order, OrderStatus, OrderType, TimeInForce
from unified.pipeline import Pipeline
from unified.transport import ClientClosed
from unified.venue import PlacedOrder, ReportedState

log = logging.getLogger("unified.client")
#: What leaves a write's outcome unknown: no answer, a 5xx, or an answer that cannot be read
#: (an HTML page or truncated JSON after the venue may have acted).
UNKNOWN_OUTCOME = (TransportError, VenueUnavailable, DecodeError)
#: How far before our `sent_at` a venue may stamp the order (its clock behind ours: v1 never
#: syncs time, its signature has no timestamp): matched orders and the history read both reach it.
_RECONCILE_SLACK = timedelta(seconds=5)
ZERO = Decimal(0)
#: One create_orders result: the Order; the VenueError that refused it; AmbiguousOutcome; or
#: the error that kept it from being sent (ConnectionFailed(request_sent=False), a
#: ConfigurationError such as ClientClosed).
Outcome = Order | UnifiedError
#: sends one create and answers the decoded PlacedOrder / ReportedState
Send = Callable[[Mapping[str, Any]], Awaitable[Any]]
#: settles a create whose answer was lost: (args, sent_at, fetch) -> the Order
Lost = Callable[[Mapping[str, Any], datetime, bool], Awaitable[Order]]
T = TypeVar("T")


class KnownOrders:
    """The last state this client reported of each order it placed or canceled (about the
    newest `size` orders, by symbol and id or client id): what a one-trip cancel builds on."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._orders: OrderedDict[tuple[str, bool, str], Order] = OrderedDict()
        self._placed: OrderedDict[tuple[str, str], None] = OrderedDict()

    def remember(self, order: Order, placed: bool = False) -> Order:
        """`placed`: reported as the result of a create (kept apart from the orders a cancel
        reports: an order canceled by a cancel-all may still be a lost create's)."""
        keys = [(order.symbol, False, order.id)]
        if order.client_order_id:
            keys.append((order.symbol, True, order.client_order_id))
        for key in keys:
            self._orders[key] = order
            self._orders.move_to_end(key)
        while len(self._orders) > 2 * self._size:  # an id and a client id per order
            self._orders.popitem(last=False)
        if placed:
            self._placed[(order.symbol, order.id)] = None
            self._placed.move_to_end((order.symbol, order.id))
            while len(self._placed) > self._size:
                self._placed.popitem(last=False)
        return order

    def placed(self, order: Order) -> bool:
        """Whether this client already reported `order` as what one of its creates placed."""
        return (order.symbol, order.id) in self._placed

    def get(self, symbol: str, ref: str, by_client_id: bool = False) -> Order | None:
        return self._orders.get((symbol, by_client_id, ref))


def order_from_answer(args: Mapping[str, Any], answer: PlacedOrder, sent_at: datetime) -> Order:
    """The Order a one-trip create reports: the request, with what the answer says. Nothing is
    invented: without a reported state the order is PENDING with nothing filled; the cost of
    fills is never in these answers (average None, cost 0: fetch for them)."""
    state = answer if isinstance(answer, ReportedState) else None
    amount: Decimal | None = args["amount"]
    filled = state.filled if state is not None else ZERO
    tif: TimeInForce | None = args["time_in_force"]
    if tif is None and args["type"] is OrderType.LIMIT:
        tif = TimeInForce.GTC  # every venue's default for a limit order
    return Order(
        id=answer.id, client_order_id=answer.client_order_id or args["client_order_id"],
        symbol=args["market"].symbol, side=args["side"], type=args["type"],
        status=state.status if state is not None else OrderStatus.PENDING,
        price=args["price"], amount=amount, filled=filled,
        remaining=amount - filled if amount is not None else None, average=None, cost=ZERO,
        fee=None, time_in_force=tif, post_only=args["post_only"],
        created_at=state.created_at if state is not None and state.created_at else sent_at,
        updated_at=state.updated_at if state is not None else None,
        raw=state.raw if state is not None else None, stop_price=args.get("stop_price"),
    )


class Placement:
    def __init__(self, pipeline: Pipeline, markets: Markets, lookup: OrderLookup,
                 history: History, journal: Journal) -> None:
        self._pipe = pipeline
        self._markets = markets
        self._lookup = lookup
        self._history = history
        self.journal = journal
        self.known = KnownOrders()

    async def place(self, args: Mapping[str, Any], fetch: bool = False,
                    send: Send | None = None, lost: Lost | None = None,
                    op: str = "create_order") -> Order:
        """One order from prepared args (unified.order_args): one request, unless the answer is
        lost (then reconciled) or `fetch` asks for the order's state as the venue reports it.
        Journaled before it is sent; settled once its outcome is known (left open when the
        caller is cancelled or the outcome is ambiguous: Exchange.reconcile() resolves it).
        `send` carries the request another way (the WebSocket order API): the same rules;
        `lost` replaces the reconciliation where the venue cannot be asked (margin orders) or
        is asked elsewhere (stop orders, journaled as `op`)."""
        sent_at = self._pipe.clock.now()
        intent = self.journal.record(venue=self._pipe.venue, op=op, args=args, sent_at=sent_at)
        try:
            placed = await (send(args) if send is not None
                            else self._pipe.fetch("create_order", args))
        except UNKNOWN_OUTCOME as exc:
            if isinstance(exc, ConnectionFailed) and not exc.request_sent:
                self.journal.settle(intent, "not placed: never sent")
                raise
            log.info("%s %s outcome unknown (%s); reconciling", self._pipe.venue, op,
                     exc.__class__.__name__)
            order = await (lost or self.reconcile)(args, sent_at, fetch)
        except (VenueError, ConfigurationError) as exc:  # refused, or never sent
            self.journal.settle(intent, f"not placed: {type(exc).__name__}")
            raise
        else:
            order = await self.complete(placed, args, sent_at, fetch)
        self.journal.settle(intent, order.id)
        return order

    async def place_many(self, symbol: str, prepared: Sequence[Mapping[str, Any]]
                         ) -> list[Outcome]:
        """Through the venue's batch endpoint in chunks of the size it allows (only its limit
        orders where it batches no others), else one by one; one result per request, in order."""
        spec = self._pipe.spec
        if "create_orders" not in spec.endpoints:  # each item's error in its slot, as a batch's
            return [await _settled(self.place(args)) for args in prepared]
        limit_only = bool(spec.capability("batch_create_limit_only"))
        batched = [i for i, args in enumerate(prepared)
                   if not limit_only or args["type"] is OrderType.LIMIT]
        results: dict[int, Outcome] = {}
        size = int(spec.capability("batch_create_max") or 1)
        for start in range(0, len(batched), size):
            chunk = batched[start:start + size]
            outcomes = await self._batch(symbol, [prepared[i] for i in chunk])
            results.update(zip(chunk, outcomes, strict=True))
        for i, args in enumerate(prepared):
            if i not in results:
                results[i] = await _settled(self.place(args))
        return [results[i] for i in range(len(prepared))]

    async def _batch(self, symbol: str, chunk: Sequence[Mapping[str, Any]]) -> list[Outcome]:
        sent_at = self._pipe.clock.now()
        intents = [self.journal.record(venue=self._pipe.venue, op="create_order", args=args,
                                       sent_at=sent_at) for args in chunk]
        reconciled = False
        outcomes: list[Outcome]
        try:
            placed = await self._pipe.fetch("create_orders",
                                            await self._markets.args(symbol, orders=chunk))
            if not isinstance(placed, list) or len(placed) != len(chunk):
                raise DecodeError(f"{self._pipe.venue} create_orders: {len(chunk)} orders "
                                  f"sent, the answer lists {len(placed)}")
        except UNKNOWN_OUTCOME as exc:
            if isinstance(exc, ConnectionFailed) and not exc.request_sent:
                outcomes = [exc for _ in chunk]  # never sent: nothing placed, as for one
            else:
                log.info("%s create_orders outcome unknown (%s); reconciling each",
                         self._pipe.venue, exc.__class__.__name__)
                outcomes = [await _settled(self.reconcile(args, sent_at)) for args in chunk]
                reconciled = True
        except (VenueError, ConfigurationError) as exc:  # refused whole, or never sent
            outcomes = [exc for _ in chunk]
        else:
            outcomes = [item.error if item.error is not None
                        else await self.complete(item, args, sent_at, fetch=False)
                        for item, args in zip(placed, chunk, strict=True)]
        for intent, outcome in zip(intents, outcomes, strict=True):
            # a reconciliation that ended in an error leaves the intent open, as one create's
            unknown = reconciled or isinstance(outcome, AmbiguousOutcome)
            if isinstance(outcome, Order) or not unknown:
                self.journal.settle(intent, outcome.id if isinstance(outcome, Order)
                                    else f"not placed: {type(outcome).__name__}")
        return outcomes

    async def complete(self, placed: Order | PlacedOrder, args: Mapping[str, Any],
                        sent_at: datetime, fetch: bool) -> Order:
        order = placed if isinstance(placed, Order) else order_from_answer(args, placed, sent_at)
        if fetch and not isinstance(placed, Order):
            # Placed for sure; if only its details are late, report what we know.
            with contextlib.suppress(TransportError, VenueError):
                order = await self._lookup.by_id(order.id, order.symbol)
        return self.known.remember(order, placed=True)

    async def reconcile(self, args: Mapping[str, Any], sent_at: datetime,
                        fetch: bool = False) -> Order:
        """The answer to a create was lost: find the order before ever sending it again.
        Without a client id (v1) it is never sent again: nothing matching is AmbiguousOutcome."""
        async def resend() -> Order:
            if args["client_order_id"] is None:
                # Nothing matched, yet the venue may have acted (its order not listed yet, or
                # stamped past the slack): without a client id to refuse a second copy, a
                # resend could place it twice. Cannot decide: say so (DESIGN 6).
                raise AmbiguousOutcome(
                    f"no {args['market'].symbol} order matches the lost request (no client "
                    "ids to look it up by); not resent", venue=self._pipe.venue,
                    client_order_id=None)
            resent_at = self._pipe.clock.now()
            placed = await self._pipe.fetch("create_order", args)  # same client id
            return await self.complete(placed, args, resent_at, fetch)

        return await self.settle_lost(f"the {args['market'].symbol} order",
                                      args["client_order_id"],
                                      lambda: self.find(args, sent_at), resend)

    async def settle_lost(self, what: str, client_order_id: str | None,
                          find: Callable[[], Awaitable[T | None]],
                          resend: Callable[[], Awaitable[T]]) -> T:
        """The lost-answer rule (DESIGN 6) for any create (orders, OCO pairs): look it up
        (`find`); found -> it; not found -> `resend` with the same client id (or raise, where
        there is none); still unknown -> AmbiguousOutcome carrying the client id."""
        retry = self._pipe.retry
        for _ in range(retry.attempts):
            try:
                found = await find()
                return found if found is not None else await resend()
            except DuplicateClientOrderId:
                continue  # it did land after all: look again
            except ClientClosed:
                break  # closed mid-order: the venue may have acted, and can no longer be asked
            except (*UNKNOWN_OUTCOME, RateLimited) as exc:
                delay = retry.delay(1, exc)
                if delay > self._pipe.max_wait:
                    break  # the venue cannot be asked in time: say so rather than sleep
                await self._pipe.sleep(delay)
        raise AmbiguousOutcome(f"could not establish whether {what} was placed",
                               venue=self._pipe.venue, client_order_id=client_order_id)

    async def find(self, args: Mapping[str, Any], sent_at: datetime) -> Order | None:
        """The order a create with these args, sent at `sent_at`, placed, if the venue has it;
        remembered as placed (it is that create's from now on, never another's)."""
        found = await self._find_placed(args, sent_at)
        return self.known.remember(found, placed=True) if found is not None else None

    async def _find_placed(self, args: Mapping[str, Any], sent_at: datetime) -> Order | None:
        symbol = args["market"].symbol
        coid = args["client_order_id"]
        if coid is not None:
            try:
                return await self._lookup.by_client_id(coid, symbol)
            except OrderNotFound:
                return None
        # No client ids: a matching order created since we sent (within the slack: the venue's
        # clock may be behind ours) is ours, unless this client already reported it as placed.
        candidates = list(await self._lookup.open_orders(symbol))
        async for order in self._history.closed_orders(symbol, None, None, None, None):
            if order.created_at is not None and order.created_at < sent_at - _RECONCILE_SLACK:
                break  # newest first: the rest are older still
            candidates.append(order)
        matches = [o for o in candidates
                   if _same_order(o, args, sent_at) and not self.known.placed(o)]
        if len(matches) > 1:
            raise AmbiguousOutcome(
                f"{len(matches)} orders this client has not reported match the lost {symbol} "
                "request", venue=self._pipe.venue, client_order_id=None,
            )
        return matches[0] if matches else None


async def _settled(placing: Awaitable[Order]) -> Outcome:
    """One item of create_orders: its failure kept in its slot, so that a later item still
    goes and every placed one is reported (a caller retrying would place those twice)."""
    try:
        return await placing
    except UnifiedError as exc:
        return exc


def _same_order(order: Order, args: Mapping[str, Any], sent_at: datetime) -> bool:
    return (
        order.side is args["side"]
        and order.type is args["type"]
        and (args["price"] is None or order.price == args["price"])
        and (args["amount"] is None or order.amount == args["amount"])
        and (order.created_at is None or order.created_at >= sent_at - _RECONCILE_SLACK)
    )
