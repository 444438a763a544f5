"""`unified plot fills|ledger|candles`: a valid PNG, and the plotted series (`--data`) exactly
what the exported history says, computed here independently."""

from __future__ import annotations

import csv
import sys
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from unified.cli import main as cli_main

from ..cli.helpers import unified_cmd

pytest.importorskip("matplotlib")
PNG = b"\x89PNG\r\n\x1a\n"


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text().splitlines()))


def _plot(tmp_path: Path, *args: str) -> tuple[Path, list[dict[str, str]], str]:
    png, data = tmp_path / "chart.png", tmp_path / "chart.csv"
    result = unified_cmd("plot", *args, "--out", str(png), "--data", str(data), "--local")
    assert result.returncode == 0, result.stderr
    assert png.read_bytes().startswith(PNG) and png.stat().st_size > 5000
    assert not list(tmp_path.glob("*.tmp"))
    return png, _rows(data), result.stdout


def _export(tmp_path: Path, *args: str) -> list[dict[str, str]]:
    out = tmp_path / "history.csv"
    result = unified_cmd("export", *args, "--out", str(out), "--local")
    assert result.returncode == 0, result.stderr
    return _rows(out)


def test_plot_fills_is_the_cumulative_pnl_of_the_exported_fills(tmp_path: Path) -> None:
    _, plotted, stdout = _plot(tmp_path, "fills", "--venue", "kucoin", "--symbol", "BTC/USDT")
    fills = _export(tmp_path, "fills", "--venue", "kucoin", "--symbol", "BTC/USDT")
    fills.sort(key=lambda r: r["timestamp"])  # the export is newest first; times are distinct
    cash = position = Decimal(0)
    expected = []
    for f in fills:
        sign = 1 if f["side"] == "buy" else -1
        position += sign * Decimal(f["amount"])
        cash -= sign * Decimal(f["cost"])
        if f["fee_currency"] == "USDT":
            cash -= Decimal(f["fee"])
        elif f["fee_currency"] == "BTC":
            position -= Decimal(f["fee"])
        expected.append((f["id"], cash + position * Decimal(f["price"])))
    assert [(p["fill_id"], Decimal(p["pnl"])) for p in plotted] == expected
    assert len(expected) > 50
    assert f"final {expected[-1][1]} USDT" in stdout


@pytest.mark.parametrize(("venue", "currency"), [("okcoinjp", "JPY"), ("kucoin", "USDT")])
def test_plot_ledger_is_the_balance_after_each_entry(venue: str, currency: str,
                                                     tmp_path: Path) -> None:
    _, plotted, _ = _plot(tmp_path, "ledger", "--venue", venue, "--currency", currency)
    entries = _export(tmp_path, "ledger", "--venue", venue, "--currency", currency)
    assert {p["entry_id"] for p in plotted} == {e["id"] for e in entries}
    assert [p["timestamp"] for p in plotted] == sorted(p["timestamp"] for p in plotted)
    if all(e["balance"] for e in entries):  # the venue tells each balance: plotted as told
        told = {e["id"]: Decimal(e["balance"]) for e in entries}
        assert all(Decimal(p["balance"]) == told[p["entry_id"]] for p in plotted)
    else:  # no balances: the running sum of the amounts
        assert Decimal(plotted[-1]["balance"]) == sum(Decimal(e["amount"]) for e in entries)


def test_plot_ledger_of_every_currency_is_a_panel_each(tmp_path: Path) -> None:
    _, plotted, stdout = _plot(tmp_path, "ledger", "--venue", "kucoin")
    assert len({p["currency"] for p in plotted}) > 1 and "currencies" in stdout


def test_plot_candles_marks_the_fills_in_their_span(tmp_path: Path) -> None:
    _, plotted, stdout = _plot(tmp_path, "candles", "--venue", "kucoin", "--symbol",
                               "BTC/USDT", "--timeframe", "15m", "--limit", "20")
    candles = [p for p in plotted if p["kind"] == "candle"]
    marks = [p for p in plotted if p["kind"] == "fill"]
    assert 0 < len(candles) <= 20
    start = datetime.fromisoformat(candles[0]["timestamp"])
    end = datetime.fromisoformat(candles[-1]["timestamp"]) + timedelta(minutes=15)
    fills = _export(tmp_path, "fills", "--venue", "kucoin", "--symbol", "BTC/USDT")
    inside = sorted((f["timestamp"], f["side"], Decimal(f["price"])) for f in fills
                    if start <= datetime.fromisoformat(f["timestamp"]) < end)
    assert inside  # the local history has fills in these candles
    got = sorted((m["timestamp"], m["side"], Decimal(m["price"])) for m in marks)
    assert [(datetime.fromisoformat(t), s, p) for t, s, p in got] == \
        [(datetime.fromisoformat(t), s, p) for t, s, p in inside]
    assert all(Decimal(c["low"]) <= min(Decimal(c["open"]), Decimal(c["close"]))
               for c in candles)
    assert f"{len(marks)} fills marked" in stdout


def test_plot_candles_of_a_venue_without_fills_history(tmp_path: Path) -> None:
    _, plotted, stdout = _plot(tmp_path, "candles", "--venue", "okex_v1", "--symbol",
                               "ETH/BTC")
    assert plotted and "0 fills marked" in stdout


def test_plot_refuses_what_it_cannot_draw(tmp_path: Path) -> None:
    out = str(tmp_path / "x.png")
    no_symbol = unified_cmd("plot", "fills", "--venue", "kucoin", "--out", out, "--local")
    assert no_symbol.returncode == 2 and "needs --symbol" in no_symbol.stderr
    empty = unified_cmd("plot", "fills", "--venue", "kucoin", "--symbol", "BTC/USDT",
                        "--since", "2030-01-01", "--out", out, "--local")
    assert empty.returncode == 2 and "no fills" in empty.stderr
    assert not Path(out).exists()


def test_without_matplotlib_plot_exits_2_naming_the_extra(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    out = tmp_path / "pnl.png"
    code = cli_main(["plot", "fills", "--venue", "kucoin", "--symbol", "BTC/USDT", "--out",
                     str(out), "--local"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert 'matplotlib is not installed' in err
    assert 'pip install "exchange-unified[data]"' in err
    assert not out.exists()
