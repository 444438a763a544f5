"""A local venue's derivatives, venue-neutral: perpetual swaps and dated futures, linear and
inverse, on the engine's own matching (`derivatives_book(engine)`).

Orders in contracts match in the engine's book like any order (price-time priority, IOC,
FOK, post-only, the tape, depth and events all as for spot): a contract's engine market
(ContractSpec.sim_market) counts amounts in contracts and holds bookkeeping units while an
order is open (unified.sim.positions.unit_currencies: minted for the placement, burnt after;
a venue face ignores their balance events). This book reads the engine's fills by position,
as the OCO book reads the tape, and settles them in the settle currency: positions, margin,
fees, realised PnL (unified.sim.derivatives_settle says where money moves).

Rules enforced here:
- one-way positions per account and symbol: the sign of `contracts` is the side; a fill
  against the position reduces it first, and what is left of the fill opens the other way;
- isolated margin: opening n contracts at P puts value(n, P) / leverage into the position's
  margin; an order that is not reduce-only holds that margin (plus the fee at the higher of
  the maker and taker rate) from the wallet while open, for the contracts it cannot reduce
  when placed, priced as it would fill now (the book it crosses, then its limit price);
- leverage: required to open, 0 < leverage <= the spec's max_leverage;
- reduce-only: refused when the account has no position that the order's side reduces, or
  when its other open reduce-only orders already cover the position; otherwise trimmed to
  what is left to reduce (the order's amount says what was accepted). At each due run an
  open reduce-only order is trimmed (a partial cancel) to what the position still allows,
  oldest first, and canceled when there is nothing to reduce;
- the mark: set by a test or personality (`set_mark`), else the last trade, else the book's
  mid, else the spec's `mid`;
- funding at each funding time on the engine clock (unified.sim.funding), once each;
- liquidation at a due run when a position's equity (margin + unrealised PnL at the mark)
  is below its maintenance margin (value at the mark * maintenance_rate): the account's open
  orders on the symbol are canceled, the position is closed at the mark and its margin goes
  to the insurance account.
Not enforced: cross margin, risk-limit tiers, auto-deposit of margin, settlement of a dated
future at expiry, a mark or index that moves by itself; a reduce-only order that a plain
order of the same account overtakes within one matching step may open the difference.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from decimal import ROUND_UP, Decimal

from unified.clock import Clock
from unified.models import Liquidity, OrderType, Side, TimeInForce
from unified.sim.book import Engine, SimOrder
from unified.sim.derivatives_views import ContractOrder, PositionView, Views
from unified.sim.funding import FundingRecord
from unified.sim.order_ops import amend
from unified.sim.positions import (
    ContractSpec,
    is_unit,
    unit_currencies,
)
from unified.sim.records import ZERO, EngineError
from unified.sim.triggers import due_work

Pieces = list[tuple[Decimal, Decimal]]  # (price, contracts) in the order they would fill


class DerivativesBook(Views):
    """One engine's contracts (`derivatives_book(engine)`); its due job settles fills,
    trims reduce-only orders, charges funding and liquidates."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self._fill_mark = len(engine.fills)
        due_work(engine).add("derivatives", _due)

    def add(self, spec: ContractSpec) -> None:
        """Register a contract; the engine must have its market (spec.sim_market(): see
        contract_engine)."""
        market = self.engine.market(spec.symbol)
        if not is_unit(market.base):
            raise EngineError("invalid", f"{spec.symbol} is not a contract market")
        self.specs[spec.symbol] = spec
        if spec.funding_interval is not None:
            self.funding.add(spec.symbol, spec.funding_interval, self.engine.clock.now())

    # ---------------------------------------------------------------- orders

    def place(self, account: str, symbol: str, side: Side, type: OrderType,
              contracts: Decimal, price: Decimal | None = None, *,
              leverage: Decimal | None = None, reduce_only: bool = False,
              client_id: str | None = None, time_in_force: TimeInForce = TimeInForce.GTC,
              post_only: bool = False, id: str | None = None) -> SimOrder:
        """Place a contract order (`contracts` a multiple of the spec's lot; `price` for a
        limit order). Refusals are EngineErrors: invalid (leverage, sizes, reduce-only with
        nothing to reduce), insufficient_funds (margin), duplicate_client_id. Returns the
        engine's order (its amount in contracts; a reduce-only one perhaps trimmed), already
        matched and settled."""
        spec = self.spec(symbol)
        engine = self.engine
        self.run()
        requested = contracts
        if reduce_only:
            contracts = self._reduce_room(account, spec, side, contracts)
            position = self.open_positions[(account, symbol)]
            leverage = position.leverage
        elif leverage is None or not 0 < leverage <= spec.max_leverage:
            raise EngineError("invalid", f"leverage must be above 0 and at most "
                                         f"{spec.max_leverage}")
        engine._validate(engine.market(symbol), side, type, contracts, price, None)
        if client_id and (account, client_id) in engine.by_client_id:
            raise EngineError("duplicate_client_id", f"client order id {client_id} already used")
        hold = ZERO if reduce_only else self._margin_hold(account, spec, side, type,
                                                          contracts, price, leverage)
        if engine.wallet(account, spec.settle).available < hold:
            raise EngineError("insufficient_funds", f"{spec.settle} balance insufficient")
        engine._move(account, spec.settle, -hold, hold, "hold")
        unit, units = self._units(spec, side, type, contracts, price)
        engine.wallet(account, unit).available += units
        try:
            order = engine.place(account, symbol, side, type, amount=contracts, price=price,
                                 time_in_force=time_in_force, post_only=post_only,
                                 client_id=client_id, id=id)  # a fired stop keeps its id
        except EngineError:
            engine.wallet(account, unit).available -= units
            engine._move(account, spec.settle, hold, -hold, "release")
            raise
        meta = ContractOrder(order.id, account, symbol, leverage, reduce_only, requested, hold)
        self.orders[order.id] = meta
        self._live.append(meta)
        self.run()
        return order

    def cancel(self, account: str, order_id: str) -> SimOrder:
        """Cancel an open contract order (its margin hold is given back)."""
        order = self.engine.cancel(account, order_id)
        self.run()
        return order

    def _reduce_room(self, account: str, spec: ContractSpec, side: Side, contracts: Decimal
                     ) -> Decimal:
        position = self.open_positions.get((account, spec.symbol))
        if position is None or position.sign == (1 if side is Side.BUY else -1):
            raise EngineError("invalid", "a reduce-only order would open or increase a "
                                         "position")
        covered = sum((self.engine.orders[o.order_id].remaining for o in self._live
                       if o.account == account and o.symbol == spec.symbol and o.reduce_only),
                      ZERO)
        room = position.size - covered
        if room <= 0:
            raise EngineError("invalid", "open reduce-only orders already cover the position")
        return min(contracts, room)

    def _pieces(self, symbol: str, side: Side, type: OrderType, contracts: Decimal,
                price: Decimal | None) -> Pieces:
        """How the order would fill now: the book it crosses, then its limit price."""
        bids, asks = self.engine.depth(symbol, 1_000_000)
        pieces: Pieces = []
        left = contracts
        for level, size in asks if side is Side.BUY else bids:
            crosses = price is None or (level <= price if side is Side.BUY else level >= price)
            if left <= 0 or not crosses:
                break
            take = min(left, size)
            pieces.append((level, take))
            left -= take
        if left > 0 and type is OrderType.LIMIT and price is not None:
            pieces.append((price, left))
        return pieces

    def _margin_hold(self, account: str, spec: ContractSpec, side: Side, type: OrderType,
                     contracts: Decimal, price: Decimal | None, leverage: Decimal) -> Decimal:
        """Margin and fees for the contracts the order would open (those past what it can
        reduce of the position now), priced as it would fill now."""
        skip = self._reducible(account, spec.symbol, side)
        hold = ZERO
        for level, size in self._pieces(spec.symbol, side, type, contracts, price):
            skipped = min(skip, size)
            skip -= skipped
            hold += _hold_for(spec, size - skipped, level, leverage)
        return hold

    def _reducible(self, account: str, symbol: str, side: Side, pending: bool = True
                   ) -> Decimal:
        """What an order on `side` can reduce of the position (less what the account's
        open orders on that side may reduce first, if `pending`)."""
        position = self.open_positions.get((account, symbol))
        if position is None or position.sign == (1 if side is Side.BUY else -1):
            return ZERO
        ahead = sum((o.remaining for o in self.engine.open_orders(account, symbol)
                     if o.side is side), ZERO) if pending else ZERO
        return max(ZERO, position.size - ahead)

    def _units(self, spec: ContractSpec, side: Side, type: OrderType, contracts: Decimal,
               price: Decimal | None) -> tuple[str, Decimal]:
        """The bookkeeping units the engine will hold for the order (exactly its hold)."""
        base, quote = unit_currencies(spec.symbol)
        if side is Side.SELL:
            return base, contracts
        if type is OrderType.LIMIT and price is not None:
            return quote, price * contracts
        return quote, sum((p * q for p, q in self._pieces(spec.symbol, side, type, contracts,
                                                            None)), ZERO)

    # ---------------------------------------------------------------- due work

    def run(self) -> bool:
        """Settle what the engine did since the last run, then what the clock and the mark
        say (funding, liquidations), until nothing changes; True if anything did."""
        changed = False
        while self._step():
            changed = True
        return changed

    def _step(self) -> bool:
        changed = self._settle_fills()
        changed = self._release_finished() or changed
        changed = self._trim_reduce_only() or changed
        changed = self._charge_funding() or changed
        return self._liquidate() or changed

    def _settle_fills(self) -> bool:
        engine = self.engine
        fills = engine.fills[self._fill_mark:]
        self._fill_mark = len(engine.fills)
        for fill in fills:
            spec = self.specs.get(fill.symbol)
            if spec is None:
                continue
            meta = self.orders.get(fill.order_id)
            leverage = meta.leverage if meta else Decimal(1)
            if meta and meta.hold:  # what was held for the contracts it opens comes back
                opened = fill.amount - self._reducible(fill.account, fill.symbol, fill.side,
                                                       pending=False)
                back = min(meta.hold, _hold_for(spec, opened, fill.price, leverage))
                meta.hold -= back
                engine._move(fill.account, spec.settle, back, -back, "release")
            rate = spec.maker_fee if fill.liquidity is Liquidity.MAKER else spec.taker_fee
            self.settle_fill(fill, leverage, rate)
            self._burn(fill.account, spec.symbol)
        return bool(fills)

    def _burn(self, account: str, symbol: str) -> None:
        for unit in unit_currencies(symbol):
            self.engine.wallet(account, unit).available = ZERO

    def _release_finished(self) -> bool:
        engine, changed = self.engine, False
        for meta in list(self._live):
            if engine.orders[meta.order_id].is_open:
                continue
            self._live.remove(meta)
            if meta.hold:
                back, meta.hold = meta.hold, ZERO
                engine._move(meta.account, self.specs[meta.symbol].settle, back, -back,
                             "release")
            self._burn(meta.account, meta.symbol)
            changed = True
        return changed

    def _trim_reduce_only(self) -> bool:
        engine, changed = self.engine, False
        used: dict[tuple[str, str], Decimal] = {}
        for meta in [m for m in self._live if m.reduce_only]:
            order = engine.orders[meta.order_id]
            position = self.open_positions.get((meta.account, meta.symbol))
            reduces = position is not None and position.sign != (
                1 if order.side is Side.BUY else -1)
            key = (meta.account, meta.symbol)
            room = position.size - used.get(key, ZERO) if position and reduces else ZERO
            if order.remaining <= room:
                used[key] = used.get(key, ZERO) + order.remaining
            elif room > 0:
                amend(engine, meta.account, order.id, order.filled + room)
                self._burn(meta.account, meta.symbol)  # the units it no longer holds
                used[key] = used.get(key, ZERO) + room
                changed = True
            else:
                engine.cancel(meta.account, order.id)
                changed = True
        return changed

    def _charge_funding(self) -> bool:
        now, changed = self.engine.clock.now(), False
        for symbol, state in self.funding.states.items():
            for at in state.due(now):
                mark = self.mark(symbol)
                self.settle_funding(symbol, at, state.rate, mark)
                state.history.append(FundingRecord(symbol, at, state.rate, mark))
                changed = True
        return changed

    def _liquidate(self) -> bool:
        changed = False
        for position in list(self.open_positions.values()):
            mark = self.mark(position.symbol)
            if self.underwater(position, mark):
                for order in self.engine.open_orders(position.account, position.symbol):
                    self.engine.cancel(position.account, order.id)
                self.liquidate(position, mark)
                changed = True
        return changed


def _hold_for(spec: ContractSpec, contracts: Decimal, price: Decimal, leverage: Decimal
              ) -> Decimal:
    """What opening `contracts` at `price` holds: margin, and the fee at the higher rate."""
    if contracts <= 0:
        return ZERO
    value = spec.value(contracts, price, ROUND_UP)
    rate = max(spec.maker_fee, spec.taker_fee, ZERO)  # a rebate is paid, never held
    return spec.money(value / leverage, ROUND_UP) + spec.money(value * rate, ROUND_UP)


_BOOKS: weakref.WeakKeyDictionary[Engine, DerivativesBook] = weakref.WeakKeyDictionary()


def derivatives_book(engine: Engine) -> DerivativesBook:
    """The contracts of one engine (kept beside it, so that book.py need not know them)."""
    book = _BOOKS.get(engine)
    if book is None:
        book = _BOOKS[engine] = DerivativesBook(engine)
    return book


def contract_engine(specs: Iterable[ContractSpec], clock: Clock | None = None, seed: int = 7
                    ) -> Engine:
    """An engine whose markets are these contracts, each registered in its derivatives book
    (a futures venue's engine: its wallets are the accounts' futures accounts)."""
    specs = list(specs)
    engine = Engine([s.sim_market() for s in specs], clock, seed)
    book = derivatives_book(engine)
    for spec in specs:
        book.add(spec)
    return engine


def _due(engine: Engine) -> bool:
    book = _BOOKS.get(engine)
    return book.run() if book is not None else False


__all__ = ["ContractOrder", "DerivativesBook", "PositionView", "contract_engine",
           "derivatives_book"]
