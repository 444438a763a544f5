"""The venue-neutral derivatives core: contract conversions and contract order arguments."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unified import ConfigurationError, Market, MarketKind, OrderType, Side, StopPriceType
from unified.contract_orders import closing_amount, contract_fields
from unified.contracts import to_base, to_contracts, to_quote
from unified.derivative_models import PositionSide

D = Decimal


def market(kind: MarketKind = MarketKind.SWAP, size: str | None = "0.001",
           linear: bool | None = True) -> Market:
    return Market(symbol="BTC/USDT:USDT" if linear is not False else "BTC/USD:BTC",
                  venue_symbol="X", base="BTC", quote="USDT" if linear is not False else "USD",
                  price_increment=D("0.1"), amount_increment=D(1), min_amount=D(1),
                  min_cost=None, active=True, kind=kind,
                  settle=None if kind is MarketKind.SPOT else "USDT",
                  contract_size=None if size is None else D(size), linear=linear)


SPOT = Market(symbol="BTC/USDT", venue_symbol="BTC-USDT", base="BTC", quote="USDT",
              price_increment=D("0.1"), amount_increment=D("0.00001"), min_amount=D("0.00001"),
              min_cost=None, active=True)


def test_linear_contracts_are_size_times_count_at_any_price() -> None:
    m = market()
    assert to_base(m, D(25)) == D("0.025")
    assert to_quote(m, D(25), D("30000")) == D("750.000")
    assert to_contracts(m, D("0.0259")) == D(25)  # whole lots, rounded down


def test_inverse_contracts_need_the_price() -> None:
    m = market(size="1", linear=False)  # 1 USD a contract
    assert to_base(m, D(300), D("30000")) == D("0.01")
    assert to_quote(m, D(300)) == D(300)  # its face value
    assert to_contracts(m, D("0.01"), D("30000")) == D(300)
    with pytest.raises(ConfigurationError, match="inverse"):
        to_base(m, D(1))


def test_spot_is_its_own_unit_and_bad_input_is_typed() -> None:
    assert to_base(SPOT, D("0.5")) == D("0.5")
    with pytest.raises(ConfigurationError):
        to_base(market(), D("-1"))
    with pytest.raises(ConfigurationError):
        to_base(market(), 1.5)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="contract size"):
        to_base(market(size=None), D(1))


@given(st.integers(min_value=0, max_value=10**9))
def test_contracts_round_trip_through_base(n: int) -> None:
    m = market(size="0.01")
    assert to_contracts(m, to_base(m, D(n))) == D(n)


def test_contract_fields_default_leverage_only_where_required_and_opening() -> None:
    m = market()
    opened = contract_fields(m, None, False, False, None, False, True)
    assert opened == {"leverage": D(1), "reduce_only": False, "close_order": False,
                      "stop_price_type": None}
    assert contract_fields(m, None, True, False, None, False, True)["leverage"] is None
    assert contract_fields(m, None, False, False, None, False, False)["leverage"] is None
    assert contract_fields(m, D(5), False, False, StopPriceType.MARK, True, True) == {
        "leverage": D(5), "reduce_only": False, "close_order": False,
        "stop_price_type": StopPriceType.MARK}


@pytest.mark.parametrize("kwargs", [
    {"leverage": D(2)}, {"reduce_only": True}, {"close_position": True},
    {"stop_price_type": StopPriceType.INDEX, "is_stop": True},
])
def test_contract_arguments_on_spot_are_refused(kwargs: dict[str, object]) -> None:
    args: dict[str, object] = {"leverage": None, "reduce_only": False, "close_position": False,
                               "stop_price_type": None, "is_stop": False,
                               "leverage_required": False, **kwargs}
    with pytest.raises(ConfigurationError, match="spot market"):
        contract_fields(SPOT, **args)  # type: ignore[arg-type]
    assert contract_fields(SPOT, None, False, False, None, False, True) == {}


def test_bad_contract_arguments_are_typed_errors() -> None:
    m = market()
    with pytest.raises(ConfigurationError):
        contract_fields(m, D(0), False, False, None, False, True)
    with pytest.raises(ConfigurationError):
        contract_fields(m, None, "yes", False, None, False, True)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="StopPriceType"):
        contract_fields(m, None, False, False, "MP", True, True)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="stop orders"):
        contract_fields(m, None, False, False, StopPriceType.MARK, False, True)


def test_closing_a_position_takes_its_side_and_size() -> None:
    assert closing_amount(Side.SELL, OrderType.MARKET, None, PositionSide.LONG, D(7)) == D(7)
    assert closing_amount(Side.BUY, OrderType.LIMIT, D(3), PositionSide.SHORT, D(3)) == D(3)
    with pytest.raises(ConfigurationError, match="no open position"):
        closing_amount(Side.SELL, OrderType.MARKET, None, None, D(0))
    with pytest.raises(ConfigurationError, match="sell order"):
        closing_amount(Side.BUY, OrderType.MARKET, None, PositionSide.LONG, D(7))
    with pytest.raises(ConfigurationError, match="reduce_only"):
        closing_amount(Side.SELL, OrderType.MARKET, D(2), PositionSide.LONG, D(7))
