"""Scenario 10: KuCoin orders over the WebSocket order API vs REST, on the local twin.

One client, one local venue in this process. A round trip is a resting limit buy placed and
then canceled; the WebSocket connection is warmed (opened, authenticated) first, as a bot's
would be, and REST keeps its HTTP session alive, so both pay only per-order costs. The two
carriers alternate round by round so drift hits both alike. Then throughput: 50 creates in
flight at once over each carrier, orders per second over the batch.
"""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal
from typing import Any

from benchmarks.local import client, resting_order_args, running
from benchmarks.sizes import Sizes
from unified import OrderType, Side
from unified.client import Exchange

IN_FLIGHT = 50


def _percentiles(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1e6, 1)

    return {"median_us": at(0.5), "p99_us": at(0.99), "n": len(ordered)}


async def _round(ex: Exchange, ws: bool, symbol: str, amount: Decimal, price: Decimal
                 ) -> tuple[float, float]:
    clock = time.perf_counter
    start = clock()
    if ws:
        order = await ex.create_order_ws(symbol, OrderType.LIMIT, Side.BUY, amount, price)
    else:
        order = await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, amount, price)
    middle = clock()
    if ws:
        await ex.cancel_order_ws(order.id, symbol)
    else:
        await ex.cancel_order(order.id, symbol)
    return middle - start, clock() - middle


async def _batch(ex: Exchange, ws: bool, symbol: str, amount: Decimal, price: Decimal
                 ) -> float:
    """Orders per second with IN_FLIGHT creates at once (then all canceled, untimed)."""
    create = ex.create_order_ws if ws else ex.create_order
    start = time.perf_counter()
    orders = await asyncio.gather(*(create(symbol, OrderType.LIMIT, Side.BUY, amount, price)
                                    for _ in range(IN_FLIGHT)))
    elapsed = time.perf_counter() - start
    await asyncio.gather(*(ex.cancel_order(o.id, symbol) for o in orders))
    return IN_FLIGHT / elapsed


async def run(sizes: Sizes) -> dict[str, Any]:
    rounds = max(sizes.call_rounds // 4, 10)
    async with running("kucoin") as sim:
        symbol, amount, price = resting_order_args(sim)
        async with client("kucoin", sim.base_url, sim.credentials) as ex:
            await ex.load_markets()
            for ws in (True, False):  # warm both carriers
                await _round(ex, ws, symbol, amount, price)
            times: dict[str, list[float]] = {k: [] for k in
                                             ("ws_create", "ws_cancel", "rest_create",
                                              "rest_cancel")}
            for i in range(rounds):
                for ws in ((True, False) if i % 2 else (False, True)):
                    create, cancel = await _round(ex, ws, symbol, amount, price)
                    name = "ws" if ws else "rest"
                    times[f"{name}_create"].append(create)
                    times[f"{name}_cancel"].append(cancel)
            batches = {"ws": [], "rest": []}  # type: dict[str, list[float]]
            for i in range(max(sizes.call_rounds // 200, 2)):
                for ws in ((True, False) if i % 2 else (False, True)):
                    batches["ws" if ws else "rest"].append(
                        await _batch(ex, ws, symbol, amount, price))
    out: dict[str, Any] = {name: _percentiles(t) for name, t in times.items()}
    out["orders_per_s"] = {k: round(sorted(v)[len(v) // 2], 1) for k, v in batches.items()}
    out["in_flight"] = IN_FLIGHT
    ws_med, rest_med = out["ws_create"]["median_us"], out["rest_create"]["median_us"]
    out["create_rest_over_ws"] = round(rest_med / ws_med, 2) if ws_med else None
    return out
