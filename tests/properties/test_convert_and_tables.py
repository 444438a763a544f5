"""Converters are exact and strict; spec tables are total and round-trip."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unified import registry
from unified.convert import from_iso, from_ms, loads, to_decimal, to_iso_ms, to_ms
from unified.errors import DecodeError
from unified.models import OrderStatus, Side
from unified.tables import SymbolCodec, Tables

SPECS = {reg.spec.name: reg.spec for reg in registry.venues().values()}
#: the specs whose symbols follow their format both ways (a contract venue's ids are named by
#: its loaded markets: the format there is only the perpetual pattern)
FORMATTED = sorted(n for n, spec in SPECS.items() if not spec.capability("derivatives"))


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_decimals_round_trip_exactly_through_json(value: Decimal) -> None:
    assert to_decimal(loads(f'{{"v": "{value}"}}')["v"]) == value
    if value == value.to_integral_value() or "E" not in str(value):
        assert to_decimal(loads(f'{{"v": {value}}}')["v"]) == value


@given(st.floats(allow_nan=True) | st.booleans() | st.none() | st.lists(st.integers()))
def test_floats_and_other_types_are_refused(value: object) -> None:
    with pytest.raises(DecodeError):
        to_decimal(value)


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-inf", "abc", "", "1,5"])
def test_non_numbers_are_refused(text: str) -> None:
    with pytest.raises(DecodeError):
        to_decimal(text)
    with pytest.raises(DecodeError):
        loads('{"v": NaN}')


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                    timezones=st.just(UTC)))
def test_times_round_trip(moment: datetime) -> None:
    moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    assert from_ms(to_ms(moment)) == moment
    assert from_iso(to_iso_ms(moment)) == moment
    assert from_ms(str(to_ms(moment))).tzinfo is not None


@pytest.mark.parametrize("name", sorted(SPECS))
def test_tables_are_total(name: str) -> None:
    tables = Tables(SPECS[name])
    for side in Side:
        assert tables.sides.decode(tables.sides.encode(side)) is side
    assert set(tables.status.forward.values()) >= {OrderStatus.OPEN, OrderStatus.CANCELED,
                                                   OrderStatus.FILLED}
    for venue_value in tables.status.forward:
        assert isinstance(tables.status.decode(venue_value), OrderStatus)
    with pytest.raises(DecodeError):
        tables.status.decode("surely-not-a-status")
    with pytest.raises(DecodeError):
        tables.sides.decode("sideways")


symbols = st.tuples(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=8),
                    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=5))


@pytest.mark.parametrize("name", FORMATTED)
@given(pair=symbols)
def test_symbols_round_trip(name: str, pair: tuple[str, str]) -> None:
    codec = SymbolCodec(SPECS[name].symbol_format, SPECS[name].symbol_case)
    symbol = f"{pair[0]}/{pair[1]}"
    assert codec.to_unified(codec.to_venue(symbol)) == symbol


@pytest.mark.parametrize("name", sorted(SPECS))
def test_error_rows_map_to_known_classes(name: str) -> None:
    tables = Tables(SPECS[name])
    for row in SPECS[name].errors:
        if row.code is None or row.message is not None:
            continue
        error = tables.errors.classify(http_status=row.http_status or 200, code=row.code,
                                       message="")
        assert type(error).__name__ == row.error


def test_an_empty_optional_number_or_flag_is_absent_whatever_its_shape() -> None:
    import attrs

    from unified.convert import structure
    from unified.errors import DecodeError

    @attrs.frozen
    class Row:
        size: int | None = None
        active: bool | None = None

    for empty in (None, ""):
        assert structure({"size": empty, "active": empty}, Row) == Row()
    for meaningful in ({}, [], "abc", 1.5):
        with pytest.raises(DecodeError):
            structure({"size": meaningful}, Row)
