"""Scenarios 1, 2 and 7: one call's round trip, floor vs unified (vs ccxt on KuCoin); and
scenario 8 on each venue: creating and canceling an order (benchmarks/orders.py).

Every contender talks to the same local venue in this process; rounds interleave them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from benchmarks import ccxt_side
from benchmarks.floor import Capture, Replay, capture
from benchmarks.local import client, resting_order_args, running
from benchmarks.orders import round_trips, rounds_for
from benchmarks.sizes import Sizes
from benchmarks.stats import Call, Summary, interleaved, ratio
from unified import Order, OrderType, Side, Ticker, registry
from unified.client import Exchange
from unified.sim.server import SimVenue
from unified.transport import AiohttpTransport

OTHER_VENUES = ("okcoinjp", "okex_v1")


def call_result(summaries: dict[str, Summary | None]) -> dict[str, Any]:
    """Medians and p90s, each contender's overhead above the floor and the ratios."""
    floor = summaries["floor"]
    assert floor is not None
    out: dict[str, Any] = {name: s.as_json() if s else None for name, s in summaries.items()}
    overhead: dict[str, float | None] = {}
    for name, s in summaries.items():
        if name == "floor":
            continue
        overhead[name] = round(s.median_us - floor.median_us, 1) if s else None
        out[f"{name}_x_floor"] = _round(ratio(s.median_us if s else None, floor.median_us))
    out["overhead_us"] = overhead
    if "ccxt" in summaries:
        out["overhead_unified_over_ccxt"] = _round(
            ratio(overhead.get("unified"), overhead.get("ccxt")))
    return out


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


async def _floor(sim: SimVenue, session: aiohttp.ClientSession,
                 call: Callable[[Exchange], Awaitable[Any]]) -> Replay:
    adapter = registry.get(sim.venue_id).descriptor.load_adapter()

    def factory(recorder: Capture) -> Exchange:
        return client(sim.venue_id, sim.base_url, sim.credentials, transport=recorder,
                      adapter=recorder.signing(adapter))

    return await capture(factory, AiohttpTransport(), call, session, sim.credentials)


async def venue_calls(venue_id: str, sizes: Sizes, use_ccxt: bool) -> dict[str, Any]:
    """fetch_ticker and fetch_order (signed) on one venue."""
    rounds = sizes.call_rounds if venue_id == "kucoin" else sizes.venue_rounds
    async with running(venue_id) as sim, aiohttp.ClientSession() as session:
        ex = client(venue_id, sim.base_url, sim.credentials)
        cx = await ccxt_side.kucoin(sim.base_url, sim.credentials) if use_ccxt else None
        try:
            await ex.load_markets()
            symbol, amount, price = resting_order_args(sim)
            order = await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, amount, price)
            ticker_floor = await _floor(sim, session, lambda e: e.fetch_ticker(symbol))
            order_floor = await _floor(sim, session, lambda e: e.fetch_order(order.id, symbol))
            await _check(ex, cx, symbol, order, ticker_floor, order_floor)

            def refresh() -> None:
                order_floor.refresh()

            results: dict[str, Any] = {"venue": venue_id, "symbol": symbol}
            plans: dict[str, dict[str, Call]] = {
                "fetch_ticker": {"floor": ticker_floor, "unified": lambda: ex.fetch_ticker(symbol)},
                "fetch_order": {"floor": order_floor,
                                "unified": lambda: ex.fetch_order(order.id, symbol)},
            }
            if cx is not None:
                plans["fetch_ticker"]["ccxt"] = lambda: cx.fetch_ticker(symbol)
                plans["fetch_order"]["ccxt"] = lambda: cx.fetch_order(order.id, symbol)
            for name, contenders in plans.items():
                summaries: dict[str, Summary | None] = dict(await interleaved(
                    contenders, rounds, sizes.call_warmup, refresh))
                if venue_id == "kucoin" and cx is None:
                    summaries["ccxt"] = None
                results[name] = call_result(summaries)
            results.update(await round_trips(ex, sim, symbol, amount, price,
                                             rounds_for(venue_id, sizes), sizes.call_warmup))
            return results
        finally:
            await ex.close()
            if cx is not None:
                await cx.close()


async def _check(ex: Exchange, cx: Any, symbol: str, order: Order, ticker_floor: Replay,
                 order_floor: Replay) -> None:
    """Every contender gets a real answer before anything is timed."""
    ticker: Ticker = await ex.fetch_ticker(symbol)
    assert ticker.last is not None
    fetched = await ex.fetch_order(order.id, symbol)
    assert fetched.id == order.id
    for floor in (ticker_floor, order_floor):
        floor.refresh()
        await floor.check()
    if cx is not None:
        assert (await cx.fetch_ticker(symbol))["last"] is not None
        assert (await cx.fetch_order(order.id, symbol))["id"] == order.id


async def run_kucoin(sizes: Sizes, use_ccxt: bool) -> dict[str, Any]:
    return await venue_calls("kucoin", sizes, use_ccxt)


async def run_other_venues(sizes: Sizes) -> dict[str, Any]:
    return {venue_id: await venue_calls(venue_id, sizes, use_ccxt=False)
            for venue_id in OTHER_VENUES if venue_id in registry.venues()}
