"""Stop orders on a local venue, enforced (DESIGN 3c; KuCoin's /api/v1/stop-order), venue-neutral.

A stop order waits outside the book until a public trade on its symbol, made after it was
placed, reaches its stop price: at or above it for Trigger.ABOVE (KuCoin `stop=entry`), at or
below for Trigger.BELOW (`stop=loss`). Then it is placed as an ordinary order of its type,
side, sizes and client id, under its own id, and matches like any other (the venue's ordinary
lookups and lists know it from then on).

While it waits it holds funds, as the venue's docs say ("your funds will be put on hold for
the duration of the order"): a sell its base amount, a limit buy its price times amount plus
the larger fee, a market buy by cost its cost. A market buy by amount holds nothing (what it
will cost is known only when it fires); a sell by cost holds nothing either. At the trigger
the hold is given back and the ordinary order holds again as every order does; if it is
refused then (funds, a size below the minimum), the stop ends CANCELLED.

Checked at each due run (unified.sim.triggers: the venue runs them before and after every
request). Statuses: NEW (waiting), TRIGGERED (placed), CANCELLED (by its owner, or refused at
the trigger). Every change goes through the engine's own moves and place, so funds are
conserved.
"""

from __future__ import annotations

import weakref
from datetime import datetime
from decimal import Decimal

import attrs

from unified.models import OrderType, Side, TimeInForce, Trigger
from unified.sim.book import Engine
from unified.sim.records import EngineError
from unified.sim.triggers import due_work

NEW, TRIGGERED, CANCELLED = "NEW", "TRIGGERED", "CANCELLED"
ZERO = Decimal(0)


@attrs.define
class SimStop:
    id: str
    client_id: str | None
    account: str
    symbol: str
    side: Side
    type: OrderType
    price: Decimal | None
    amount: Decimal | None
    cost: Decimal | None
    time_in_force: TimeInForce
    post_only: bool
    stop_price: Decimal
    trigger: Trigger
    created_at: datetime
    tape_mark: int  # the symbol's trades up to here were made before it
    status: str = NEW
    held: Decimal = ZERO
    held_currency: str = ""
    triggered_at: datetime | None = None

    def reached(self, price: Decimal) -> bool:
        """Whether a trade at `price` fires it."""
        return price >= self.stop_price if self.trigger is Trigger.ABOVE \
            else price <= self.stop_price


class StopBook:
    """One engine's stop orders (`stop_book(engine)`); its due job fires them."""

    def __init__(self, engine: Engine) -> None:
        self._engine = weakref.ref(engine)  # the book lives beside the engine, not in it
        self.stops: dict[str, SimStop] = {}
        self.by_client_id: dict[tuple[str, str], SimStop] = {}
        self._live: list[SimStop] = []  # in creation order: they fire in that order
        due_work(engine).add("stops", _due)

    @property
    def engine(self) -> Engine:
        engine = self._engine()
        assert engine is not None, "a stop book outlived its engine"
        return engine

    def place(self, account: str, symbol: str, side: Side, type: OrderType, *, id: str,
              stop_price: Decimal, trigger: Trigger, amount: Decimal | None = None,
              price: Decimal | None = None, cost: Decimal | None = None,
              time_in_force: TimeInForce = TimeInForce.GTC, post_only: bool = False,
              client_id: str | None = None) -> SimStop:
        engine = self.engine
        market = engine.market(symbol)
        engine._validate(market, side, type, amount, price, cost)
        if stop_price <= 0 or stop_price % market.price_increment:
            raise EngineError("invalid", f"stop price must be a positive multiple of "
                                         f"{market.price_increment}")
        if client_id and ((account, client_id) in self.by_client_id
                          or (account, client_id) in engine.by_client_id):
            raise EngineError("duplicate_client_id", f"client order id {client_id} already used")
        stop = SimStop(id=id, client_id=client_id or None, account=account, symbol=symbol,
                       side=side, type=type, price=price, amount=amount, cost=cost,
                       time_in_force=time_in_force, post_only=post_only, stop_price=stop_price,
                       trigger=trigger, created_at=engine.clock.now(),
                       tape_mark=len(engine.trades[symbol]))
        self._hold(stop)
        self.stops[stop.id] = stop
        if stop.client_id:
            self.by_client_id[(account, stop.client_id)] = stop
        self._live.append(stop)
        return stop

    def _hold(self, stop: SimStop) -> None:
        engine, market = self.engine, self.engine.market(stop.symbol)
        if stop.side is Side.SELL:
            ccy, need = market.base, stop.amount or ZERO
        elif stop.cost is not None:
            ccy, need = market.quote, stop.cost
        elif stop.type is OrderType.LIMIT:
            assert stop.price is not None and stop.amount is not None
            ccy, need = market.quote, market.limit_buy_hold(stop.price, stop.amount)
        else:
            ccy, need = market.quote, ZERO
        if engine.wallet(stop.account, ccy).available < need:
            raise EngineError("insufficient_funds", f"{ccy} balance insufficient")
        stop.held, stop.held_currency = need, ccy
        if need:
            engine._move(stop.account, ccy, -need, need, "hold")

    def _release(self, stop: SimStop) -> None:
        if stop.held:
            held, stop.held = stop.held, ZERO
            self.engine._move(stop.account, stop.held_currency, held, -held, "release")

    def get(self, account: str, ref: str, by_client: bool = False) -> SimStop:
        stop = self.by_client_id.get((account, ref)) if by_client else self.stops.get(ref)
        if stop is None or stop.account != account:
            raise EngineError("not_found", f"stop order {ref} does not exist")
        return stop

    def cancel(self, account: str, ref: str, by_client: bool = False) -> SimStop:
        stop = self.get(account, ref, by_client)
        self.run()  # what has come due first (a venue has run it already: nothing then)
        if stop.status != NEW:
            raise EngineError("not_cancelable", f"stop order {ref} is already {stop.status}")
        self._release(stop)
        stop.status = CANCELLED
        return stop

    def waiting(self, account: str, symbol: str | None = None) -> list[SimStop]:
        """The account's stops still waiting, newest first."""
        return [s for s in reversed(self._live) if s.account == account and s.status == NEW
                and (symbol is None or s.symbol == symbol)]

    # ---------------------------------------------------------------- due work

    def run(self) -> bool:
        changed = False
        for stop in list(self._live):
            if stop.status == NEW:
                changed = self._step(stop) or changed
        self._live = [s for s in self._live if s.status == NEW]
        return changed

    def _step(self, stop: SimStop) -> bool:
        tape = self.engine.trades[stop.symbol]
        hit = any(stop.reached(t.price) for t in tape[stop.tape_mark:])
        stop.tape_mark = len(tape)
        if hit:
            self._fire(stop)
        return hit

    def _fire(self, stop: SimStop) -> None:
        engine = self.engine
        self._release(stop)
        stop.triggered_at = engine.clock.now()
        try:
            engine.place(stop.account, stop.symbol, stop.side, stop.type, amount=stop.amount,
                         price=stop.price, cost=stop.cost, time_in_force=stop.time_in_force,
                         post_only=stop.post_only, client_id=stop.client_id, id=stop.id)
        except EngineError:  # refused now (funds, a book too thin): it ends here
            stop.status = CANCELLED
            return
        stop.status = TRIGGERED


_BOOKS: weakref.WeakKeyDictionary[Engine, StopBook] = weakref.WeakKeyDictionary()


def stop_book(engine: Engine) -> StopBook:
    """The stop orders of one engine (kept beside it, so that book.py need not know them)."""
    book = _BOOKS.get(engine)
    if book is None:
        book = _BOOKS[engine] = StopBook(engine)
    return book


def _due(engine: Engine) -> bool:
    book = _BOOKS.get(engine)
    return book.run() if book is not None else False


__all__ = ["CANCELLED", "NEW", "TRIGGERED", "SimStop", "StopBook", "stop_book"]
