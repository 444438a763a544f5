"""Resolving the journal's unsettled intents against the venue (`ex.reconcile()`).

Its own module because recovery runs apart from any call: after a caller cancelled a create,
after an AmbiguousOutcome, or in a bot restarted after a crash with `journal=PATH`. A create
is looked up exactly as a lost answer is (placement.find: by client id, else by matching);
found, it is the order; not found, it never reached the venue. Nothing is ever sent again
for a create. A cancel is repeated, which is safe.

A cancel-all (of orders or of stop orders) is not: sent again it would cancel orders placed
after it, which nobody asked to cancel. Its intent names the open orders it was meant for
(journal.OPEN_IDS); those still open are canceled by id, nothing else. An intent journaled
before those ids were kept is settled without sending anything ("not repeated"): which orders
it was meant for cannot be told apart from later ones safely (the venue's creation times and
this client's clock differ, and some answers carry none), and the caller already saw that
cancel-all fail.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from unified.cancels import Cancels
from unified.errors import VenueError
from unified.families import OrderFamily
from unified.journal import OPEN_IDS, Intent, Journal, Reconciled
from unified.markets import Markets
from unified.models import Order, OrderType, Side, TimeInForce
from unified.pipeline import Pipeline
from unified.placement import Placement

log = logging.getLogger("unified.client")

#: The journaled writes that are safe to send again (cancels: a repeat reports the final state).
SAFE_TO_REPEAT = frozenset({"cancel_order", "cancel_order_by_client_id", "cancel_orders"})

#: The cancel-alls, never sent again (they would take orders placed since): whether of stops.
CANCEL_ALLS = {"cancel_all_orders": False, "cancel_all_orders_everywhere": False,
               "cancel_all_stop_orders": True}

#: How an intent of a cancel-all that names no orders (an older journal's) is settled.
NOT_REPEATED = "not repeated: the orders it was meant for are not in the journal"


class Recovery:
    def __init__(self, pipeline: Pipeline, markets: Markets, placement: Placement,
                 cancels: Cancels, journal: Journal,
                 families: Mapping[str, OrderFamily] | None = None) -> None:
        # a create of an order family is journaled under its own op (create_stop_order, ...)
        self._families = {f.create: f for f in (families or {}).values()}
        self._pipe = pipeline
        self._markets = markets
        self._placement = placement
        self._cancels = cancels
        self._journal = journal

    def pending(self) -> list[Intent]:
        return self._journal.pending(self._pipe.venue)

    async def reconcile(self) -> list[Reconciled]:
        """Every unsettled intent of this venue, resolved and settled; a venue that cannot be
        asked leaves the rest open for the next call (its error is raised)."""
        done = []
        for intent in self.pending():
            if intent.op == "create_order" or (intent.op in self._families
                                               and intent.client_order_id):
                order = await self._created(intent)
                self._journal.settle(intent, order.id if order else "never reached the venue")
            elif intent.op in SAFE_TO_REPEAT:
                order = await self._canceled(intent)
            elif intent.op in CANCEL_ALLS:
                done.append(await self._canceled_all(intent))
                continue
            else:
                continue  # a write this version cannot resolve: left open, never guessed at
            done.append(Reconciled(intent=intent, order=order))
        return done

    async def _created(self, intent: Intent) -> Order | None:
        a = intent.args
        tif = a.get("time_in_force")
        args = await self._markets.args(
            str(intent.symbol), side=Side(a["side"]), type=OrderType(a["type"]),
            amount=intent.decimal("amount"), price=intent.decimal("price"),
            cost=intent.decimal("cost"), client_order_id=intent.client_order_id,
            time_in_force=TimeInForce(tif) if tif else None,
            post_only=bool(a.get("post_only", False)),
        )
        family = self._families.get(intent.op)
        found = await (family.find(args) if family is not None
                       else self._placement.find(args, intent.sent_at))
        return self._placement.known.remember(found) if found is not None else None

    async def _canceled(self, intent: Intent) -> Order | None:
        """A cancel (or a batch of them) whose outcome was unknown: sent again, which is
        safe; settled once the venue took or refused it (already canceled or finished)."""
        a: dict[str, Any] = {k: v for k, v in intent.args.items() if k in ("id", "ids")}
        args = await self._markets.args(str(intent.symbol), **a) if intent.symbol else a
        try:
            answer = await self._cancels.repeat(intent.op, args, journaled=False)
        except VenueError as exc:
            self._journal.settle(intent, f"refused: {type(exc).__name__}")
            return None
        self._journal.settle(intent, "done")
        return answer if isinstance(answer, Order) else None

    async def _canceled_all(self, intent: Intent) -> Reconciled:
        """A cancel-all whose outcome was unknown: the orders it was meant for that are still
        open canceled by id (the cancel-all reached the venue: none are); never resent."""
        meant = intent.args.get(OPEN_IDS)
        if not isinstance(meant, Mapping):
            log.warning("%s %s of %s (intent %s) not repeated: the journal does not say which "
                        "orders it was meant for; check the venue's open orders",
                        intent.venue, intent.op, intent.symbol or "every market", intent.id)
            self._journal.settle(intent, NOT_REPEATED)
            return Reconciled(intent=intent, order=None, outcome=NOT_REPEATED)
        ids = {str(s): [str(i) for i in refs] for s, refs in meant.items()}
        canceled = await self._cancels.cancel_meant(ids, stops=CANCEL_ALLS[intent.op])
        self._journal.settle(intent, "done")
        return Reconciled(intent=intent, order=None, canceled=tuple(canceled), outcome="done")
