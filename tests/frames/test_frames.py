"""unified.frames: models and walks as pandas, polars and Arrow frames, exact by default; the
data extra missing is a ConfigurationError naming it; `import unified` stays light."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from unified import frames
from unified.errors import ConfigurationError
from unified.models import (
    Balance,
    Balances,
    BookLevel,
    Fee,
    Fill,
    LedgerEntry,
    Liquidity,
    OrderBook,
    Side,
    Ticker,
)

T0 = datetime(2024, 3, 1, 9, 7, 0, 123456, tzinfo=UTC)


def fill(i: int, side: Side, price: str, amount: str, fee: Fee | None = None) -> Fill:
    p, a = Decimal(price), Decimal(amount)
    return Fill(id=str(i), order_id=f"o{i}", symbol="BTC/USDT", side=side, price=p, amount=a,
                cost=p * a, fee=fee, liquidity=Liquidity.MAKER if fee else None,
                timestamp=T0 + timedelta(minutes=i))


FILLS = [fill(1, Side.BUY, "30014.9", "0.00003000",
              Fee(cost=Decimal("0.000899553000"), currency="USDT", rate=Decimal("0.001"))),
         fill(2, Side.SELL, "30000.00000001", "0.00001", Fee(cost=Decimal("0.0000001"),
                                                              currency="BTC")),
         fill(3, Side.SELL, "29999", "0.00002", Fee(cost=Decimal("0.01"), currency="KCS"))]


def ticker(last: str | None) -> Ticker:
    return Ticker(symbol="BTC/USDT", timestamp=T0, last=None if last is None else Decimal(last),
                  bid=Decimal("1.5"), ask=None, bid_size=None, ask_size=None, open=None,
                  high=None, low=None, base_volume=None, quote_volume=None)


def book(bid: str, ask: str) -> OrderBook:
    levels = (BookLevel(price=Decimal(bid), amount=Decimal("1")),
              BookLevel(price=Decimal(bid) - 1, amount=Decimal("2.5")))
    return OrderBook(symbol="BTC/USDT", timestamp=T0, bids=levels,
                     asks=(BookLevel(price=Decimal(ask), amount=Decimal("0.3")),), sequence=7)


def test_import_unified_and_frames_stays_light() -> None:
    code = ("import sys, unified, unified.frames, unified.cli.main\n"
            "heavy = [m for m in ('pyarrow', 'pandas', 'polars', 'matplotlib', 'numpy') "
            "if m in sys.modules]\nassert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_columns_come_from_the_model_types() -> None:
    cols = frames.columns(FILLS)
    assert cols.names == ["id", "order_id", "symbol", "side", "price", "amount", "cost",
                          "fee_cost", "fee_currency", "fee_rate", "liquidity", "timestamp"]
    assert cols.kinds["fee_rate"] == "decimal" and cols.kinds["timestamp"] == "timestamp"
    assert cols.values["side"] == ["buy", "sell", "sell"]
    assert cols.values["fee_rate"] == [Decimal("0.001"), None, None]


def test_pandas_holds_the_exact_decimals_and_utc_times() -> None:
    df = frames.to_pandas(FILLS)
    assert df["price"].dtype == object
    assert list(df["price"]) == [f.price for f in FILLS]
    assert all(isinstance(v, Decimal) for v in df["cost"])
    assert list(df["cost"]) == [f.cost for f in FILLS]  # Decimal("0.8995530000..."), exactly
    assert str(df["timestamp"].dtype) == "datetime64[us, UTC]"
    assert [t.to_pydatetime() for t in df["timestamp"]] == [f.timestamp for f in FILLS]


def test_polars_and_arrow_use_decimal_columns_sized_per_column() -> None:
    pl = pytest.importorskip("polars")
    table = frames.to_arrow(FILLS)
    assert str(table.schema.field("price").type) == "decimal128(13, 8)"  # 30000.00000001
    assert str(table.schema.field("fee_rate").type) == "decimal128(3, 3)"  # 0.001
    assert str(table.schema.field("timestamp").type) == "timestamp[us, tz=UTC]"
    assert table.column("cost").to_pylist() == [f.cost for f in FILLS]
    df = frames.to_polars(FILLS)
    assert df.schema["price"] == pl.Decimal(13, 8)
    assert df["price"].to_list() == [f.price for f in FILLS]
    assert df["timestamp"].to_list() == [f.timestamp for f in FILLS]


def test_floats_is_an_option() -> None:
    df = frames.to_pandas(FILLS, floats=True)
    assert str(df["price"].dtype) == "float64" and df["price"][0] == 30014.9
    assert frames.to_polars(FILLS, floats=True)["amount"].dtype.is_float()


def test_a_value_no_decimal128_holds_is_refused_not_rounded() -> None:
    assert frames.decimal_shape("x", [Decimal("1E+3"), Decimal("0.500"), None]) == (5, 1)
    widest = Decimal("9" * 20 + "." + "0" * 10 + "9" * 8)  # 38 digits: held exactly
    table = frames.to_arrow([fill(1, Side.BUY, str(widest), "1")])
    assert str(table.schema.field("price").type) == "decimal128(38, 18)"
    assert table.column("price").to_pylist() == [widest]
    huge = Decimal("1" * 20 + "." + "1" * 19)
    with pytest.raises(ConfigurationError, match=r"39 decimal digits.*refused"):
        frames.to_arrow([fill(1, Side.BUY, str(huge), "1")])
    with pytest.raises(ConfigurationError, match="not a finite number"):
        frames.decimal_shape("price", [Decimal("NaN")])


def test_walks_are_awaited_whole() -> None:
    async def walk() -> AsyncIterator[Fill]:
        for f in FILLS:
            yield f

    df = asyncio.run(frames.to_pandas_async(walk()))
    assert list(df["id"]) == ["1", "2", "3"]
    assert asyncio.run(frames.to_polars_async(walk())).height == 3
    assert asyncio.run(frames.to_arrow_async(walk())).num_rows == 3


def test_balances_and_ledger_entries() -> None:
    balances = Balances({"usdt": Balance(currency="USDT", total=Decimal("10.5"),
                                         available=Decimal("10"), held=Decimal("0.5"))})
    df = frames.to_pandas(balances)
    assert list(df["currency"]) == ["USDT"] and df["held"][0] == Decimal("0.5")
    entry = LedgerEntry(id="e", currency="JPY", amount=Decimal("-0.30014999"), balance=None,
                        kind="fee", reference=None, timestamp=T0)
    table = frames.to_arrow([entry])
    assert table.column("balance").to_pylist() == [None]
    assert table.column("amount").to_pylist() == [Decimal("-0.30014999")]


def test_one_kind_of_model_a_frame() -> None:
    with pytest.raises(ConfigurationError, match="mix"):
        frames.columns([FILLS[0], ticker("1")])
    with pytest.raises(ConfigurationError, match="unified models"):
        frames.columns([1, 2])
    assert len(frames.to_pandas([])) == 0


@pytest.mark.parametrize("backend", ["pandas", "polars", "arrow"])
def test_tickers_of_several_venues_are_one_frame(backend: Any) -> None:
    snap = frames.tickers_frame({"kucoin": ticker("30000.1"),
                                 "okcoinjp": {"BTC/USDT": ticker(None)},
                                 "okex_v1": [ticker("29999.99")]}, backend=backend)
    if backend == "pandas":
        assert list(snap["venue"]) == ["kucoin", "okcoinjp", "okex_v1"]
        assert list(snap["last"]) == [Decimal("30000.1"), None, Decimal("29999.99")]
    elif backend == "polars":
        assert snap["venue"].to_list() == ["kucoin", "okcoinjp", "okex_v1"]
        assert snap["last"].to_list() == [Decimal("30000.1"), None, Decimal("29999.99")]
    else:
        assert snap.column_names[0] == "venue"
        assert snap.column("bid").to_pylist() == [Decimal("1.5")] * 3


def test_books_of_several_venues_are_one_frame_a_row_per_level() -> None:
    df = frames.books_frame({"kucoin": book("30000", "30001"), "okcoinjp": book("4500000",
                                                                              "4500100")})
    assert list(df.columns) == ["venue", "symbol", "timestamp", "sequence", "side", "level",
                                "price", "amount"]
    assert list(df["venue"]) == ["kucoin"] * 3 + ["okcoinjp"] * 3
    assert list(df["side"]) == ["bid", "bid", "ask"] * 2
    assert list(df["level"]) == [0, 1, 0] * 2
    assert df["price"][3] == Decimal("4500000")
    top = frames.books_frame({"kucoin": book("30000", "30001")}, depth=1, backend="polars")
    assert top["price"].to_list() == [Decimal("30000"), Decimal("30001")]
    assert len(frames.to_pandas([book("1", "2")])) == 3  # a book alone: its levels


@pytest.mark.parametrize("module", ["pyarrow", "pandas", "polars"])
def test_a_missing_data_extra_is_a_configuration_error_naming_it(
        module: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # `import module` now fails
    make = {"pyarrow": frames.to_arrow, "pandas": frames.to_pandas,
            "polars": frames.to_polars}[module]
    with pytest.raises(ConfigurationError) as caught:
        make(FILLS)
    assert f"{module} is not installed" in str(caught.value)
    assert 'pip install "exchange-unified[data]"' in str(caught.value)


def test_pnl_series_marks_the_position_at_each_fill_and_counts_fees() -> None:
    (series,) = frames.pnl_series(reversed(FILLS)).values()  # newest first, as walks give
    assert [p.fill_id for p in series.points] == ["1", "2", "3"]
    cash = -FILLS[0].cost - Decimal("0.000899553000")
    position = FILLS[0].amount
    assert series.points[0].pnl == cash + position * FILLS[0].price
    cash += FILLS[1].cost
    position -= FILLS[1].amount + Decimal("0.0000001")  # a fee in the base currency
    assert series.points[1].position == position
    assert series.points[1].pnl == cash + position * FILLS[1].price
    cash += FILLS[2].cost
    position -= FILLS[2].amount
    assert series.points[2].pnl == cash + position * FILLS[2].price
    assert series.other_fees == {"KCS": Decimal("0.01")}


def test_balance_series_uses_the_venues_balance_or_adds_up_amounts() -> None:
    def entry(i: int, amount: str, balance: str | None, currency: str = "USDT") -> LedgerEntry:
        return LedgerEntry(id=str(i), currency=currency, amount=Decimal(amount),
                           balance=None if balance is None else Decimal(balance), kind="trade",
                           reference=None, timestamp=T0 + timedelta(seconds=i))

    series = frames.balance_series([entry(3, "-1", None), entry(2, "5", "105"),
                                    entry(1, "100", "100"), entry(4, "2", None, "BTC")])
    assert [(p.entry_id, p.balance) for p in series["USDT"]] == [
        ("1", Decimal("100")), ("2", Decimal("105")), ("3", Decimal("104"))]
    assert [p.balance for p in series["BTC"]] == [Decimal("2")]
