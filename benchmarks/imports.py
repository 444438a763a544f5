"""Scenario 5: import time in fresh interpreters (median of several), wall clock around the
import statement only, so interpreter start-up is not counted."""

from __future__ import annotations

import statistics
import subprocess
import sys
from typing import Any

from benchmarks import ccxt_side
from benchmarks.sizes import Sizes

SNIPPET = "import time; t = time.perf_counter(); {stmt}; print(time.perf_counter() - t)"
STATEMENTS = {
    "unified": "import unified",
    # The first connect discovers the venues and reads their specs (deferred until needed).
    "unified_connect": "import unified; unified.connect('kucoin')",
    "ccxt": "import ccxt.async_support",
}


def _time(stmt: str) -> float:
    out = subprocess.run([sys.executable, "-c", SNIPPET.format(stmt=stmt)], capture_output=True,
                         text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def run(sizes: Sizes, use_ccxt: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"runs": sizes.import_runs}
    for name, stmt in STATEMENTS.items():
        if name == "ccxt" and not (use_ccxt and ccxt_side.available()):
            out[name] = None
            continue
        _time(stmt)  # warm the file-system cache and the bytecode cache
        times = [_time(stmt) for _ in range(sizes.import_runs)]
        out[name] = {"median_ms": round(statistics.median(times) * 1000, 1),
                     "min_ms": round(min(times) * 1000, 1)}
    return out
