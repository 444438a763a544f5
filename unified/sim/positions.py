"""The derivatives book's records and arithmetic, venue-neutral: contract specs, positions,
contract fills, funding payments, and the exact value, PnL, margin and liquidation formulas.

Values are in the contract's settle currency:
- linear (quote-margined, e.g. BTC/USDT:USDT): value(n, P) = n * multiplier * P, in quote;
  unrealised PnL = s * (value(n, mark) - entry_value), s = +1 long, -1 short.
- inverse (coin-margined, e.g. BTC/USD:BTC; the multiplier is USD per contract):
  value(n, P) = n * |multiplier| / P, in base; unrealised PnL = s * (entry_value -
  value(n, mark)), i.e. n * |multiplier| * (1/entry - 1/mark) for a long.
A position keeps its entry value (the sum of its fills' values), not an average price: the
average entry price is derived from it (linear: entry_value / (n * multiplier); inverse:
n * |multiplier| / entry_value). Every money amount is on the spec's `money_step`, so that a
sum of amounts is exact (see unified.sim.derivatives for where money moves).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_UP, Decimal

import attrs

from unified.models import Liquidity, Side
from unified.sim.records import ZERO, SimMarket

LONG, SHORT = "long", "short"
#: the engine's own bookkeeping currencies of a contract market (see unit_currencies)
UNIT_MARK = "~"


@attrs.frozen
class ContractSpec:
    """One contract. `multiplier` is the base amount per contract on a linear contract and
    the quote (USD) amount per contract on an inverse one (its sign is ignored: some venues
    write it negative there). `funding_interval` None: a dated future (no funding)."""

    symbol: str  # unified, e.g. BTC/USDT:USDT or BTC/USD:BTC
    base: str
    quote: str
    settle: str
    multiplier: Decimal
    linear: bool = True
    max_leverage: Decimal = Decimal(100)
    maintenance_rate: Decimal = Decimal("0.004")
    funding_interval: timedelta | None = timedelta(hours=8)
    price_increment: Decimal = Decimal("0.1")
    lot: Decimal = Decimal(1)  # contracts step and minimum
    mid: Decimal = Decimal(100)  # the mark before any trade, quote or mid (a seeded book's centre)
    maker_fee: Decimal = ZERO
    taker_fee: Decimal = ZERO
    expiry: datetime | None = None
    money_step: Decimal = Decimal("0.00000001")

    def sim_market(self) -> SimMarket:
        """The engine market its orders match on: amounts in contracts, prices in quote; its
        base and quote are bookkeeping units (no fees: the derivatives book charges them)."""
        base, quote = unit_currencies(self.symbol)
        return SimMarket(self.symbol, base, quote, self.price_increment, self.lot, self.lot,
                         ZERO, self.mid, maker_fee=ZERO, taker_fee=ZERO)

    def money(self, amount: Decimal, rounding: str = ROUND_HALF_EVEN) -> Decimal:
        return amount.quantize(self.money_step, rounding)

    def value(self, contracts: Decimal, price: Decimal, rounding: str = ROUND_HALF_EVEN
              ) -> Decimal:
        """The settle-currency value of `contracts` (a size, >= 0) at `price`."""
        if self.linear:
            return self.money(contracts * self.multiplier * price, rounding)
        return self.money(contracts * abs(self.multiplier) / price, rounding)

    @property
    def direction(self) -> int:
        """+1 when value rises with the price (linear), -1 when it falls (inverse)."""
        return 1 if self.linear else -1


def unit_currencies(symbol: str) -> tuple[str, str]:
    """The engine wallet currencies that a contract market's orders hold while they are open
    (contracts, and contracts times price). They are the engine's bookkeeping only: the
    derivatives book mints them for a placement and burns them after, so their balance
    changes (BalanceChanged events) say nothing about money and a venue face ignores them."""
    return f"{symbol}{UNIT_MARK}contracts", f"{symbol}{UNIT_MARK}value"


def is_unit(currency: str) -> bool:
    return UNIT_MARK in currency


@attrs.define
class SimPosition:
    """One account's one-way position in one contract: `contracts` signed (> 0 long, < 0
    short). `margin` is the position's own (isolated) margin in the settle currency."""

    id: str
    account: str
    symbol: str
    settle: str
    contracts: Decimal
    entry_value: Decimal  # the settle value of |contracts| at their entry prices
    margin: Decimal
    leverage: Decimal  # of the last order that opened contracts
    opened_at: datetime
    updated_at: datetime
    realised_pnl: Decimal = ZERO  # reductions' PnL (a liquidation: minus the margin lost)
    funding: Decimal = ZERO  # funding received (+) or paid (-) through the margin
    fees: Decimal = ZERO
    closed_at: datetime | None = None
    close_price: Decimal | None = None
    liquidated: bool = False

    @property
    def side(self) -> str:
        return LONG if self.contracts > 0 else SHORT

    @property
    def sign(self) -> int:
        return 1 if self.contracts > 0 else -1

    @property
    def size(self) -> Decimal:
        return abs(self.contracts)

    @property
    def is_open(self) -> bool:
        return self.contracts != 0


@attrs.frozen
class ContractFill:
    """One fill of a contract order, as the derivatives book settled it (the engine's own
    SimFill of it has price and contracts too, but its fee is in bookkeeping units)."""

    seq: int  # the engine fill's seq
    trade_id: int
    order_id: str
    account: str
    symbol: str
    side: Side
    price: Decimal
    contracts: Decimal
    value: Decimal  # settle currency
    fee: Decimal
    fee_currency: str
    fee_rate: Decimal
    liquidity: Liquidity
    closed: Decimal  # contracts of it that reduced a position
    opened: Decimal  # contracts of it that opened or increased one
    realised_pnl: Decimal
    at: datetime


@attrs.frozen
class FundingPayment:
    """One position's funding at one funding time: `amount` received (+) or paid (-)."""

    account: str
    symbol: str
    position_id: str
    at: datetime  # the funding time
    rate: Decimal
    mark: Decimal
    contracts: Decimal  # signed, then
    value: Decimal
    amount: Decimal


@attrs.frozen
class FuturesAccount:
    """One account's futures money in one settle currency (what an account overview says):
    equity = wallet + position margins + unrealised PnL; available = what a new order or a
    withdrawal can use; the wallet is available + order margin."""

    currency: str
    equity: Decimal
    wallet: Decimal
    available: Decimal
    order_margin: Decimal
    position_margin: Decimal
    unrealised_pnl: Decimal

    @property
    def margin_balance(self) -> Decimal:
        """The wallet with the positions' margin: what the overview calls marginBalance and
        the wallet push walletBalance."""
        return self.wallet + self.position_margin


# ---------------------------------------------------------------- formulas


def unrealised(spec: ContractSpec, position: SimPosition, mark: Decimal) -> Decimal:
    if not position.is_open:
        return ZERO
    now = spec.value(position.size, mark)
    return position.sign * spec.direction * (now - position.entry_value)


def maintenance(spec: ContractSpec, position: SimPosition, mark: Decimal) -> Decimal:
    return spec.money(spec.value(position.size, mark) * spec.maintenance_rate, ROUND_UP)


def entry_price(spec: ContractSpec, position: SimPosition) -> Decimal | None:
    if not position.is_open or position.entry_value == 0:
        return None
    if spec.linear:
        price = position.entry_value / (position.size * spec.multiplier)
    else:
        price = position.size * abs(spec.multiplier) / position.entry_value
    return price.quantize(Decimal(1)) if price == price.to_integral_value() else \
        price.normalize()


def liquidation_price(spec: ContractSpec, position: SimPosition) -> Decimal | None:
    """The mark at which equity (margin + unrealised PnL) meets the maintenance margin, on the
    price step (rounded towards the position: a long's up, a short's down); None if no
    positive price does (e.g. a long with margin >= its entry value)."""
    if not position.is_open:
        return None
    s, m, v, mmr = position.sign, position.margin, position.entry_value, spec.maintenance_rate
    if spec.linear:
        k = position.size * spec.multiplier
        price = (s * v - m) / (k * (s - mmr))
    else:
        c = position.size * abs(spec.multiplier)
        denominator = m + s * v
        if denominator == 0:
            return None
        price = c * (mmr + s) / denominator
    if price <= 0:
        return None
    step = spec.price_increment
    return (price / step).quantize(Decimal(1), ROUND_UP if s > 0 else ROUND_DOWN) * step


def share(amount: Decimal, part: Decimal, whole: Decimal, spec: ContractSpec) -> Decimal:
    """`amount` * part / whole on the money step (all of it when part is the whole)."""
    return amount if part == whole else spec.money(amount * part / whole)


__all__ = ["LONG", "SHORT", "ContractFill", "ContractSpec", "FundingPayment", "FuturesAccount",
           "SimPosition", "entry_price", "is_unit", "liquidation_price", "maintenance",
           "share", "unit_currencies", "unrealised"]
