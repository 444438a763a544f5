"""The engine's extra order operations (DESIGN 3d), venue-neutral: a test create (validated,
never placed), an edit (cancel + a new order, as KuCoin's alter does), a partial cancel (the
amount reduced in place) and OCO pairs.

Its own module so that book.py (the matching engine) stays small. OCO pairs are enforced in
unified.sim.oco (re-exported here) and the dead-man switch in unified.sim.triggers: both act
in the venue's due work, not in a request's handler.
"""

from __future__ import annotations

from decimal import Decimal

from unified.models import OrderType, Side
from unified.sim.book import Engine
from unified.sim.events import AMENDED
from unified.sim.oco import OcoBook, SimOco, oco_book
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


__all__ = ["OcoBook", "SimOco", "amend", "dry_run", "oco_book", "replace"]
