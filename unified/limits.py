"""Client-side rate limiting from the spec's pools and weights, fed back by response headers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from unified.clock import Clock
from unified.spec import Pool, RateLimits

Sleep = Callable[[float], Awaitable[None]]


class PoolLimiter:
    """A quota of weight per fixed window, like the venues' own counters."""

    def __init__(self, pool: Pool, clock: Clock, sleep: Sleep) -> None:
        self.pool = pool
        self.clock = clock
        self.sleep = sleep
        self.remaining = pool.quota
        self.reset_at: float | None = None
        self._lock = asyncio.Lock()

    def _refresh(self, now: float) -> None:
        if self.reset_at is None or now >= self.reset_at:
            self.remaining = self.pool.quota
            self.reset_at = now + self.pool.window_s

    def wait_for(self, weight: int) -> float:
        """Seconds to wait before `weight` fits (0 when it fits now); does not consume."""
        now = self.clock.monotonic()
        self._refresh(now)
        if min(weight, self.pool.quota) <= self.remaining:
            return 0.0
        assert self.reset_at is not None
        return max(self.reset_at - now, 0.0)

    async def acquire(self, weight: int) -> None:
        weight = min(weight, self.pool.quota)
        async with self._lock:
            while (delay := self.wait_for(weight)) > 0:
                await self.sleep(delay)
            self.remaining -= weight

    def observe(self, remaining: int | None, reset_in: float | None) -> None:
        """The venue's own view of the quota wins when it is stricter than ours."""
        now = self.clock.monotonic()
        self._refresh(now)
        if remaining is not None:
            self.remaining = min(self.remaining, remaining)
        if reset_in is not None and remaining is not None:
            self.reset_at = now + reset_in

    def block(self, seconds: float) -> None:
        """After a 429: nothing more until the venue's hint has passed."""
        now = self.clock.monotonic()
        self.remaining = 0
        self.reset_at = now + seconds


class RateLimiter:
    def __init__(self, limits: RateLimits, clock: Clock, sleep: Sleep = asyncio.sleep) -> None:
        self.limits = limits
        self.pools = {name: PoolLimiter(p, clock, sleep) for name, p in limits.pools.items()}

    async def acquire(self, pool: str, weight: int) -> None:
        await self.pools[pool].acquire(weight)

    def observe(self, pool: str, headers: Mapping[str, str]) -> None:
        limits = self.limits
        if not limits.remaining_header:
            return
        remaining = _int(headers.get(limits.remaining_header.lower()))
        if remaining is None:
            return
        reset = _int(headers.get(limits.reset_header.lower())) if limits.reset_header else None
        scale = 1000.0 if limits.reset_unit == "ms" else 1.0
        self.pools[pool].observe(remaining, reset / scale if reset is not None else None)

    def block(self, pool: str, seconds: float) -> None:
        self.pools[pool].block(seconds)


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None
