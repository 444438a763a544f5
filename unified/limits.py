"""Client-side rate limiting from the spec's pools and weights, fed back by response headers.

A call holds its weight from the moment it is sent until one window after its answer arrived.
The venue counts a call when it arrives, which is between those two moments, so no window of the
venue's (fixed or sliding) ever sees more than the quota, whatever the network latency.
"""

from __future__ import annotations

import asyncio
import heapq
import math
from collections.abc import Awaitable, Callable, Mapping

from unified.clock import Clock
from unified.errors import RateLimited
from unified.spec import Pool, RateLimits

Sleep = Callable[[float], Awaitable[None]]
#: Longest rate-limit hint believed: a reset header of days is a venue bug, not a plan.
MAX_HINT_S = 300.0


class WaitRefused(RateLimited):
    """Raised before sending: the limiter would hold the call past max_wait. The pool is not
    blocked again for it (nothing reached the venue)."""


class PoolLimiter:
    def __init__(self, pool: Pool, clock: Clock, sleep: Sleep, venue: str = "",
                 max_wait: float = math.inf) -> None:
        self.pool = pool
        self.clock = clock
        self.sleep = sleep
        self.venue = venue
        self.max_wait = max_wait
        self.in_flight = 0
        self._releases: list[tuple[float, int]] = []  # (monotonic time, weight), a heap
        self._held = 0  # total weight in _releases
        self._lock = asyncio.Lock()
        self._queued = 0  # callers holding or waiting for _lock
        self._answered = asyncio.Event()

    def used(self) -> int:
        now = self.clock.monotonic()
        releases = self._releases
        # A heap: expired holds leave from the front in O(log n), however many are held.
        expired = (now, self.pool.quota + 1)
        while releases and releases[0] <= expired:
            self._held -= heapq.heappop(releases)[1]
        return self.in_flight + self._held

    def _hold_until(self, when: float, weight: int) -> None:
        heapq.heappush(self._releases, (when, weight))
        self._held += weight

    async def acquire(self, weight: int) -> int:
        """Wait until `weight` fits in the pool; returns the weight to pass to `release`."""
        weight = min(max(weight, 0), self.pool.quota)
        if not self._queued and self.used() + weight <= self.pool.quota:
            # Nobody holds or waits for the lock and it fits: the locked path below would take
            # it at once too (no await in between); this skips the lock's cost.
            self.in_flight += weight
            return weight
        self._queued += 1
        started = self.clock.monotonic()
        try:
            async with self._lock:
                while self.used() + weight > self.pool.quota:
                    self._refuse_long_wait(weight, started)
                    if self._releases:
                        await self.sleep(max(self._releases[0][0] - self.clock.monotonic(), 0.0))
                    else:  # everything is in flight: wait for an answer
                        self._answered.clear()
                        await self._answered.wait()
                self.in_flight += weight
        finally:
            self._queued -= 1
        return weight

    def _fits_in(self, weight: int) -> float:
        """Seconds until `weight` fits at the soonest. When the held weight is not enough,
        calls in flight must answer and then be held one window: a window at least."""
        over = self.used() + weight - self.pool.quota
        now = self.clock.monotonic()
        latest = now
        for when, held in sorted(self._releases):
            over -= held
            latest = when
            if over <= 0:
                return max(when - now, 0.0)
        return max(latest - now, self.pool.window_s) if over > 0 else 0.0

    def _refuse_long_wait(self, weight: int, started: float) -> None:
        """No call waits silently for long: past max_wait it is refused at once."""
        wait = self._fits_in(weight)
        total = self.clock.monotonic() - started + wait
        if total > self.max_wait:
            raise WaitRefused(
                f"the {self.pool.name} rate limit would hold this call {total:.1f}s, past "
                f"max_wait={self.max_wait:g}s", venue=self.venue, retry_after=total,
            )

    def release(self, weight: int) -> None:
        """The call's answer arrived (or it failed): its weight frees one window from now."""
        self.in_flight -= weight
        self._hold_until(self.clock.monotonic() + self.pool.window_s, weight)
        self._answered.set()

    def observe(self, remaining: int, reset_in: float | None) -> None:
        """The venue's own count wins when it is stricter than ours."""
        missing = self.pool.quota - remaining - self.used()
        if missing > 0:
            window = reset_in if reset_in is not None else self.pool.window_s
            self._hold_until(self.clock.monotonic() + window, missing)

    def block(self, seconds: float) -> None:
        """After a 429: nothing more until the venue's hint has passed."""
        self._hold_until(self.clock.monotonic() + seconds, self.pool.quota)


class RateLimiter:
    def __init__(self, limits: RateLimits, clock: Clock, sleep: Sleep = asyncio.sleep,
                 venue: str = "", max_wait: float = math.inf) -> None:
        self.limits = limits
        self.pools = {name: PoolLimiter(p, clock, sleep, venue, max_wait)
                      for name, p in limits.pools.items()}

    def acquire(self, pool: str, weight: int) -> Awaitable[int]:
        """`await limiter.acquire(pool, weight)`: the pool's own coroutine, not a wrapper."""
        return self.pools[pool].acquire(weight)

    def release(self, pool: str, weight: int) -> None:
        self.pools[pool].release(weight)

    def observe(self, pool: str, headers: Mapping[str, str]) -> None:
        limits = self.limits
        if not limits.remaining_header:
            return
        remaining = _int(headers.get(limits.remaining_header.lower()))
        if remaining is None:
            return
        reset = _int(headers.get(limits.reset_header.lower())) if limits.reset_header else None
        scale = 1000.0 if limits.reset_unit == "ms" else 1.0
        reset_in = min(max(reset / scale, 0.0), MAX_HINT_S) if reset is not None else None
        self.pools[pool].observe(remaining, reset_in)

    def block(self, pool: str, seconds: float) -> None:
        self.pools[pool].block(seconds)


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None
