"""`python -m benchmarks [--quick] [--json PATH] [--no-ccxt]`: every scenario, one table."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import (
    calls,
    ccxt_side,
    decode,
    imports,
    machine,
    memory,
    report,
    streams,
    walk,
    ws_orders,
)
from benchmarks.sizes import FULL, QUICK, TINY, Sizes

DEFAULT_JSON = Path(__file__).resolve().parent / "results.json"


async def run_all(sizes: Sizes, use_ccxt: bool, log: Any = None) -> dict[str, Any]:
    """Every scenario; the results dict that is printed and written as JSON."""

    def step(name: str) -> None:
        if log is not None:
            print(f"... {name}", file=log, flush=True)

    scenarios: dict[str, Any] = {}
    step("1-2 kucoin fetch_ticker / fetch_order")
    scenarios["kucoin_calls"] = await calls.run_kucoin(sizes, use_ccxt)
    step(f"3 walk {sizes.walk_orders:,} closed orders")
    scenarios["walk"] = await walk.run(sizes, use_ccxt)
    step(f"4 decode {sizes.decode_orders:,} orders")
    scenarios["decode"] = await decode.run(sizes, use_ccxt)
    step("5 import time")
    scenarios["imports"] = await asyncio.to_thread(imports.run, sizes, use_ccxt)
    step("6 memory " + ", ".join(f"{n:,}" for n in sizes.memory_counts))
    scenarios["memory"] = await memory.run(sizes)
    step("7 other venues")
    scenarios["other_venues"] = await calls.run_other_venues(sizes)
    step(f"9 level2 stream, {sizes.stream_frames:,} frames")
    scenarios["streams"] = await streams.run(sizes, use_ccxt)
    step("10 kucoin orders over the WebSocket order API vs REST")
    scenarios["ws_orders"] = await ws_orders.run(sizes)
    results: dict[str, Any] = {
        "machine": machine.describe(),
        "sizes": sizes.name,
        "ccxt": use_ccxt,
        "scenarios": scenarios,
    }
    results["targets"] = report.targets(results)
    return results


async def run_streams(sizes: Sizes, use_ccxt: bool) -> dict[str, Any]:
    """Scenario 9 alone (`--only streams`): its results, rows and targets."""
    results: dict[str, Any] = {"machine": machine.describe(), "sizes": sizes.name,
                               "ccxt": use_ccxt,
                               "scenarios": {"streams": await streams.run(sizes, use_ccxt)}}
    out: list[dict[str, Any]] = []
    report.stream_targets(results["scenarios"]["streams"], lambda goal, value, met: out.append(
        {"goal": goal, "value": value, "met": met}))
    results["targets"] = out
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="a smoke run (about a minute)")
    size.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)  # the smoke test
    parser.add_argument("--json", type=Path, default=None, metavar="PATH",
                        help=f"where to write the results (default {DEFAULT_JSON.name})")
    parser.add_argument("--no-ccxt", action="store_true", help="leave ccxt out even if installed")
    parser.add_argument("--only", choices=["streams"],
                        help="one scenario alone; written only where --json says")
    args = parser.parse_args(argv)
    if args.json is None and not args.only:
        args.json = DEFAULT_JSON
    sizes = TINY if args.tiny else QUICK if args.quick else FULL
    use_ccxt = not args.no_ccxt and ccxt_side.available()
    if not use_ccxt and not args.no_ccxt:
        print("ccxt is not installed (pip install -e '.[bench]'): its columns read n/a",
              file=sys.stderr)
    started = time.perf_counter()
    results = asyncio.run(run_streams(sizes, use_ccxt) if args.only
                          else run_all(sizes, use_ccxt, log=sys.stderr))
    results["elapsed_s"] = round(time.perf_counter() - started, 1)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    print(f"machine: {report.machine_text(results['machine'])}")
    print(f"sizes: {sizes.name}; medians; floor = bare aiohttp + json.loads\n")
    print(report.table(results) if not args.only else report._render(
        [["scenario", "unit", "floor", "unified", "ccxt", "notes"],
         *report.stream_rows(results["scenarios"]["streams"])]))
    print("\ntargets:")
    print(report.targets_text(results["targets"]))
    where = f"written to {args.json}" if args.json is not None else "not written"
    print(f"\n{where} in {results['elapsed_s']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
