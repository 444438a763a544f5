"""A dead-man switch kept armed from a bot's own loop (DESIGN 3d's cancel_all_orders_after).

    async with ex.keep_dead_man_switch(30, ["BTC/USDT"]) as switch:
        while trading:
            await switch.refresh()  # cheap: sets it again only once `refresh_after` has passed
            ...

No background task: the switch is set again from the loop that trades, so a loop that hangs or
dies stops refreshing it and the venue cancels the orders, which is the point. Leaving the
block normally clears the switch; leaving it on an exception leaves it armed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from unified.arguments import non_negative_seconds
from unified.clock import Clock
from unified.errors import ConfigurationError


class _Venue(Protocol):
    @property
    def clock(self) -> Clock: ...

    async def cancel_all_orders_after(self, seconds: int, symbols: Sequence[str] | None = None
                                      ) -> datetime | None: ...


class DeadMan:
    def __init__(self, venue: _Venue, seconds: int, symbols: Sequence[str] | None = None,
                 refresh_after: float | None = None) -> None:
        if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds <= 0:
            raise ConfigurationError(f"seconds must be a positive int, got {seconds!r}")
        every = seconds / 3 if refresh_after is None else non_negative_seconds(
            "refresh_after", refresh_after)
        if every >= seconds:
            raise ConfigurationError("refresh_after must be shorter than seconds")
        self._venue, self._seconds, self._symbols = venue, seconds, symbols
        self._every = timedelta(seconds=every)
        self._set_at: datetime | None = None
        #: when the venue will cancel unless refreshed (None before the first refresh)
        self.fires_at: datetime | None = None

    async def refresh(self) -> datetime | None:
        """Set the switch again if `refresh_after` has passed since it was last set; when the
        venue will cancel."""
        now = self._venue.clock.now()
        if self._set_at is None or now - self._set_at >= self._every:
            self.fires_at = await self._venue.cancel_all_orders_after(self._seconds,
                                                                      self._symbols)
            self._set_at = now
        return self.fires_at

    async def clear(self) -> None:
        await self._venue.cancel_all_orders_after(0, self._symbols)
        self._set_at = self.fires_at = None

    async def __aenter__(self) -> DeadMan:
        await self.refresh()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        if exc_type is None:
            await self.clear()
