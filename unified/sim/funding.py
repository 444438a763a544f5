"""Funding of perpetual contracts on a local venue, venue-neutral: the rate per symbol (set by
a test or a personality), the funding times on the engine's clock, and the settled history.

Funding times are the multiples of the contract's `funding_interval` counted from the Unix
epoch (8 hours: 00:00, 08:00 and 16:00 UTC). The first one charged is the first strictly
after the contract was registered. At a due run (unified.sim.triggers) every funding time
that the clock has reached and that was not yet settled is settled once, oldest first: a
long clock jump charges each interval it crossed exactly once, with the rate, the mark and
the positions as they are at that run (the clock is manual: nothing moved in between).

Payments (unified.sim.derivatives applies them): each open position's value at the mark
times the rate; with a positive rate longs pay and shorts receive, with a negative rate the
reverse. The venue's insurance account is the counterparty of each payment, so totals are
conserved whether or not longs and shorts balance (they may not after a liquidation).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import attrs

from unified.sim.records import ZERO, EngineError

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def next_time(after: datetime, interval: timedelta) -> datetime:
    """The first funding time strictly after `after`."""
    periods = (after - EPOCH) // interval
    return EPOCH + (periods + 1) * interval


@attrs.frozen
class FundingRecord:
    """One settled funding time of one symbol."""

    symbol: str
    at: datetime
    rate: Decimal
    mark: Decimal


@attrs.define
class FundingState:
    """One perpetual's funding: the rate charged at the next funding time, the predicted
    rate after it (informational), when that is, and what was settled."""

    symbol: str
    interval: timedelta
    next_at: datetime
    rate: Decimal = ZERO
    predicted: Decimal | None = None
    history: list[FundingRecord] = attrs.field(factory=list)

    @property
    def period_start(self) -> datetime:
        """The start of the current funding period (the last funding time)."""
        return self.next_at - self.interval

    def due(self, now: datetime) -> list[datetime]:
        """The funding times reached and not yet settled, oldest first; moves next_at past
        them (each is returned once)."""
        times: list[datetime] = []
        while now >= self.next_at:
            times.append(self.next_at)
            self.next_at += self.interval
        return times


class Funding:
    """The funding of one engine's perpetuals (held by its derivatives book)."""

    def __init__(self) -> None:
        self.states: dict[str, FundingState] = {}

    def add(self, symbol: str, interval: timedelta, now: datetime) -> None:
        if symbol not in self.states:
            self.states[symbol] = FundingState(symbol, interval, next_time(now, interval))

    def state(self, symbol: str) -> FundingState:
        try:
            return self.states[symbol]
        except KeyError:  # a personality renders it as it renders a contract it lacks
            raise EngineError("unknown_symbol",
                              f"{symbol} has no funding rate (not a perpetual)") from None

    def set_rate(self, symbol: str, rate: Decimal, predicted: Decimal | None = None) -> None:
        """The rate charged at the next funding time (and at every later one until set
        again); `predicted` is only reported."""
        state = self.state(symbol)
        state.rate, state.predicted = rate, predicted

    def history(self, symbol: str, since: datetime | None = None,
                until: datetime | None = None) -> list[FundingRecord]:
        """Settled funding times, newest first, within [since, until] where given."""
        return [r for r in reversed(self.state(symbol).history)
                if (since is None or r.at >= since) and (until is None or r.at <= until)]


__all__ = ["EPOCH", "Funding", "FundingRecord", "FundingState", "next_time"]
