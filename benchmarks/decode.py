"""Scenario 4: decode throughput over KuCoin order objects of the recorded shape.

The bytes (one JSON array) are built once. Contenders, from the same bytes: json.loads alone
(the floor); unified's JSON reader (exact Decimals) plus the adapter's order decoder; json.loads
plus ccxt's parse_order. The decoders alone, over already-parsed objects, are timed as well.
"""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import adapters.kucoin
from benchmarks import ccxt_side
from benchmarks.local import client, running
from benchmarks.sizes import Sizes
from unified import convert
from unified.venue import Context

EXAMPLE = Path(adapters.kucoin.__file__).parent / "examples" / "get_api_v1_hf_orders_orderId.json"
SYMBOL = "BTC/USDT"


def order_objects(count: int) -> list[dict[str, Any]]:
    """The recorded order, varied: ids, client ids and times; filled, canceled and open."""
    recorded = json.loads(EXAMPLE.read_text())["response"]["data"]
    out = []
    for i in range(count):
        o = dict(recorded)
        o["id"] = f"{0x6717422b00000000 + i:024x}"
        o["clientOid"] = f"c{i:023d}"
        o["createdAt"] = recorded["createdAt"] + i
        o["lastUpdatedAt"] = recorded["lastUpdatedAt"] + i
        if i % 3 == 1:  # canceled untouched
            o.update(dealSize="0", dealFunds="0", fee="0", remainFunds="0",
                     cancelledSize=o["size"], cancelledFunds=o["funds"], cancelExist=True)
        elif i % 3 == 2:  # open
            o.update(dealSize="0", dealFunds="0", fee="0", remainSize=o["size"],
                     remainFunds=o["funds"], active=True, inOrderBook=True)
        out.append(o)
    return out


def _best(reps: int, fn: Callable[[], Any]) -> float:
    """Median seconds over `reps` runs (GC collected before each, results dropped)."""
    times = []
    for _ in range(reps):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
        del result
    times.sort()
    return times[len(times) // 2]


async def run(sizes: Sizes, use_ccxt: bool) -> dict[str, Any]:
    n = sizes.decode_orders
    blob = json.dumps(order_objects(n), separators=(",", ":")).encode()
    async with running("kucoin") as sim:  # markets, loaded the way each client loads them
        ex = client("kucoin", sim.base_url, sim.credentials)
        try:
            markets = await ex.load_markets()
        finally:
            await ex.close()
        cx = await ccxt_side.kucoin(sim.base_url, sim.credentials) if use_ccxt else None
    ctx = Context("kucoin", ex.tables, markets, {m.venue_symbol: m for m in markets.values()})
    decode = ex.adapter.endpoints["iter_closed_orders"].decode
    exact = convert.loads(blob)
    plain = json.loads(blob)
    check = decode(ctx, exact[0])
    assert check.symbol == SYMBOL and check.id == exact[0]["id"]

    secs: dict[str, float | None] = {
        "floor": _best(sizes.decode_reps, lambda: json.loads(blob)),
        "unified": _best(sizes.decode_reps,
                         lambda: [decode(ctx, o) for o in convert.loads(blob)]),
        "unified_decoder_only": _best(sizes.decode_reps, lambda: [decode(ctx, o) for o in exact]),
        "ccxt": None, "ccxt_decoder_only": None,
    }
    if cx is not None:
        try:
            market = cx.market(SYMBOL)
            assert cx.parse_order(plain[0], market)["id"] == plain[0]["id"]
            secs["ccxt"] = _best(sizes.decode_reps,
                                 lambda: [cx.parse_order(o, market) for o in json.loads(blob)])
            secs["ccxt_decoder_only"] = _best(
                sizes.decode_reps, lambda: [cx.parse_order(o, market) for o in plain])
        finally:
            await cx.close()
    per_s = {k: (round(n / v) if v else None) for k, v in secs.items()}
    us = {k: (round(v / n * 1e6, 2) if v else None) for k, v in secs.items()}
    out: dict[str, Any] = {"orders": n, "bytes": len(blob), "orders_per_s": per_s,
                           "us_per_order": us}
    out["unified_over_ccxt"] = _x(per_s["unified"], per_s["ccxt"])
    out["unified_over_ccxt_decoder_only"] = _x(per_s["unified_decoder_only"],
                                               per_s["ccxt_decoder_only"])
    return out


def _x(a: int | None, b: int | None) -> float | None:
    return round(a / b, 2) if a and b else None
