"""OCO pairs on a local venue, enforced (DESIGN 3d; KuCoin's "Add OCO Order"), venue-neutral.

A pair is two legs of one side and size:
- the limit leg (leg 0) is a real limit order at `price`, placed in the engine with the pair:
  it holds funds (refused for funds: the create fails, no pair is recorded) and matches like
  any order. Its id is that order's id.
- the stop leg (leg 1) waits, holding nothing, under an id fixed at creation. It fires once a
  public trade on the symbol made after the pair was placed reaches `stop_price`: for a sell
  pair a trade at or below it (a stop-loss under the market, the limit leg taking profit
  above), for a buy pair one at or above it (KuCoin's example: buy at 94000 or, once 98000
  trades, at a 96000 limit). Firing cancels the limit leg's rest and places a limit order at
  `limit_price` for what the limit leg left unfilled.
Checked at each due run (unified.sim.triggers: the venue runs them before and after every
request), in this order: a limit leg that has filled ends the pair before a stop can fire; a
partly filled one keeps the stop armed, for the rest only.

Pair status: NEW (limit leg live, stop armed); TRIGGERED (the order placed at the stop is
live); DONE (the limit leg or the triggered order filled); CANCELLED (the pair was canceled;
or one of its orders was canceled by anything but the pair, e.g. its owner or a dead-man
switch; or the venue refused the triggered order: funds, a rest below the minimum size).
Leg status: NEW (resting / armed), TRIGGERED (leg 1: its order is live), DONE (filled),
CANCELLED. Leg ids never change: leg 1 keeps its id once fired; the order placed then is
`SimOco.placed_id`, an engine order listed and canceled like any other.

Every change goes through the engine's own place and cancel (events, holds and releases as
an owner's request makes them), so a trigger conserves funds. The tape is read by position
(engine.trades only grows), not by an engine listener, which may not call back into it.
"""

from __future__ import annotations

import itertools
import weakref
from datetime import datetime
from decimal import Decimal

import attrs

from unified.models import OrderStatus, OrderType, Side
from unified.sim.book import Engine
from unified.sim.records import EngineError, SimOrder
from unified.sim.triggers import due_work

NEW, TRIGGERED, DONE, CANCELLED = "NEW", "TRIGGERED", "DONE", "CANCELLED"
LIVE = (NEW, TRIGGERED)


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
    status: str = NEW  # NEW | TRIGGERED | DONE | CANCELLED (KuCoin's words, neutral here)
    leg_status: list[str] = attrs.field(factory=lambda: [NEW, NEW])
    placed_id: str | None = None  # the order the stop leg placed, once fired
    tape_mark: int = 0  # the symbol's trades up to here were looked at

    def reached(self, price: Decimal) -> bool:
        """Whether a trade at `price` fires the stop leg."""
        return price <= self.stop_price if self.side is Side.SELL else price >= self.stop_price


class OcoBook:
    """One engine's pairs (`oco_book(engine)`); its due job moves them on."""

    def __init__(self, engine: Engine) -> None:
        self._engine = weakref.ref(engine)  # the book lives beside the engine, not in it
        self._seq = itertools.count(1)
        self.pairs: dict[str, SimOco] = {}
        self.by_client_id: dict[tuple[str, str], SimOco] = {}
        self._live: list[SimOco] = []  # in creation order: triggers run in that order
        due_work(engine).add("oco", _due)

    @property
    def engine(self) -> Engine:
        engine = self._engine()
        assert engine is not None, "an OCO book outlived its engine"
        return engine

    def place(self, account: str, symbol: str, side: Side, *, price: Decimal, size: Decimal,
              stop_price: Decimal, limit_price: Decimal, client_id: str) -> SimOco:
        engine = self.engine
        for p in (price, limit_price, stop_price):
            engine._validate(engine.market(symbol), side, OrderType.LIMIT, size, p, None)
        if (account, client_id) in self.by_client_id:
            raise EngineError("duplicate_client_id", f"client order id {client_id} already used")
        mark = len(engine.trades[symbol])  # the limit leg's own trades count too
        leg = engine.place(account, symbol, side, OrderType.LIMIT, amount=size, price=price)
        n = next(self._seq)
        pair = SimOco(id=f"{0x674c316e00000000 + n:024x}", client_id=client_id,
                      account=account, symbol=symbol, side=side, price=price, size=size,
                      stop_price=stop_price, limit_price=limit_price,
                      created_at=engine.clock.now(), leg_ids=(leg.id, f"vs93gpqc{n:016x}"),
                      tape_mark=mark)
        self.pairs[pair.id] = pair
        self.by_client_id[(account, client_id)] = pair
        self._live.append(pair)
        return pair

    def get(self, account: str, ref: str, by_client: bool = False) -> SimOco:
        pair = self.by_client_id.get((account, ref)) if by_client else self.pairs.get(ref)
        if pair is None or pair.account != account:
            raise EngineError("not_found", f"OCO order {ref} does not exist")
        return pair

    def cancel(self, account: str, ref: str, by_client: bool = False
               ) -> tuple[SimOco, list[str]]:
        """Cancel whichever legs are live; the pair and the ids of the legs canceled."""
        pair = self.get(account, ref, by_client)
        while pair.status in LIVE and self._step(pair):
            pass  # what has come due first (a venue has run it already: nothing then)
        if pair.status not in LIVE:
            raise EngineError("not_cancelable", f"OCO order {ref} is already {pair.status}")
        if pair.status == NEW:
            self.engine.cancel(account, pair.leg_ids[0])
            canceled = list(pair.leg_ids)
        else:
            assert pair.placed_id is not None
            self.engine.cancel(account, pair.placed_id)
            canceled = [pair.leg_ids[1]]
        pair.leg_status = [CANCELLED if s in LIVE else s for s in pair.leg_status]
        pair.status = CANCELLED
        return pair, canceled

    def listed(self, account: str, symbol: str | None) -> list[SimOco]:
        return sorted((p for p in self.pairs.values() if p.account == account
                       and (symbol is None or p.symbol == symbol)), key=lambda p: p.id,
                      reverse=True)

    def limit_leg(self, pair: SimOco) -> SimOrder:
        return self.engine.orders[pair.leg_ids[0]]

    def stop_size(self, pair: SimOco) -> Decimal:
        """What the stop leg covers (places, or placed): what the limit leg left unfilled
        (of its amount, which a partial cancel may have reduced)."""
        return self.limit_leg(pair).remaining

    # ---------------------------------------------------------------- due work

    def run(self) -> bool:
        changed = False
        for pair in list(self._live):
            changed = self._step(pair) or changed
        self._live = [p for p in self._live if p.status in LIVE]
        return changed

    def _step(self, pair: SimOco) -> bool:
        """Move one pair on by what happened since it was last looked at; True if it moved."""
        engine = self.engine
        if pair.status == TRIGGERED:
            assert pair.placed_id is not None
            placed = engine.orders[pair.placed_id]
            if placed.is_open:
                return False
            ended = DONE if placed.status is OrderStatus.FILLED else CANCELLED
            pair.leg_status[1] = pair.status = ended
            return True
        if pair.status != NEW:
            return False
        leg = self.limit_leg(pair)
        if not leg.is_open:  # filled: the stop is not needed; canceled: not by the pair
            filled = leg.status is OrderStatus.FILLED
            pair.leg_status = [DONE if filled else CANCELLED, CANCELLED]
            pair.status = DONE if filled else CANCELLED
            return True
        tape = engine.trades[pair.symbol]
        hit = any(pair.reached(t.price) for t in tape[pair.tape_mark:])
        pair.tape_mark = len(tape)
        if hit:
            self._fire(pair, leg)
        return hit

    def _fire(self, pair: SimOco, leg: SimOrder) -> None:
        """The stop reached: the limit leg's rest canceled, a limit order for it placed."""
        engine = self.engine
        rest = leg.remaining
        engine.cancel(pair.account, leg.id)
        pair.leg_status[0] = CANCELLED
        try:
            placed = engine.place(pair.account, pair.symbol, pair.side, OrderType.LIMIT,
                                  amount=rest, price=pair.limit_price)
        except EngineError:  # refused (funds, a rest below the minimum): nothing works on
            pair.leg_status[1] = CANCELLED
            pair.status = CANCELLED
            return
        pair.placed_id = placed.id
        pair.leg_status[1] = TRIGGERED
        pair.status = TRIGGERED


_BOOKS: weakref.WeakKeyDictionary[Engine, OcoBook] = weakref.WeakKeyDictionary()


def oco_book(engine: Engine) -> OcoBook:
    """The OCO pairs of one engine (kept beside it, so that book.py need not know them)."""
    book = _BOOKS.get(engine)
    if book is None:
        book = _BOOKS[engine] = OcoBook(engine)
    return book


def _due(engine: Engine) -> bool:
    book = _BOOKS.get(engine)
    return book.run() if book is not None else False


__all__ = ["CANCELLED", "DONE", "LIVE", "NEW", "TRIGGERED", "OcoBook", "SimOco", "oco_book"]
