"""The engine's extra order operations (DESIGN 3d), venue-neutral: a test create (validated,
never placed), an edit (cancel + a new order, as KuCoin's alter does) and OCO pairs.

Its own module so that book.py (the matching engine) stays small. OCO pairs are held here,
per engine: the local venue records them, lists, looks up and cancels them, but does not
trigger them or hold funds for them (a pair's legs never reach the book). That is enough to
test a client's OCO calls and lost-answer rules; it is not an OCO matching simulation.
"""

from __future__ import annotations

import itertools
import weakref
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from unified.models import OrderType, Side
from unified.sim.book import Engine
from unified.sim.events import AMENDED
from unified.sim.records import EngineError, SimOrder


def dry_run(engine: Engine, account: str, symbol: str, side: Side, type: OrderType, *,
            amount: Decimal | None, price: Decimal | None, cost: Decimal | None,
            client_id: str | None) -> str:
    """Everything a create checks but funds, nothing placed; an id that names no order."""
    market = engine.market(symbol)
    engine._validate(market, side, type, amount, price, cost)  # the engine's own rules
    if client_id and (account, client_id) in engine.by_client_id:
        raise EngineError("duplicate_client_id", f"client order id {client_id} already used")
    return f"{engine.rng.getrandbits(96):024x}"


def replace(engine: Engine, account: str, order_id: str, price: Decimal | None,
            size: Decimal | None) -> SimOrder:
    """Cancel an open limit order and place its replacement (same side, client id and time in
    force) at `price` and for `size` less what had filled; a `size` at or below the filled
    amount only cancels it (the old order, finished, is returned)."""
    old = engine.get(account, order_id)
    if not old.is_open or old.type is not OrderType.LIMIT:
        raise EngineError("not_cancelable", f"order {order_id} cannot be modified")
    new_price = price if price is not None else old.price
    total = size if size is not None else old.amount
    assert new_price is not None and total is not None
    rest = total - old.filled
    if rest > 0:
        engine._validate(engine.market(old.symbol), old.side, old.type, rest, new_price, None)
    engine.cancel(account, old.id)
    if rest <= 0:
        return old
    # The replacement keeps the client id (a lookup by it finds what rests), from its first
    # event on: the old order gives the id up first, and has it back if the new one fails.
    coid = old.client_id
    if coid:
        del engine.by_client_id[(account, coid)]
    try:
        return engine.place(account, old.symbol, old.side, old.type, amount=rest,
                            price=new_price, time_in_force=old.time_in_force,
                            post_only=old.post_only, client_id=coid)
    except EngineError:
        if coid:
            engine.by_client_id[(account, coid)] = old
        raise


def amend(engine: Engine, account: str, order_id: str, amount: Decimal) -> SimOrder:
    """Reduce an open limit order's amount in place (it keeps its id and its place in the
    queue; what no longer needs holding is released): a partial cancel."""
    order = engine.get(account, order_id)
    if not order.is_open or order.type is not OrderType.LIMIT or order.amount is None \
            or order.price is None:
        raise EngineError("not_cancelable", f"order {order_id} cannot be modified")
    market = engine.market(order.symbol)
    if not order.filled < amount < order.amount or amount % market.amount_increment != 0:
        raise EngineError("invalid", "the new amount must be below the old and above the filled")
    old, by = order.amount, order.amount - amount
    order.amount = amount
    engine.levels.shrank(order, by)
    if order.side is Side.SELL:
        ccy, release = market.base, by
    else:  # the hold per unit placed: price plus the higher fee (see Engine._hold)
        ccy, release = market.quote, order.price * by * (1 + max(market.maker_fee,
                                                                  market.taker_fee))
    release = min(release, order.held)
    order.held -= release
    engine._move(account, ccy, release, -release, "release", order)
    order.updated_at = engine.clock.now()
    engine._told(AMENDED, order, old_amount=old)
    return order


@attrs.define
class SimOco:
    id: str
    client_id: str
    account: str
    symbol: str
    side: Side
    price: Decimal
    size: Decimal
    stop_price: Decimal
    limit_price: Decimal
    created_at: datetime
    leg_ids: tuple[str, str]
    status: str = "NEW"  # NEW | TRIGGERED | DONE | CANCELLED (KuCoin's words, neutral here)


class OcoBook:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._seq = itertools.count(1)
        self.pairs: dict[str, SimOco] = {}
        self.by_client_id: dict[tuple[str, str], SimOco] = {}
        # the last dead-man switch setting (recorded, never fired by the local venue)
        self.dead_man: dict[str, Any] | None = None

    def place(self, account: str, symbol: str, side: Side, *, price: Decimal, size: Decimal,
              stop_price: Decimal, limit_price: Decimal, client_id: str) -> SimOco:
        engine = self._engine
        for p in (price, limit_price, stop_price):
            engine._validate(engine.market(symbol), side, OrderType.LIMIT, size, p, None)
        if (account, client_id) in self.by_client_id:
            raise EngineError("duplicate_client_id", f"client order id {client_id} already used")
        n = next(self._seq)
        pair = SimOco(id=f"{0x674c316e00000000 + n:024x}", client_id=client_id,
                      account=account, symbol=symbol, side=side, price=price, size=size,
                      stop_price=stop_price, limit_price=limit_price,
                      created_at=engine.clock.now(),
                      leg_ids=(f"vs93gpqc{2 * n:016x}", f"vs93gpqc{2 * n + 1:016x}"))
        self.pairs[pair.id] = pair
        self.by_client_id[(account, client_id)] = pair
        return pair

    def get(self, account: str, ref: str, by_client: bool = False) -> SimOco:
        pair = self.by_client_id.get((account, ref)) if by_client else self.pairs.get(ref)
        if pair is None or pair.account != account:
            raise EngineError("not_found", f"OCO order {ref} does not exist")
        return pair

    def cancel(self, account: str, ref: str) -> SimOco:
        pair = self.get(account, ref)
        if pair.status not in ("NEW", "TRIGGERED"):
            raise EngineError("not_cancelable", f"OCO order {ref} is already {pair.status}")
        pair.status = "CANCELLED"
        return pair

    def listed(self, account: str, symbol: str | None) -> list[SimOco]:
        return sorted((p for p in self.pairs.values() if p.account == account
                       and (symbol is None or p.symbol == symbol)), key=lambda p: p.id,
                      reverse=True)


_BOOKS: weakref.WeakKeyDictionary[Engine, OcoBook] = weakref.WeakKeyDictionary()


def oco_book(engine: Engine) -> OcoBook:
    """The OCO pairs of one engine (kept beside it, so that book.py need not know them)."""
    book = _BOOKS.get(engine)
    if book is None:
        book = _BOOKS[engine] = OcoBook(engine)
    return book


__all__ = ["OcoBook", "SimOco", "amend", "dry_run", "oco_book", "replace"]
