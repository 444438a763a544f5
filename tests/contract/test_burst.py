"""A burst of concurrent calls against a local venue enforcing the documented limits gets no 429:
the client-side limiter paces itself from the spec's pools and weights (on a manual clock)."""

from __future__ import annotations

import asyncio

import pytest

import unified
from unified import registry
from unified.clock import PacedClock
from unified.sim.server import SimVenue

from ..conftest import VENUES, run


@pytest.mark.parametrize("venue", VENUES)
def test_burst_of_500_calls_gets_no_429(venue: str) -> None:
    clock = PacedClock()  # waiting costs no wall time, and stays deterministic

    async def scenario() -> tuple[int, int]:
        async with SimVenue(venue, clock=clock, enforce_limits=True) as sim, unified.connect(
            venue, credentials=sim.credentials, base_url=sim.base_url, clock=clock,
            sleep=clock.sleep, max_wait=3600,
        ) as ex:
            symbol = sim.personality.markets[0].symbol
            await ex.load_markets()
            results = await asyncio.gather(
                *(ex.fetch_ticker(symbol) if i % 2 else ex.fetch_balance() for i in range(500)))
            return len(results), sim.rejected_429

    done, rejected = run(scenario())
    assert done == 500
    assert rejected == 0
    heaviest = max(p.quota for p in registry.get(venue).spec.rate_limits.pools.values())
    if heaviest < 500 * 15:  # the burst exceeded a window's quota: the client had to pace it
        assert clock.pace.monotonic() > 0
