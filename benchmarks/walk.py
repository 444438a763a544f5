"""Scenario 3: walking a long closed-order history (KuCoin HF, lastId pages of 100).

unified's iterator against the floor doing the same signed requests by hand, whole walks
interleaved; then one page of 100 for all three contenders (ccxt's cost per page).
"""

from __future__ import annotations

import time
from typing import Any

import aiohttp

from benchmarks import ccxt_side
from benchmarks.calls import call_result
from benchmarks.floor import KucoinFloor
from benchmarks.local import client, running, seed_closed_orders
from benchmarks.sizes import Sizes
from benchmarks.stats import Summary, interleaved

SYMBOL = "BTC/USDT"
VENUE_SYMBOL = "BTC-USDT"


async def run(sizes: Sizes, use_ccxt: bool) -> dict[str, Any]:
    n, per_page = sizes.walk_orders, sizes.walk_page
    async with running("kucoin") as sim, aiohttp.ClientSession() as session:
        started = time.perf_counter()
        seed_closed_orders(sim.engine, SYMBOL, n)
        seeded_s = time.perf_counter() - started
        ex = client("kucoin", sim.base_url, sim.credentials)
        cx = await ccxt_side.kucoin(sim.base_url, sim.credentials) if use_ccxt else None
        floor = KucoinFloor(session, sim.base_url, sim.credentials)
        try:
            await ex.load_markets()
            counts: dict[str, list[int]] = {"floor": [], "unified": []}
            requests: list[int] = []

            async def floor_walk() -> None:
                total, sent = await floor.walk_closed_orders(VENUE_SYMBOL, per_page)
                counts["floor"].append(total)
                requests.append(sent)

            async def unified_walk() -> None:
                total = 0
                async for _ in ex.iter_closed_orders(SYMBOL, page_size=per_page):
                    total += 1
                counts["unified"].append(total)

            walks = await interleaved({"floor": floor_walk, "unified": unified_walk},
                                      sizes.walk_rounds)
            for name, seen in counts.items():
                assert set(seen) == {n}, f"{name} walked {seen} orders, not {n}"

            page = await _one_page(ex, cx, floor, per_page, sizes)
        finally:
            await ex.close()
            if cx is not None:
                await cx.close()
    pages = requests[0]
    result: dict[str, Any] = {
        "orders": n, "page_size": per_page, "requests": pages, "seed_s": round(seeded_s, 2),
        "walk": {name: _walk_json(s, pages, n) for name, s in walks.items()},
        "walk_unified_x_floor": round(walks["unified"].median_us / walks["floor"].median_us, 3),
        "page": page,
    }
    return result


def _walk_json(s: Summary, pages: int, orders: int) -> dict[str, float]:
    return {"median_ms": round(s.median_us / 1000, 1), "p90_ms": round(s.p90_us / 1000, 1),
            "per_page_us": round(s.median_us / pages, 1),
            "orders_per_s": round(orders / (s.median_us / 1e6))}


async def _one_page(ex: Any, cx: Any, floor: KucoinFloor, per_page: int, sizes: Sizes
                    ) -> dict[str, Any]:
    async def floor_page() -> None:
        count, _ = await floor.closed_orders_page(VENUE_SYMBOL, per_page, None)
        assert count == per_page

    async def unified_page() -> None:
        orders = await ex.fetch_closed_orders(SYMBOL, limit=per_page)
        assert len(orders) == per_page

    async def ccxt_page() -> None:
        # KuCoin's HF closed orders take `limit` (pageSize belongs to the classic endpoint).
        orders = await cx.fetch_closed_orders(SYMBOL, params={"limit": per_page})
        assert len(orders) == per_page

    contenders = {"floor": floor_page, "unified": unified_page}
    if cx is not None:
        contenders["ccxt"] = ccxt_page
    summaries: dict[str, Summary | None] = dict(
        await interleaved(contenders, sizes.page_rounds, warmup=2))
    if cx is None:
        summaries["ccxt"] = None
    return call_result(summaries)


