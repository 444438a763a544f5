"""`unified export --format parquet`: exact decimal128 columns and UTC times, the same records
as the CSV export; interrupted and resumed like the other formats; the data extra missing is
exit 2 naming it; a value that cannot be held is refused, never rounded."""

from __future__ import annotations

import csv
import json
import signal
import sys
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from unified.cli import main as cli_main
from unified.cli import parquet
from unified.cli.export import PAUSE_ENV
from unified.cli.rows import KINDS
from unified.errors import ConfigurationError

from ..cli.helpers import exited, read_until, spawn, unified_cmd

pq = pytest.importorskip("pyarrow.parquet")


def _csv_value(kind: str, text: str) -> Any:
    if text == "":
        return None
    if kind == "decimal":
        return Decimal(text)
    if kind == "timestamp":
        return datetime.fromisoformat(text)
    if kind == "bool":
        return text == "true"
    return text


@pytest.mark.parametrize(("kind", "args"), [
    ("fills", ("--venue", "kucoin", "--symbol", "BTC/USDT")),
    ("orders", ("--venue", "okcoinjp", "--symbol", "BTC/JPY")),
    ("ledger", ("--venue", "okcoinjp", "--currency", "JPY")),
    ("orders", ("--venue", "okex_v1", "--symbol", "ETH/BTC")),
])
def test_parquet_holds_exactly_what_the_csv_export_holds(kind: str, args: tuple[str, ...],
                                                          tmp_path: Path) -> None:
    common = ("export", kind, *args, "--page-size", "20", "--local")
    as_csv = unified_cmd(*common, "--out", str(tmp_path / "x.csv"))
    as_pq = unified_cmd(*common, "--out", str(tmp_path / "x.parquet"))
    assert as_csv.returncode == 0 and as_pq.returncode == 0, as_pq.stderr
    assert "(parquet, " in as_pq.stdout
    rows = list(csv.DictReader((tmp_path / "x.csv").read_text().splitlines()))
    table = pq.read_table(tmp_path / "x.parquet")
    assert table.column_names == list(KINDS[kind][1])
    for name in table.column_names:
        column_kind = parquet.kind_of(name)
        typ = str(table.schema.field(name).type)
        assert typ.startswith({"decimal": "decimal128(", "timestamp": "timestamp[us, tz=UTC]",
                               "bool": "bool", "string": "string"}[column_kind]), (name, typ)
        assert table.column(name).to_pylist() == [_csv_value(column_kind, r[name])
                                                  for r in rows], name
    assert len(rows) > 20


def test_an_interrupted_parquet_export_resumes_to_the_same_table(tmp_path: Path) -> None:
    args = ("export", "ledger", "--venue", "kucoin", "--page-size", "25", "--local")
    reference = tmp_path / "ref.parquet"
    assert unified_cmd(*args, "--out", str(reference)).returncode == 0
    out = tmp_path / "ledger.parquet"
    proc = spawn(*args, "--out", str(out), env={PAUSE_ENV: "checkpoint:3"})
    try:
        assert proc.stderr is not None
        read_until(proc.stderr, "paused after page")
        proc.send_signal(signal.SIGINT)
        err = exited(proc)
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode == 130, err
    assert not out.exists() and parquet.staging(out).exists()  # no half-written Parquet file
    resumed = unified_cmd(*args, "--out", str(out), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert pq.read_table(out).equals(pq.read_table(reference))
    again = unified_cmd(*args, "--out", str(out), "--resume")  # finished: a sync, 0 new
    assert again.returncode == 0 and "0 this run" in again.stdout
    assert pq.read_table(out).equals(pq.read_table(reference))
    refused = unified_cmd(*args, "--out", str(out))
    assert refused.returncode == 2 and "--force" in refused.stderr


def test_without_pyarrow_export_parquet_exits_2_naming_the_extra(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    out = tmp_path / "fills.parquet"
    code = cli_main(["export", "fills", "--venue", "kucoin", "--symbol", "BTC/USDT",
                          "--out", str(out), "--local"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert 'pip install "exchange-unified[data]"' in err and "pyarrow" in err
    assert not out.exists() and not parquet.staging(out).exists()


def test_a_value_parquet_cannot_hold_is_refused_not_rounded(tmp_path: Path) -> None:
    staged = tmp_path / "ledger.parquet.rows.jsonl"
    row = {"id": "1", "currency": "BTC", "amount": "0." + "1" * 39, "balance": None,
           "kind": "fee", "reference": None, "timestamp": "2024-03-01T09:10:00.000Z"}
    staged.write_text(json.dumps(row) + "\n")
    out = tmp_path / "ledger.parquet"
    with pytest.raises(ConfigurationError, match="'amount' needs 39 decimal digits"):
        parquet.write("ledger", staged, out)
    assert not out.exists()
