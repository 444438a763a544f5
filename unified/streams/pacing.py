"""How patient and how polite a stream connection is: its settings, reconnect backoff, and the
uplink window that keeps it within the venue's messages-per-10-seconds limit."""

from __future__ import annotations

import asyncio
import random
from collections import deque

import attrs

from unified.clock import Clock

#: the venues state uplink limits per 10 seconds
UPLINK_WINDOW_S = 10.0


@attrs.frozen(kw_only=True)
class Settings:
    """Venue limits (uplink messages per 10 s, topics per connection) come from the spec's
    capabilities; the rest are ours."""

    connect_timeout_s: float = 10.0
    ack_timeout_s: float = 10.0
    backoff_base_s: float = 0.25
    backoff_cap_s: float = 30.0
    max_failures: int = 8  # consecutive failed connects before streams fail
    stable_s: float = 30.0  # a session shorter than this that drops again backs off
    uplink_per_10s: int = 100
    rng: random.Random = attrs.field(factory=random.Random, repr=False)

    def backoff(self, failures: int) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2^(n-1))]."""
        return self.rng.uniform(0.0, min(self.backoff_cap_s,
                                         self.backoff_base_s * 2 ** (failures - 1)))


class Uplink:
    """A sliding window over the last UPLINK_WINDOW_S of sent messages."""

    def __init__(self, per_window: int, clock: Clock) -> None:
        self.per_window, self._clock = per_window, clock
        self._sent: deque[float] = deque()

    def wait_s(self) -> float:
        """How long the next message must wait (0: it may go now)."""
        now = self._clock.monotonic()
        while self._sent and now - self._sent[0] >= UPLINK_WINDOW_S:
            self._sent.popleft()
        if len(self._sent) < self.per_window:
            return 0.0
        return UPLINK_WINDOW_S - (now - self._sent[0])

    async def take(self) -> None:
        wait = self.wait_s()
        if wait > 0:
            await asyncio.sleep(wait)
        self._sent.append(self._clock.monotonic())
