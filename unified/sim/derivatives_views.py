"""The derivatives book's reading side, venue-neutral: the mark and index prices, funding
rates and their history, positions with what the mark makes of them, contract fills and an
account's futures money (the book itself is unified.sim.derivatives).
"""

from __future__ import annotations

from decimal import Decimal

import attrs

from unified.sim.book import Engine
from unified.sim.derivatives_settle import Settler
from unified.sim.funding import Funding, FundingRecord, FundingState
from unified.sim.positions import (
    ContractFill,
    ContractSpec,
    FundingPayment,
    FuturesAccount,
    SimPosition,
    entry_price,
    liquidation_price,
    maintenance,
    unrealised,
)
from unified.sim.records import ZERO, EngineError


@attrs.define
class ContractOrder:
    """What the book keeps of a contract order beside the engine's SimOrder."""

    order_id: str
    account: str
    symbol: str
    leverage: Decimal
    reduce_only: bool
    requested: Decimal  # contracts asked for (a reduce-only order may be trimmed)
    hold: Decimal = ZERO  # margin and fees still held in the settle currency


@attrs.frozen
class PositionView:
    """A position with what the mark makes of it (what a position answer shows)."""

    position: SimPosition
    mark: Decimal
    value: Decimal  # at the mark
    entry_price: Decimal | None
    unrealised_pnl: Decimal
    maintenance_margin: Decimal
    liquidation_price: Decimal | None


class Views(Settler):
    """The derivatives book's queries and price settings (its second base class)."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.orders: dict[str, ContractOrder] = {}
        self._live: list[ContractOrder] = []  # open orders, oldest first
        self.funding = Funding()
        self.marks: dict[str, Decimal] = {}
        self.indexes: dict[str, Decimal] = {}

    def spec(self, symbol: str) -> ContractSpec:
        try:
            return self.specs[symbol]
        except KeyError:
            raise EngineError("unknown_symbol", f"contract {symbol} does not exist") from None

    def run(self) -> bool:
        """Bring the book up to date (DerivativesBook.run)."""
        raise NotImplementedError

    # ---------------------------------------------------------------- the mark, funding

    def mark(self, symbol: str) -> Decimal:
        """The mark price: as set, else the last trade, else the book's mid, else spec.mid."""
        spec = self.spec(symbol)
        if symbol in self.marks:
            return self.marks[symbol]
        trades = self.engine.trades[symbol]
        if trades:
            return trades[-1].price
        bids, asks = self.engine.depth(symbol, 1)
        if bids and asks:
            return (bids[0][0] + asks[0][0]) / 2
        return spec.mid

    def set_mark(self, symbol: str, price: Decimal | None) -> None:
        """Fix the mark (None: back to the default), then liquidate what it sinks."""
        self.spec(symbol)
        if price is None:
            self.marks.pop(symbol, None)
        elif price <= 0:
            raise EngineError("invalid", "a mark price is positive")
        else:
            self.marks[symbol] = price
        self.run()

    def index(self, symbol: str) -> Decimal:
        """The index price: as set (set_index), else the mark (informational only)."""
        return self.indexes.get(symbol) or self.mark(symbol)

    def set_index(self, symbol: str, price: Decimal) -> None:
        """Fix the index (a test's or driver's setting); a price of 0 or below is a
        ValueError, so nothing is ever derived from a non-positive index."""
        self.spec(symbol)
        if not price > 0:
            raise ValueError(f"an index price must be above 0, not {price}")
        self.indexes[symbol] = price

    def funding_rate(self, symbol: str) -> FundingState:
        """rate (charged next), predicted, next_at, period_start, history (oldest first)."""
        self.spec(symbol)
        return self.funding.state(symbol)

    def set_funding_rate(self, symbol: str, rate: Decimal, predicted: Decimal | None = None
                         ) -> None:
        self.spec(symbol)
        self.run()  # funding times already reached are charged at the rate they had
        self.funding.set_rate(symbol, rate, predicted)

    def funding_history(self, symbol: str) -> list[FundingRecord]:
        """Settled funding times of `symbol`, newest first."""
        return self.funding.history(symbol)

    def funding_payments(self, account: str, symbol: str | None = None
                         ) -> list[FundingPayment]:
        """The account's funding payments, newest first."""
        return [p for p in reversed(self.payments)
                if p.account == account and (symbol is None or p.symbol == symbol)]

    # ---------------------------------------------------------------- positions, accounts

    def position(self, account: str, symbol: str) -> SimPosition | None:
        """The account's open position in `symbol`, None when flat."""
        self.spec(symbol)
        return self.open_positions.get((account, symbol))

    def positions(self, account: str) -> list[SimPosition]:
        """The account's open positions, by symbol."""
        return sorted((p for p in self.open_positions.values() if p.account == account),
                      key=lambda p: p.symbol)

    def closed_positions(self, account: str, symbol: str | None = None) -> list[SimPosition]:
        """The account's closed (and liquidated) positions, newest first."""
        return [p for p in reversed(self.closed) if p.account == account
                and (symbol is None or p.symbol == symbol)]

    def view(self, position: SimPosition) -> PositionView:
        spec, mark = self.spec(position.symbol), self.mark(position.symbol)
        return PositionView(position, mark, spec.value(position.size, mark),
                            entry_price(spec, position), unrealised(spec, position, mark),
                            maintenance(spec, position, mark),
                            liquidation_price(spec, position))

    def fills(self, account: str, symbol: str | None = None) -> list[ContractFill]:
        """The account's contract fills as settled (fees in the settle currency), newest
        first."""
        return [f for f in reversed(self.contract_fills)
                if f.account == account and (symbol is None or f.symbol == symbol)]

    def account(self, account: str, currency: str) -> FuturesAccount:
        """The account's futures money in one settle currency (see FuturesAccount)."""
        wallet = self.engine.wallet(account, currency)
        order_margin = sum((o.hold for o in self._live if o.account == account
                            and self.specs[o.symbol].settle == currency), ZERO)
        mine = [p for p in self.positions(account) if p.settle == currency]
        margin = sum((p.margin for p in mine), ZERO)
        pnl = sum((unrealised(self.specs[p.symbol], p, self.mark(p.symbol)) for p in mine),
                  ZERO)
        return FuturesAccount(currency, wallet.available + order_margin + margin + pnl,
                              wallet.available + order_margin, wallet.available,
                              order_margin, margin, pnl)


__all__ = ["ContractOrder", "PositionView", "Views"]
