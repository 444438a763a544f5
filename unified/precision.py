"""A market's increments and minimums: the one check every venue's orders pass before sending,
and the rounding helpers that make a valid value (ex.price_to_precision / amount_to_precision).

Its own module because the rule is venue-neutral (the Market carries the steps) and is shared
by every way of placing an order.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal, InvalidOperation

from unified.arguments import positive_decimal
from unified.errors import ConfigurationError, InvalidOrder
from unified.models import Market


def on_step(name: str, value: Decimal, step: Decimal | None) -> bool:
    """Whether `value` is a whole multiple of `step` (no step: anything goes)."""
    if step is None or step <= 0:
        return True
    try:
        return value % step == 0
    except InvalidOperation:  # the quotient has more digits than any real order
        raise ConfigurationError(f"{name} {value} is out of range") from None


def round_to_step(name: str, value: Decimal, step: Decimal | None,
                  rounding: str = ROUND_DOWN) -> Decimal:
    """`value` rounded to a multiple of `step`, written with the step's decimals."""
    if step is None or step <= 0:
        return value
    try:
        steps = (value / step).to_integral_value(rounding=rounding)
        return (steps * step).quantize(step)
    except InvalidOperation:
        raise ConfigurationError(f"{name} {value} is out of range") from None


def to_step(name: str, value: Decimal, step: Decimal | None, rounding: str) -> Decimal:
    """A caller's positive `value` on the market's step (price_to_precision and kin)."""
    positive_decimal(name, value)
    return round_to_step(name, value, step, rounding)


def check_order(market: Market, venue: str, *, price: Decimal | None, amount: Decimal | None,
                cost: Decimal | None) -> None:
    """InvalidOrder naming the step or minimum an order misses; nothing has been sent."""
    def refuse(message: str) -> InvalidOrder:
        return InvalidOrder(f"{market.symbol}: {message}", venue=venue)

    if price is not None and not on_step("price", price, market.price_increment):
        raise refuse(f"price {price} is not a multiple of the price step "
                     f"{market.price_increment}")
    if amount is not None:
        if not on_step("amount", amount, market.amount_increment):
            raise refuse(f"amount {amount} is not a multiple of the amount step "
                         f"{market.amount_increment}")
        if amount < market.min_amount:
            raise refuse(f"amount {amount} is below the minimum amount {market.min_amount}")
    if cost is not None:  # a market buy's funds; venues apply min_cost to these
        if not on_step("cost", cost, market.cost_increment):
            raise refuse(f"cost {cost} is not a multiple of the cost step "
                         f"{market.cost_increment}")
        if market.min_cost is not None and cost < market.min_cost:
            raise refuse(f"cost {cost} is below the minimum cost {market.min_cost}")
