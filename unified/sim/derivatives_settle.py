"""Where the derivatives book's money moves, venue-neutral: a fill's opening and reducing
parts, fees, funding payments and liquidations (the book itself is unified.sim.derivatives).

Money lives in three places, and their sum per settle currency is constant (`money()`):
- the engine wallets (the futures account of each account: `available`, and `held` for open
  orders' margin; the venue's fees land in VENUE_ACCOUNT's wallet as the engine's do),
- each open position's isolated `margin`,
- the venue's insurance account (`insurance`): the counterparty of every realised PnL, every
  funding payment and every liquidation. It starts at 0 and may go below it while winners
  have closed before losers; it gains what liquidated positions leave behind and loses what
  a bankrupt position could not pay.
Every movement below is written as its two sides, so nothing is created or lost:
- opening n contracts at P: margin = value(n, P) / leverage, from the wallet's available
  (the order's hold for them was given back into available just before);
- reducing r of n contracts at P: the position's entry value and margin go down by r/n;
  PnL = s * d * (value(r, P) - entry share) is paid by (or to) the insurance; the released
  margin plus the PnL goes to the wallet; a loss beyond the released margin is taken from
  the position's remaining margin, and what even that cannot cover is the insurance's loss
  (isolated margin: an account never loses more than a position's margin; the realised PnL
  recorded is that capped loss, what left the account);
- a fee (value * the maker or taker rate) from the wallet's available, then from the
  position's margin, any rest forgiven: it goes to the venue's fee wallet; a negative rate
  is a rebate: the venue's fee wallet pays it into the wallet's available (that fee wallet
  may go below 0 when it has paid more rebates than it took in fees);
- funding: paid from the position's margin (at most all of it) to the insurance, received
  from the insurance into the margin;
- liquidation: the position is closed at the mark and its whole margin goes to the
  insurance (its realised PnL records the margin lost).
"""

from __future__ import annotations

import itertools
import weakref
from datetime import datetime
from decimal import ROUND_UP, Decimal

from unified.models import Side
from unified.sim.book import VENUE_ACCOUNT, Engine, SimFill
from unified.sim.positions import (
    ContractFill,
    ContractSpec,
    FundingPayment,
    SimPosition,
    maintenance,
    share,
    unrealised,
)
from unified.sim.records import ZERO


class Settler:
    """The money moves of one engine's derivatives book (its base class)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = weakref.ref(engine)  # the book lives beside the engine, not in it
        self.specs: dict[str, ContractSpec] = {}
        self.open_positions: dict[tuple[str, str], SimPosition] = {}
        self.closed: list[SimPosition] = []  # in the order they closed
        self.insurance: dict[str, Decimal] = {}
        self.contract_fills: list[ContractFill] = []
        self.payments: list[FundingPayment] = []
        self._position_ids = itertools.count(1)

    @property
    def engine(self) -> Engine:
        engine = self._engine()
        assert engine is not None, "a derivatives book outlived its engine"
        return engine

    def _insure(self, currency: str, amount: Decimal) -> None:
        self.insurance[currency] = self.insurance.get(currency, ZERO) + amount

    def _give(self, account: str, currency: str, amount: Decimal, kind: str, ref: str) -> None:
        if amount:
            self.engine._move(account, currency, amount, ZERO, "trade")
            self.engine._record(account, currency, amount, kind, ref)

    def _take(self, account: str, currency: str, amount: Decimal, kind: str, ref: str
              ) -> Decimal:
        """Up to `amount` from the wallet's available; what was taken."""
        taken = max(ZERO, min(amount, self.engine.wallet(account, currency).available))
        self._give(account, currency, -taken, kind, ref)
        return taken

    # ---------------------------------------------------------------- fills

    def settle_fill(self, fill: SimFill, leverage: Decimal, fee_rate: Decimal) -> ContractFill:
        """One engine fill of a contract order applied to its account's position."""
        spec = self.specs[fill.symbol]
        key = (fill.account, fill.symbol)
        position = self.open_positions.get(key)
        sign = 1 if fill.side is Side.BUY else -1
        closed = pnl = ZERO
        if position is not None and position.sign != sign:
            closed = min(position.size, fill.amount)
            pnl = self._reduce(position, spec, closed, fill.price, fill.order_id)
        opened = fill.amount - closed
        if opened:
            self._open(fill.account, spec, sign * opened, fill.price, leverage, fill.order_id)
        value = spec.value(fill.amount, fill.price)
        fee = spec.money(value * fee_rate)
        # the fee counts on the position the fill leaves open, else on the one it closed
        paid = self._fee(fill.account, spec, fee, fill.order_id,
                         self.open_positions.get(key) or position)
        done = ContractFill(fill.seq, fill.trade_id, fill.order_id, fill.account, fill.symbol,
                            fill.side, fill.price, fill.amount, value, paid, spec.settle,
                            fee_rate, fill.liquidity, closed, opened, pnl, fill.at)
        self.contract_fills.append(done)
        return done

    def _open(self, account: str, spec: ContractSpec, contracts: Decimal, price: Decimal,
              leverage: Decimal, ref: str) -> None:
        value = spec.value(abs(contracts), price)
        margin = self._take(account, spec.settle, spec.money(value / leverage, ROUND_UP),
                            "margin", ref)
        now = self.engine.clock.now()
        key = (account, spec.symbol)
        position = self.open_positions.get(key)
        if position is None:
            position = self.open_positions[key] = SimPosition(
                f"p{next(self._position_ids):08d}", account, spec.symbol, spec.settle, ZERO,
                ZERO, ZERO, leverage, now, now)
        position.contracts += contracts
        position.entry_value += value
        position.margin += margin
        position.leverage = leverage
        position.updated_at = now

    def _reduce(self, position: SimPosition, spec: ContractSpec, contracts: Decimal,
                price: Decimal, ref: str) -> Decimal:
        """Close `contracts` of the position at `price`; its realised PnL: what the account
        gained or lost by it (a loss no more than the margin it had)."""
        size = position.size
        basis = share(position.entry_value, contracts, size, spec)
        released = share(position.margin, contracts, size, spec)
        pnl = position.sign * spec.direction * (spec.value(contracts, price) - basis)
        position.entry_value -= basis
        position.margin -= released
        position.contracts -= position.sign * contracts
        back = released + pnl
        if back >= 0:
            self._give(position.account, spec.settle, released, "margin", ref)
            self._give(position.account, spec.settle, pnl, "realised_pnl", ref)
        else:  # a loss past the released margin: the rest of the margin, then the insurance
            taken = min(-back, position.margin)
            position.margin -= taken
            pnl = -(released + taken)  # what left the account; the insurance pays the rest
        position.realised_pnl += pnl
        self._insure(spec.settle, -pnl)
        self._touch(position, price)
        return pnl

    def _fee(self, account: str, spec: ContractSpec, fee: Decimal, ref: str,
             position: SimPosition | None) -> Decimal:
        if fee < 0:  # a rebate (a negative rate): the venue pays it into the wallet
            self._give(account, spec.settle, -fee, "fee", ref)
            paid = fee
        else:
            paid = self._take(account, spec.settle, fee, "fee", ref)
        if paid < fee and position is not None and position.is_open:
            more = min(fee - paid, position.margin)
            position.margin -= more
            paid += more
        if position is not None:
            position.fees += paid
        self.engine.wallet(VENUE_ACCOUNT, spec.settle).available += paid
        return paid

    def _touch(self, position: SimPosition, price: Decimal) -> None:
        """After a change: a position with no contracts left is closed."""
        position.updated_at = now = self.engine.clock.now()
        if position.contracts == 0:
            self._insure(position.settle, position.margin)  # nothing left when the books agree
            position.margin = ZERO
            position.closed_at, position.close_price = now, price
            del self.open_positions[(position.account, position.symbol)]
            self.closed.append(position)

    # ---------------------------------------------------------------- funding, liquidation

    def settle_funding(self, symbol: str, at: datetime, rate: Decimal, mark: Decimal) -> None:
        """One funding time: each open position on `symbol` pays or receives value * rate."""
        spec = self.specs[symbol]
        for position in [p for p in self.open_positions.values() if p.symbol == symbol]:
            value = spec.value(position.size, mark)
            owed = position.sign * spec.money(value * rate)  # > 0: the position pays
            moved = min(owed, position.margin) if owed > 0 else owed
            position.margin -= moved
            position.funding -= moved
            self._insure(spec.settle, moved)
            self.payments.append(FundingPayment(position.account, symbol, position.id, at,
                                                rate, mark, position.contracts, value, -moved))

    def underwater(self, position: SimPosition, mark: Decimal) -> bool:
        """Whether equity (margin + unrealised PnL at the mark) is below maintenance."""
        spec = self.specs[position.symbol]
        return position.margin + unrealised(spec, position, mark) < maintenance(
            spec, position, mark)

    def liquidate(self, position: SimPosition, mark: Decimal) -> None:
        """Close the position at the mark; its whole margin goes to the insurance."""
        position.realised_pnl -= position.margin
        position.entry_value = ZERO
        position.contracts = ZERO
        position.liquidated = True
        self._touch(position, mark)

    # ---------------------------------------------------------------- totals

    def money(self, currency: str) -> Decimal:
        """Engine wallets + open positions' margins + the insurance account, in `currency`:
        constant under trading, funding, mark moves and liquidations."""
        total = sum((w[currency].total for w in self.engine.wallets.values() if currency in w),
                    ZERO)
        total += sum((p.margin for p in self.open_positions.values()
                      if p.settle == currency), ZERO)
        return total + self.insurance.get(currency, ZERO)


__all__ = ["Settler"]
