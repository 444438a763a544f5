"""Scenario 8: placing and canceling an order, round trip and requests per call.

A resting limit buy well below the market, then its cancel, each timed on its own; the local
venue counts every request it receives (SimVenue.requests), so "requests per create" is what a
bot pays in round trips, not an estimate. No floor here: a create cannot be replayed byte for
byte (each one carries a fresh client order id).
"""

from __future__ import annotations

import time
from typing import Any

from benchmarks.sizes import Sizes
from benchmarks.stats import summarize
from unified import OrderType, Side
from unified.client import Exchange
from unified.sim.server import SimVenue


def _sent(sim: SimVenue) -> int:
    return sum(sim.requests.values())


async def round_trips(ex: Exchange, sim: SimVenue, symbol: str, amount: Any, price: Any,
                      rounds: int, warmup: int) -> dict[str, Any]:
    """create_order and cancel_order of resting orders: medians, p90s, requests per call."""
    clock = time.perf_counter
    times: dict[str, list[float]] = {"create_order": [], "cancel_order": []}
    requests: dict[str, int] = {"create_order": 0, "cancel_order": 0}
    for i in range(warmup + rounds):
        before, start = _sent(sim), clock()
        order = await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, amount, price)
        placed, middle = _sent(sim), clock()
        await ex.cancel_order(order.id, symbol)
        end = clock()
        if i >= warmup:
            times["create_order"].append(middle - start)
            times["cancel_order"].append(end - middle)
            requests["create_order"] += placed - before
            requests["cancel_order"] += _sent(sim) - placed
    return {op: {"unified": summarize(times[op]).as_json(),
                 "requests_per_call": round(requests[op] / rounds, 2)} for op in times}


def rounds_for(venue_id: str, sizes: Sizes) -> int:
    # Each round places an order: fewer rounds than the read-only calls.
    return max(sizes.call_rounds if venue_id == "kucoin" else sizes.venue_rounds, 10) // 2
