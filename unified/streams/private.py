"""Private streams deliver every order change and fill exactly once, across reconnects.

Pushes and REST reconciliation feed the same trackers: an order is delivered when its state
(status, filled, amount, price) differs from the one last delivered and is not behind it (a
REST read that raced a push can be); a fill when its id is new. After a reconnect (or an
unreadable frame) `Reconciler` asks REST for open orders, recent orders and fills since the
venue last showed it had sent everything (the connection's last pong), so what happened while
the socket was down is delivered too, and nothing twice.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

import attrs

from unified.derivative_models import Position
from unified.errors import NotSupported, OrderNotFound
from unified.models import Balance, Balances, Fill, Order
from unified.streams.dialect import BalanceChange

log = logging.getLogger("unified.streams")

#: ids remembered per tracker (older ones are forgotten first)
REMEMBERED = 50_000
#: orders and fills this much older than the last pong are not "missed meanwhile": the
#: venue stamps them on its clock, which may differ from ours by up to what its signed
#: requests tolerate (OKCoinJapan: 30 s); reading a little more only costs rows, never twice
MARGIN = timedelta(seconds=30)


def _state(order: Order) -> tuple[Any, ...]:
    return (order.status, order.filled, order.amount, order.price)


def _behind(order: Order, last: Order) -> bool:
    """Whether `order` is a state `last` has already left: orders only fill further, and a
    finished order never opens again."""
    return order.filled < last.filled or (last.status.is_final and not order.status.is_final)


#: fields a push may leave out (Item.unreported) that no fill changes: taken from the order
#: as last delivered (cost, fee and average move with fills: never carried over)
STABLE = frozenset({"client_order_id", "time_in_force", "post_only", "created_at", "type",
                    "price", "amount"})


class OrderTracker:
    """Which state of each order was delivered last."""

    def __init__(self) -> None:
        self._last: OrderedDict[str, Order] = OrderedDict()

    def is_new(self, order: Order) -> bool:
        last = self._last.get(order.id)
        if last is not None and (_state(last) == _state(order) or _behind(order, last)):
            return False
        self._last[order.id] = order
        self._last.move_to_end(order.id)
        if len(self._last) > REMEMBERED:
            self._last.popitem(last=False)
        return True

    def open_by_symbol(self) -> dict[str, list[Order]]:
        """The orders last delivered open, by symbol (the venue may have finished them)."""
        out: dict[str, list[Order]] = {}
        for order in self._last.values():
            if not order.status.is_final:
                out.setdefault(order.symbol, []).append(order)
        return out

    def complete(self, order: Order, unreported: frozenset[str]) -> Order:
        """`order` with the stable fields its push did not carry, from the last one seen."""
        last = self._last.get(order.id)
        carried = unreported & STABLE
        if last is None or not carried:
            return order
        return attrs.evolve(order, **{name: getattr(last, name) for name in carried})


class FillTracker:
    def __init__(self) -> None:
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()

    def is_new(self, fill: Fill) -> bool:
        key = (fill.order_id, fill.id)
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > REMEMBERED:
            self._seen.popitem(last=False)
        return True


def _position_state(position: Position) -> tuple[Any, ...]:
    return attrs.astuple(position, filter=lambda a, _: a.name not in ("timestamp", "raw"))


def flat(position: Position, now: datetime) -> Position:
    """`position` once closed: no contracts, nothing at stake."""
    return attrs.evolve(position, contracts=Decimal(0), margin=Decimal(0),
                        unrealized_pnl=Decimal(0), liquidation_price=None, timestamp=now,
                        raw=None)


class PositionTracker:
    """The position of each symbol as last delivered: a push or a REST read that says the
    same again is not a change."""

    def __init__(self) -> None:
        self.last: dict[str, Position] = {}

    def is_new(self, position: Position) -> bool:
        last = self.last.get(position.symbol)
        if last is not None and _position_state(last) == _position_state(position):
            return False
        if last is None and not position.contracts:
            return False  # flat, and never seen open: nothing changed for the stream
        self.last[position.symbol] = position
        return True

    def gone(self, current: Iterable[Position], now: datetime) -> list[Position]:
        """The flat states of the positions delivered open that `current` (every open one)
        no longer lists."""
        listed = {p.symbol for p in current}
        return [flat(p, now) for s, p in sorted(self.last.items())
                if p.contracts and s not in listed]


def apply_balance(balances: Balances | None, change: BalanceChange) -> Balances:
    """The whole balances after one currency's change."""
    current = dict(balances or {})
    current[change.currency.upper()] = Balance(currency=change.currency.upper(),
                                               total=change.total, available=change.available,
                                               held=change.held)
    return Balances(current, raw=change.raw)


class Rest(Protocol):
    """The REST calls reconciliation needs (the Exchange has them)."""

    def supports(self, operation: str) -> bool: ...

    async def fetch_open_orders(self, symbol: str) -> list[Order]: ...

    async def fetch_order(self, id: str, symbol: str) -> Order: ...

    async def fetch_balance(self) -> Balances: ...

    async def fetch_open_order_symbols(self) -> list[str]: ...

    async def fetch_positions(self, symbols: list[str] | None = None) -> list[Position]: ...

    def iter_closed_orders(self, symbol: str, since: datetime | None = None) -> Any: ...

    def iter_my_trades(self, symbol: str, since: datetime | None = None) -> Any: ...


def _moment(item: Order | Fill) -> datetime | None:
    if isinstance(item, Fill):
        return item.timestamp
    return item.updated_at or item.created_at


class Reconciler:
    """Lists, over REST, the orders and fills of `symbols` since `since`."""

    def __init__(self, rest: Rest) -> None:
        self.rest = rest

    async def symbols(self, wanted: Iterable[str | None], seen: Iterable[str]) -> list[str]:
        """The markets to ask about: those streams name; for a stream of every market, the
        markets seen so far and those with open orders now."""
        named = {s for s in wanted if s is not None}
        if None in set(wanted):
            named.update(seen)
            if self.rest.supports("fetch_open_order_symbols"):
                named.update(await self.rest.fetch_open_order_symbols())
        return sorted(named)

    async def orders(self, symbol: str, since: datetime,
                     known_open: Iterable[Order] = ()) -> list[Order]:
        """Open orders, orders closed since `since`, and each of `known_open` (delivered open)
        that neither lists, read by its id: an order that rested long before the gap and
        finished in it is where a closed-orders history may not look (OKCoinJapan lists by
        creation and answers no update time)."""
        found = list(await self.rest.fetch_open_orders(symbol))
        found += await self._recent(self.rest.iter_closed_orders, symbol, since)
        listed = {o.id for o in found}
        for order in known_open:
            if order.id not in listed:
                try:
                    found.append(await self.rest.fetch_order(order.id, symbol))
                except OrderNotFound:  # the venue forgot it (an unfilled cancel, long ago)
                    log.warning("%s: order %s is gone from the venue", symbol, order.id)
        return sorted(found, key=lambda o: _moment(o) or since)

    async def fills(self, symbol: str, since: datetime) -> list[Fill]:
        try:
            fills = await self._recent(self.rest.iter_my_trades, symbol, since)
        except NotSupported:
            return []
        return sorted(fills, key=lambda f: f.timestamp)

    async def _recent(self, walk: Any, symbol: str, since: datetime) -> list[Any]:
        """Every row since `since` less MARGIN: where the venue cannot filter by time, the
        history walk reads newest first and stops past it (History), so a busy gap is read
        whole, not only its newest rows."""
        floor = since - MARGIN
        rows = [item async for item in walk(symbol, since=floor)]
        return [r for r in rows if (_moment(r) or floor) >= floor]
