"""Scenario 6: peak traced memory while walking N closed orders with iter_closed_orders,
only counting them. A streaming walk's peak does not grow with N.

The local venue runs in a child process (benchmarks.memhost) so only the client is traced.
"""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
import time
import tracemalloc
from typing import Any

from benchmarks.local import client
from benchmarks.sizes import Sizes
from unified import registry
from unified.sim.server import default_credentials

SYMBOL = "BTC/USDT"


async def walk(count: int) -> dict[str, Any]:
    host = subprocess.Popen([sys.executable, "-m", "benchmarks.memhost", str(count)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert host.stdout is not None
        base_url = (await asyncio.to_thread(host.stdout.readline)).strip()
        if not base_url:
            raise RuntimeError("the local venue did not start")
        ex = client("kucoin", base_url, default_credentials(registry.get("kucoin").spec))
        try:
            await ex.load_markets()
            gc.collect()
            tracemalloc.start()
            started = time.perf_counter()
            seen = 0
            async for _ in ex.iter_closed_orders(SYMBOL):
                seen += 1
            elapsed = time.perf_counter() - started
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        finally:
            await ex.close()
        assert seen == count, f"walked {seen} of {count}"
        return {"orders": count, "peak_kib": round(peak / 1024, 1),
                "walk_s": round(elapsed, 2)}
    finally:
        if host.stdin is not None:
            host.stdin.close()
        try:
            host.wait(timeout=30)
        except subprocess.TimeoutExpired:
            host.kill()
            host.wait()


async def run(sizes: Sizes) -> dict[str, Any]:
    rows = [await walk(n) for n in sizes.memory_counts]
    low, high = rows[0]["peak_kib"], rows[-1]["peak_kib"]
    return {"walks": rows, "peak_growth": round(high / low, 2) if low else None}
