"""How patient and how polite a stream connection is: its settings, reconnect backoff, and the
sliding windows that keep it within the venue's limits (messages per 10 seconds,
subscriptions per hour, connects per second)."""

from __future__ import annotations

import asyncio
import random
from collections import deque
from collections.abc import Awaitable, Callable

import attrs

from unified.clock import Clock

#: the venues state uplink limits per 10 seconds
UPLINK_WINDOW_S = 10.0


@attrs.frozen(kw_only=True)
class Settings:
    """Venue limits come from the spec's capabilities (uplink messages per 10 s, topics per
    connection, subscriptions per hour, connects per second); the rest are ours."""

    connect_timeout_s: float = 10.0
    ack_timeout_s: float = 10.0
    backoff_base_s: float = 0.25
    backoff_cap_s: float = 30.0
    max_failures: int = 8  # consecutive failed connects before streams fail
    stable_s: float = 30.0  # a session shorter than this that drops again backs off
    #: ping pace and pong patience instead of the venue's (None: the venue's, or the dialect's)
    ping_interval_s: float | None = None
    ping_timeout_s: float | None = None
    uplink_per_10s: int = 100
    subscriptions_per_hour: int | None = None  # counted per topic or channel subscribed
    connects_per_s: int | None = None  # new connections, over all of a client's connections
    rng: random.Random = attrs.field(factory=random.Random, repr=False)

    def backoff(self, failures: int) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2^(n-1))]."""
        return self.rng.uniform(0.0, min(self.backoff_cap_s,
                                         self.backoff_base_s * 2 ** (failures - 1)))


class Window:
    """At most `per_window` uses in any `window_s` (sliding): the uplink's messages per 10 s,
    a venue's subscriptions per hour or connects per second."""

    def __init__(self, per_window: int, clock: Clock, *, window_s: float = UPLINK_WINDOW_S,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.per_window, self.window_s = per_window, window_s
        self._clock, self._sleep = clock, sleep
        self._sent: deque[float] = deque()

    def wait_s(self, uses: int = 1) -> float:
        """How long `uses` more must wait (0: they may go now)."""
        now = self._clock.monotonic()
        while self._sent and now - self._sent[0] >= self.window_s:
            self._sent.popleft()
        over = len(self._sent) + min(uses, self.per_window) - self.per_window
        if over <= 0:
            return 0.0
        return self.window_s - (now - self._sent[over - 1])

    async def take(self, uses: int = 1) -> None:
        # checked again after each wait: others waiting at the same time may have gone first
        while (wait := self.wait_s(uses)) > 0:
            await self._sleep(wait)
        self._sent.extend([self._clock.monotonic()] * uses)

