"""What the neutral engine tells its listeners: every public trade, book change, order change
and balance change, typed, in the order they happened.

The local venues' WebSocket faces (unified.sim.ws) render these as each venue's pushes, so a
stream shows exactly what REST calls did to the engine. Listeners run synchronously inside the
engine's own step (the state they may read is the state right after the change); they must not
call back into the engine. Events are plain values: an order change carries a copy of the
order, so a push rendered later (a delayed frame) still shows that moment.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

import attrs

from unified.models import Side
from unified.sim.records import PublicTrade, SimFill, SimOrder

log = logging.getLogger(__name__)

# OrderChanged.kind: what happened to the order
PLACED = "placed"  # accepted, before any matching
OPEN = "open"  # rests on the book (after any fills it took as a taker)
FILL = "fill"  # one fill (`fill` says its price, amount, trade id, liquidity)
FILLED = "filled"  # done: nothing left
CANCELED = "canceled"  # done: the rest canceled (by the owner, IOC/FOK, post-only, market)
AMENDED = "amended"  # its amount changed in place (`old_amount` says from what)
ORDER_KINDS = (PLACED, OPEN, FILL, FILLED, CANCELED, AMENDED)

# BalanceChanged.reason
BALANCE_REASONS = ("hold", "release", "trade", "deposit", "withdrawal")


@attrs.frozen
class TradeMade:
    """A public trade: the tape's record and the two orders behind it."""

    n: int
    trade: PublicTrade
    taker_order_id: str
    maker_order_id: str

    @property
    def symbol(self) -> str:
        return self.trade.symbol


@attrs.frozen
class BookChanged:
    """One price level after a change: `size` is the new total there (0: the level is gone),
    `orders` how many orders rest there. `sequence` is the symbol's book sequence, raised by
    one per change; a REST snapshot reports the sequence of the last change it includes."""

    n: int
    symbol: str
    side: Side
    price: Decimal
    size: Decimal
    orders: int
    sequence: int
    at: datetime


@attrs.frozen
class OrderChanged:
    """An order after a change (`order` is a copy taken then)."""

    n: int
    kind: str
    order: SimOrder
    at: datetime
    fill: SimFill | None = None  # FILL: this fill; otherwise the order's latest fill, if any
    old_amount: Decimal | None = None  # AMENDED: the amount before

    @property
    def symbol(self) -> str:
        return self.order.symbol


@attrs.frozen
class BalanceChanged:
    """One wallet after a change, with the change itself and what caused it."""

    n: int
    account: str
    currency: str
    total: Decimal
    available: Decimal
    held: Decimal
    available_change: Decimal
    held_change: Decimal
    reason: str
    at: datetime
    order_id: str | None = None
    symbol: str | None = None


EngineEvent = TradeMade | BookChanged | OrderChanged | BalanceChanged
Listener = Callable[[EngineEvent], None]


class Events:
    """The engine's listeners. `n` numbers the events emitted, in order."""

    def __init__(self) -> None:
        self.listeners: list[Listener] = []
        self._n = itertools.count(1)

    def listen(self, listener: Listener) -> None:
        self.listeners.append(listener)

    def unlisten(self, listener: Listener) -> None:
        if listener in self.listeners:
            self.listeners.remove(listener)

    def __bool__(self) -> bool:
        return bool(self.listeners)

    def next_n(self) -> int:
        return next(self._n)

    def emit(self, event: EngineEvent) -> None:
        for listener in list(self.listeners):
            try:
                listener(event)
            except Exception:  # a listener must never leave the engine half way through a step
                log.exception("engine event listener failed on %r", event)


def order_copy(order: SimOrder) -> SimOrder:
    return attrs.evolve(order)


__all__ = ["AMENDED", "BALANCE_REASONS", "CANCELED", "FILL", "FILLED", "OPEN", "ORDER_KINDS",
           "PLACED", "BalanceChanged", "BookChanged", "EngineEvent", "Events", "Listener",
           "OrderChanged", "TradeMade", "order_copy"]
