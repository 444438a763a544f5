"""Contracts <-> base amounts for derivatives markets (DESIGN 3c), venue-neutral.

On a derivatives venue order and position amounts are counts of contracts. A linear
contract (margined in the quote, e.g. USDT) is worth `contract_size` of the base each, so
the base amount is contracts x size at any price. An inverse contract (margined in the base,
e.g. BTC/USD:BTC) is worth `contract_size` of the quote each, so its base amount depends on
the price: contracts x size / price. Spot markets are their own unit (1 : 1).
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from unified.arguments import positive_decimal
from unified.errors import ConfigurationError
from unified.models import Market, MarketKind


def _size(market: Market) -> Decimal | None:
    if not isinstance(market, Market):
        raise ConfigurationError(f"market must be a Market, got {type(market).__name__}")
    if market.kind is MarketKind.SPOT:
        return None
    if market.contract_size is None or market.contract_size <= 0:
        raise ConfigurationError(f"{market.symbol} has no contract size")
    return market.contract_size


def _price(market: Market, price: Decimal | None) -> Decimal:
    if price is None:
        raise ConfigurationError(f"{market.symbol} is an inverse contract: pass price=")
    checked = positive_decimal("price", price)
    assert checked is not None
    return checked


def _amount(name: str, value: Decimal) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise ConfigurationError(f"{name} must be a Decimal, got {type(value).__name__}")
    exact = Decimal(value)
    if not exact.is_finite() or exact < 0:
        raise ConfigurationError(f"{name} must be a finite Decimal >= 0, got {value!r}")
    return exact


def to_base(market: Market, contracts: Decimal, price: Decimal | None = None) -> Decimal:
    """The base amount of `contracts` (exact); an inverse contract needs the price."""
    size = _size(market)
    count = _amount("contracts", contracts)
    if size is None:
        return count
    if market.linear is False:
        return count * size / _price(market, price)
    return count * size


def to_quote(market: Market, contracts: Decimal, price: Decimal | None = None) -> Decimal:
    """The quote value of `contracts` (an inverse contract's is its face value)."""
    size = _size(market)
    count = _amount("contracts", contracts)
    if size is None or market.linear is not False:
        return to_base(market, count) * _price(market, price)
    return count * size


def to_contracts(market: Market, amount: Decimal, price: Decimal | None = None,
                 rounding: str = ROUND_DOWN) -> Decimal:
    """How many whole lots (the market's amount_increment) `amount` of the base is, rounded
    down unless told; an inverse contract needs the price."""
    size = _size(market)
    base = _amount("amount", amount)
    if size is None:
        return base
    exact = base * _price(market, price) / size if market.linear is False else base / size
    step = market.amount_increment
    return (exact / step).to_integral_value(rounding=rounding) * step
