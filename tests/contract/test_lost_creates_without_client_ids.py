"""A lost create on a venue without client ids (OKEx / OKCoin v1), reconciled by matching a
new open or recent order (DESIGN 6): found though the venue's clock is behind ours, never an
order this client already reported, and AmbiguousOutcome (never a resend) when the match
cannot decide."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

import unified
from unified import AmbiguousOutcome, OrderStatus, OrderType, Side, registry
from unified.clock import ManualClock

from ..conftest import VENUES, run
from .harness import Session, session

#: the venues whose creates carry no client id: a lost one is found by matching only
NO_CLIENT_IDS = [v for v in VENUES if not registry.get(v).spec.capability("client_order_id")]


class Sleeps:
    """Backoff waits move a manual clock instead of the wall clock."""

    def __init__(self) -> None:
        self.clock = ManualClock(datetime.now(UTC))

    async def __call__(self, seconds: float) -> None:
        self.clock.advance(seconds)


class Behind:
    """The venue's clock, `lag` behind the client's: v1 never syncs time (its signature has
    no timestamp), so nothing corrects it."""

    def __init__(self, clock: ManualClock, lag: timedelta) -> None:
        self._clock = clock
        self._lag = lag

    def now(self) -> datetime:
        return self._clock.now() - self._lag

    def monotonic(self) -> float:
        return self._clock.monotonic()


def timed(lag: timedelta = timedelta(0)) -> dict[str, object]:
    """A client on manual time, the venue `lag` behind it."""
    sleeps = Sleeps()
    return {"sleep": sleeps, "clock": sleeps.clock, "venue_clock": Behind(sleeps.clock, lag)}


async def buy(s: Session, factor: str) -> unified.Order:
    return await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                   s.price(factor))


@pytest.mark.parametrize("venue", NO_CLIENT_IDS)
@pytest.mark.parametrize("lag_ms", [50, 3000])
def test_a_lost_create_the_venue_stamped_before_we_sent_it_is_found_not_placed_twice(
        venue: str, lag_ms: int) -> None:
    """The order fills at once (in the history only, stamped before our `sent_at`): the
    history is read back as far as matching allows, so it is found, never resent."""
    async def scenario() -> None:
        async with session(venue, **timed(timedelta(milliseconds=lag_ms))) as s:
            s.sim.faults.add("drop_after", op="create_order")
            order = await buy(s, "1.1")  # crosses the book: filled
            [placed] = s.orders_at_venue()
            assert s.sim.requests["create_order"] == 1  # never resent
            assert placed.status is OrderStatus.FILLED and order.status is OrderStatus.FILLED
            assert (order.price, order.amount) == (placed.price, placed.amount)
            assert s.ex.pending() == []
    run(scenario())


@pytest.mark.parametrize("venue", NO_CLIENT_IDS)
def test_reconcile_finds_a_create_the_venue_stamped_before_we_sent_it(venue: str) -> None:
    """ex.reconcile() looks the order up the same way: placed, so never "never reached the
    venue" because the venue's clock is 50 ms behind ours."""
    async def scenario() -> None:
        async with session(venue, **timed(timedelta(milliseconds=50))) as s:
            held = s.sim.faults.add("hold_after", op="create_order", delay_s=30)
            placing = asyncio.create_task(buy(s, "1.1"))
            await held.acted.wait()  # the venue has the order (filled); its answer held back
            placing.cancel()
            with pytest.raises(asyncio.CancelledError):
                await placing
            [intent] = s.ex.pending()
            [done] = await s.ex.reconcile()
            assert done.intent.id == intent.id and done.order is not None
            assert done.order.status is OrderStatus.FILLED and len(s.orders_at_venue()) == 1
            assert s.ex.pending() == []
    run(scenario())


@pytest.mark.parametrize("venue", NO_CLIENT_IDS)
def test_a_failed_create_is_never_reported_as_an_earlier_identical_order(venue: str) -> None:
    """A is placed; B, identical, gets a 502 before the venue acts. A is this client's
    already: B matches nothing, which cannot tell "not placed" from "not listed yet", so B is
    AmbiguousOutcome (never A, never resent), and reconcile() settles it as never placed."""
    async def scenario() -> None:
        async with session(venue, **timed()) as s:
            first = await buy(s, "0.9")
            s.sim.faults.add("status", op="create_order", status=502)
            with pytest.raises(AmbiguousOutcome) as lost:
                await buy(s, "0.9")
            assert lost.value.client_order_id is None
            assert len(s.orders_at_venue()) == 1 and s.sim.requests["create_order"] == 2
            [intent] = s.ex.pending()
            [done] = await s.ex.reconcile()
            assert done.intent.id == intent.id and done.order is None  # first is not it
            assert s.ex.pending() == [] and len(s.orders_at_venue()) == 1
            assert (await s.ex.fetch_order(first.id, s.symbol)).status is OrderStatus.OPEN
    run(scenario())


@pytest.mark.parametrize("venue", NO_CLIENT_IDS)
def test_matching_skips_reported_orders_and_two_unreported_ones_are_ambiguous(
        venue: str) -> None:
    """Identical orders: one this client reported is never a lost create's, so the lost one
    is found among them; two that this client never reported (one placed by another
    process on the account) cannot be told apart: AmbiguousOutcome."""
    async def scenario() -> None:
        async with session(venue, **timed()) as s:
            first = await buy(s, "0.9")
            s.sim.faults.add("drop_after", op="create_order")
            second = await buy(s, "0.9")  # placed, its answer lost: found, not the first
            assert second.id != first.id and len(s.orders_at_venue()) == 2
            async with unified.connect(venue, credentials=s.sim.credentials,
                                       base_url=s.sim.base_url) as other:
                await other.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                         s.price("0.9"))
            s.sim.faults.add("drop_after", op="create_order")
            with pytest.raises(AmbiguousOutcome):
                await buy(s, "0.9")
            assert len(s.orders_at_venue()) == 4 and s.sim.requests["create_order"] == 4
    run(scenario())
