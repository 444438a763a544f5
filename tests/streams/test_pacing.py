"""Reconnect backoff and the uplink window (no venue involved)."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from unified.clock import ManualClock
from unified.streams.pacing import Settings, Uplink


@given(st.integers(min_value=1, max_value=40), st.integers(min_value=0, max_value=2**32))
def test_backoff_is_full_jitter_under_the_cap(failures: int, seed: int) -> None:
    settings = Settings(rng=random.Random(seed))
    delay = settings.backoff(failures)
    assert 0 <= delay <= min(settings.backoff_cap_s,
                             settings.backoff_base_s * 2 ** (failures - 1))


def test_uplink_waits_only_past_the_limit_and_the_window_slides() -> None:
    clock = ManualClock()
    uplink = Uplink(3, clock)
    for _ in range(3):
        assert uplink.wait_s() == 0
        uplink._sent.append(clock.monotonic())
        clock.advance(1)
    assert uplink.wait_s() == 7  # the first send leaves the window 10 s after it was sent
    clock.advance(7)
    assert uplink.wait_s() == 0
