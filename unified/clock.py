"""Time sources. The client signs with venue time: local time plus a measured offset."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Aware UTC now."""
        ...

    def monotonic(self) -> float:
        """Seconds on a monotonic scale, for rate limiting and backoff."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


class ManualClock:
    """A clock that moves only when told to (tests, simulations)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2024, 1, 1, tzinfo=UTC)
        self._mono = 0.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
        self._mono += seconds

    def set(self, moment: datetime) -> None:
        self._mono += (moment - self._now).total_seconds()
        self._now = moment


class PacedClock:
    """Timestamps from a wall clock (the system's by default: what signatures carry) but
    manual pacing time: waits for rate limits and backoff pass instantly and deterministically
    (simulations, soak, tests). With a ManualClock as the wall, time stands still too."""

    def __init__(self, wall: Clock | None = None) -> None:
        self.wall = wall or SystemClock()
        self.pace = ManualClock()

    def now(self) -> datetime:
        return self.wall.now()

    def monotonic(self) -> float:
        return self.pace.monotonic()

    async def sleep(self, seconds: float) -> None:
        self.pace.advance(seconds)
        await asyncio.sleep(0)


class VenueClock:
    """Local clock corrected by the offset to the venue's server time."""

    def __init__(self, base: Clock) -> None:
        self.base = base
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return self.base.now() + self.offset

    def monotonic(self) -> float:
        return self.base.monotonic()

    def sync(self, server_time: datetime, sent_at: datetime, received_at: datetime) -> None:
        """Set the offset from one round trip, assuming the server stamped its midpoint."""
        midpoint = sent_at + (received_at - sent_at) / 2
        self.offset = server_time - midpoint
