"""The limiter never lets a venue window see more than the pool's quota, whatever the latency."""

from __future__ import annotations

import asyncio

from hypothesis import given
from hypothesis import strategies as st

from unified.clock import ManualClock
from unified.limits import PoolLimiter
from unified.spec import Pool

from ..conftest import run


@given(
    quota=st.integers(min_value=1, max_value=20),
    window=st.sampled_from([1.0, 2.0, 30.0]),
    calls=st.lists(st.tuples(st.integers(min_value=1, max_value=5),
                             st.floats(min_value=0, max_value=3)), min_size=1, max_size=60),
)
def test_no_window_ever_exceeds_the_quota(quota: int, window: float,
                                          calls: list[tuple[int, float]]) -> None:
    clock = ManualClock()
    arrivals: list[tuple[float, int]] = []

    async def sleep(seconds: float) -> None:
        clock.advance(seconds)
        await asyncio.sleep(0)

    limiter = PoolLimiter(Pool("p", quota, window), clock, sleep)

    async def call(weight: int, latency: float) -> None:
        held = await limiter.acquire(weight)
        arrivals.append((clock.monotonic() + latency / 2, held))  # arrives mid-flight
        clock.advance(latency)
        limiter.release(held)

    async def scenario() -> None:
        for weight, latency in calls:
            await call(weight, latency)

    run(scenario())
    for start, _ in arrivals:  # any window starting at an arrival (the venue's worst case)
        in_window = sum(w for t, w in arrivals if start <= t < start + window)
        assert in_window <= quota


def test_observed_remaining_quota_is_respected() -> None:
    clock = ManualClock()
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock.advance(seconds)

    limiter = PoolLimiter(Pool("p", 100, 30.0), clock, sleep)
    limiter.observe(remaining=0, reset_in=5.0)  # the venue says the pool is spent
    run(limiter.acquire(1))
    assert waits and abs(sum(waits) - 5.0) < 1e-9
