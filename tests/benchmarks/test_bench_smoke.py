"""The benchmark command runs every scenario (tiny sizes, ccxt left out) and writes them all.

Timings are not asserted: speed is measured by `python -m benchmarks`, never in a test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = {"kucoin_calls", "walk", "decode", "imports", "memory", "other_venues", "streams",
             "ws_orders"}


def test_every_scenario_runs_and_is_written(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--tiny", "--no-ccxt", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert "Traceback" not in done.stderr and "Unclosed" not in done.stderr, done.stderr[-3000:]
    results = json.loads(out.read_text())
    s = results["scenarios"]
    assert set(s) == SCENARIOS
    assert results["machine"]["cores"] and results["machine"]["python"]

    for op in ("fetch_ticker", "fetch_order"):
        call = s["kucoin_calls"][op]
        assert call["floor"]["median_us"] > 0 and call["unified"]["median_us"] > 0
        assert call["ccxt"] is None and call["overhead_us"]["ccxt"] is None
    walk = s["walk"]
    assert walk["orders"] == 250 and walk["requests"] == 3  # 100 + 100 + 50
    assert walk["walk"]["unified"]["median_ms"] > 0 and walk["page"]["ccxt"] is None
    decoded = s["decode"]["orders_per_s"]
    assert decoded["unified"] > 0 and decoded["ccxt"] is None
    assert s["imports"]["unified"]["median_ms"] > 0 and s["imports"]["ccxt"] is None
    assert [w["orders"] for w in s["memory"]["walks"]] == [200, 400]
    ws = s["ws_orders"]
    for name in ("ws_create", "ws_cancel", "rest_create", "rest_cancel"):
        assert ws[name]["median_us"] > 0 and ws[name]["n"] >= 10
    assert ws["orders_per_s"]["ws"] > 0 and ws["orders_per_s"]["rest"] > 0
    assert all(w["peak_kib"] > 0 for w in s["memory"]["walks"])
    for venue in ("okcoinjp", "okex_v1"):
        assert s["other_venues"][venue]["fetch_order"]["unified"]["median_us"] > 0

    streams = s["streams"]
    assert streams["feed"]["frames"] == 2000 and streams["feed"]["removals"] > 0
    assert streams["feed"]["price_zero_rows"] > 0
    assert streams["agree"] == {"unified": [], "ccxt": None}  # unified's book is the model's
    per_s = streams["throughput"]["frames_per_s"]
    assert per_s["unified"] > 0 and per_s["unified_whole_book"] > 0 and per_s["ccxt"] is None
    assert streams["throughput"]["unified_over_ccxt"] is None
    assert 0 < streams["latency"]["median_us"] <= streams["latency"]["p99_us"]
    assert len(streams["memory"]["samples_kib"]) == 5 and streams["memory"]["first_kib"] > 0
    assert streams["json"]["frames_per_s"]["stdlib_decimal"] > 0
    assert streams["json"]["chosen"] in ("msgspec", "stdlib")

    goals = {t["goal"]: t for t in results["targets"]}
    assert goals["fetch_ticker: overhead <= 1/3 of ccxt's"]["met"] is None  # no ccxt: n/a
    assert goals["level2 frames/s (top-20 book) >= 3x ccxt.pro's"]["met"] is None
    table = done.stdout
    for label in ("1 kucoin fetch_ticker", "2 kucoin fetch_order", "3 walk 250", "4 decode 200",
                  "5 import", "6 peak memory", "7 okcoinjp", "7 okex_v1", "9 level2 1,992 frames",
                  "9 frame -> book latency", "9 memory over", "9 JSON decode",
                  "9 final books vs the feed's model"):
        assert label in table, table
    assert "n/a" in table
