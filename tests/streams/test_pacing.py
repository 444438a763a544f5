"""Reconnect backoff and the uplink window (no venue involved)."""

from __future__ import annotations

import asyncio
import random

from hypothesis import given
from hypothesis import strategies as st

from unified.clock import ManualClock
from unified.streams.pacing import Settings, Window


@given(st.integers(min_value=1, max_value=40), st.integers(min_value=0, max_value=2**32))
def test_backoff_is_full_jitter_under_the_cap(failures: int, seed: int) -> None:
    settings = Settings(rng=random.Random(seed))
    delay = settings.backoff(failures)
    assert 0 <= delay <= min(settings.backoff_cap_s,
                             settings.backoff_base_s * 2 ** (failures - 1))


def test_uplink_waits_only_past_the_limit_and_the_window_slides() -> None:
    clock = ManualClock()
    uplink = Window(3, clock)
    for _ in range(3):
        assert uplink.wait_s() == 0
        uplink._sent.append(clock.monotonic())
        clock.advance(1)
    assert uplink.wait_s() == 7  # the first send leaves the window 10 s after it was sent
    clock.advance(7)
    assert uplink.wait_s() == 0


def test_a_window_counts_several_uses_at_once() -> None:
    clock = ManualClock()
    hourly = Window(240, clock, window_s=3600)
    hourly._sent.extend([clock.monotonic()] * 239)
    assert hourly.wait_s(1) == 0
    assert hourly.wait_s(2) == 3600  # a subscribe of two channels waits for the oldest one


def test_takers_waiting_together_never_overrun_the_window() -> None:
    """Two senders wait for the same free slot: only one may go when it frees."""
    clock = ManualClock()

    async def sleep(seconds: float) -> None:
        await asyncio.sleep(0)
        clock.advance(seconds / 2)  # wake early, as timers may: the window is read again

    async def go() -> list[float]:
        window = Window(2, clock, window_s=10, sleep=sleep)
        await window.take()
        await window.take()
        sent: list[float] = []

        async def send() -> None:
            await window.take()
            sent.append(clock.monotonic())

        await asyncio.gather(send(), send(), send())
        return sent

    sent = asyncio.run(go())
    assert len(sent) == 3
    times = sorted(sent)
    # any 10 s holds at most two sends, the two before the gather included
    assert times[0] >= 10 and times[2] - times[0] >= 10
