"""A contract order's own arguments (DESIGN 3c): leverage, reduce-only, closing a position and
which price a stop watches. Checked here, before anything is sent, for every venue alike.

Amounts of contract orders are counts of contracts (unified.contracts converts). A venue that
needs a leverage to open a position (the spec's `leverage_required`) gets 1x when none is
given: the least exposure, never more than the caller asked for.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from unified.arguments import flag, positive_decimal
from unified.derivative_models import PositionSide, StopPriceType
from unified.errors import ConfigurationError
from unified.models import Market, MarketKind, OrderType, Side

DEFAULT_LEVERAGE = Decimal(1)


def contract_fields(market: Market, leverage: Decimal | None, reduce_only: bool,
                    close_position: bool, stop_price_type: StopPriceType | None,
                    is_stop: bool, leverage_required: bool) -> dict[str, Any]:
    """The encoder's contract args ({} on a spot market, where none may be given)."""
    reduce_only = flag("reduce_only", reduce_only)
    close_position = flag("close_position", close_position)
    leverage = positive_decimal("leverage", leverage, allow_none=True)
    if stop_price_type is not None and not isinstance(stop_price_type, StopPriceType):
        raise ConfigurationError(f"stop_price_type must be a StopPriceType, got "
                                 f"{stop_price_type!r}")
    if stop_price_type is not None and not is_stop:
        raise ConfigurationError("stop_price_type= is for stop orders (with stop_price=)")
    if market.kind is MarketKind.SPOT:
        if leverage is not None or reduce_only or close_position or stop_price_type:
            raise ConfigurationError(f"{market.symbol} is a spot market: leverage=, "
                                     "reduce_only=, close_position= and stop_price_type= are "
                                     "for contracts")
        return {}
    opening = not (reduce_only or close_position)
    if leverage is None and opening and leverage_required:
        leverage = DEFAULT_LEVERAGE
    return {"leverage": leverage, "reduce_only": reduce_only, "close_order": close_position,
            "stop_price_type": stop_price_type}


def closing_amount(side: Side, type: OrderType, amount: Decimal | None,
                   position_side: PositionSide | None, contracts: Decimal) -> Decimal:
    """close_position=True: the order closes the whole open position, so it is on the other
    side of it and its amount is the position's (the caller may leave amount None)."""
    if position_side is None or not contracts:
        raise ConfigurationError("close_position=True but there is no open position")
    closing = Side.SELL if position_side is PositionSide.LONG else Side.BUY
    if side is not closing:
        raise ConfigurationError(f"the position is {position_side.value}: closing it is a "
                                 f"{closing.value} order")
    if amount is not None and amount != contracts:
        raise ConfigurationError(f"close_position=True closes all {contracts} contracts; "
                                 f"leave amount None (or use reduce_only=True for part)")
    if type not in (OrderType.LIMIT, OrderType.MARKET):
        raise ConfigurationError("close_position takes a limit or market order")
    return contracts
