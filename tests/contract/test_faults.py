"""Lost answers, 5xx, 429, garbage and clock skew: typed errors, and never an order placed twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from unified import (
    AmbiguousOutcome,
    DecodeError,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    VenueUnavailable,
)
from unified.clock import ManualClock

from ..conftest import VENUES, run
from .harness import session


class Sleeps:
    """Backoff and rate-limit waits move a manual clock instead of the wall clock."""

    def __init__(self) -> None:
        self.waits: list[float] = []
        self.clock = ManualClock(datetime.now(UTC))

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.advance(seconds)


def manual_time() -> dict[str, object]:
    sleeps = Sleeps()
    return {"sleep": sleeps, "clock": sleeps.clock}


@pytest.mark.parametrize("venue", VENUES)
@pytest.mark.parametrize("fault", ["drop_after", "reset", "status"])
def test_lost_create_answer_places_exactly_one_order(venue: str, fault: str) -> None:
    """Found by client id, else resent with it; without client ids (v1) found by matching,
    and where nothing matches (reset, 502: the venue did not act) AmbiguousOutcome: a resend
    could place it twice had the venue acted."""
    async def scenario() -> None:
        async with session(venue, **manual_time()) as s:
            s.sim.faults.add(fault, op="create_order", status=502)
            if fault != "drop_after" and not s.ex.has("client_order_id"):
                with pytest.raises(AmbiguousOutcome):
                    await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                            s.price("0.9"))
                assert s.orders_at_venue() == [] and s.sim.requests["create_order"] == 1
                assert len(s.ex.pending()) == 1  # kept for reconcile()
                return
            order = await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                            s.price("0.9"))
            at_venue = s.orders_at_venue()
            assert len(at_venue) == 1
            assert order.client_order_id == at_venue[0].client_id
            assert (order.amount, order.price) == (at_venue[0].amount, at_venue[0].price)
            assert order.status in (OrderStatus.OPEN, OrderStatus.PENDING)
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
@pytest.mark.parametrize("fault", ["drop_after", "reset"])
def test_lost_batch_answer_places_each_order_exactly_once(venue: str, fault: str) -> None:
    async def scenario() -> None:
        async with session(venue, **manual_time()) as s:
            op = "create_orders" if s.ex.supports("create_orders") else "create_order"
            s.sim.faults.add(fault, op=op)
            step = s.market.price_increment
            wanted = [OrderRequest(type=OrderType.LIMIT, side=Side.BUY, amount=s.amount,
                                   price=s.price("0.9") - i * step) for i in range(3)]
            results = await s.ex.create_orders(wanted, s.symbol)
            if fault == "reset" and not s.ex.has("client_order_id"):
                # the venue never acted, and without client ids nothing says so: never resent
                assert all(isinstance(r, AmbiguousOutcome) for r in results)
                assert s.orders_at_venue() == [] and "create_order" not in s.sim.requests
                return
            at_venue = sorted(o.price for o in s.orders_at_venue())
            assert at_venue == sorted(w.price for w in wanted)  # each once, none lost
            assert sorted(getattr(r, "price", None) for r in results) == at_venue
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_unreachable_venue_gives_ambiguous_outcome(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue, **manual_time()) as s:
            s.sim.faults.add("drop_after", op="create_order")
            s.sim.faults.add("reset", times=1000)  # every lookup fails too
            with pytest.raises(AmbiguousOutcome) as caught:
                await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                        s.price("0.9"))
            s.sim.faults.clear()
            placed = s.orders_at_venue()
            assert len(placed) == 1  # placed once, never resent blindly
            assert caught.value.client_order_id == placed[0].client_id
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
@pytest.mark.parametrize("fault", ["reset", "status", "html", "rate_limit"])
def test_reads_retry_transient_failures(venue: str, fault: str) -> None:
    async def scenario() -> None:
        sleeps = Sleeps()
        async with session(venue, sleep=sleeps, clock=sleeps.clock) as s:
            s.sim.faults.add(fault, op="fetch_ticker", times=2, status=503)
            ticker = await s.ex.fetch_ticker(s.symbol)
            assert ticker.symbol == s.symbol
            assert s.sim.requests["fetch_ticker"] == 3  # two failures, then the answer
            assert sleeps.waits  # backed off (aiohttp itself may redo a reset keep-alive GET)
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_retries_are_bounded(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue, **manual_time()) as s:
            s.sim.faults.add("html", op="fetch_ticker", times=50, status=502)
            with pytest.raises(VenueUnavailable):
                await s.ex.fetch_ticker(s.symbol)
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_garbage_is_a_decode_error(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue, **manual_time()) as s:
            s.sim.faults.add("garbage", op="fetch_ticker")
            with pytest.raises(DecodeError):
                await s.ex.fetch_ticker(s.symbol)
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_clock_skew_is_resynced_once(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue, **manual_time()) as s:
            if s.ex.spec.signing.timestamp == "none":
                return  # nothing time-stamped to skew
            s.sim.skew = timedelta(seconds=90)
            balances = await s.ex.fetch_balance()
            assert balances
            assert abs(s.ex.clock.offset - timedelta(seconds=90)) < timedelta(seconds=5)
    run(scenario())
