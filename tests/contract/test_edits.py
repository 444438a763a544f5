"""edit_order's two requests (alter, partial cancel) and its lost-answer rule; open orders of
every market; the dead-man switch's query and the helper that keeps it armed. Never branches on
a venue name: ex.supports(op)."""

from __future__ import annotations

import pytest

from unified import (
    AmbiguousOutcome,
    ConfigurationError,
    DeadManSwitch,
    NotSupported,
    Order,
    OrderStatus,
    OrderType,
    Side,
)

from ..conftest import VENUES, run
from .harness import Session, sent, session
from .test_faults import manual_time


async def resting(s: Session, amount_factor: int = 1, client_order_id: str | None = None
                  ) -> Order:
    return await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount * amount_factor,
                                   s.price("0.9"), client_order_id=client_order_id)


def open_at_venue(s: Session, coid: str) -> list[object]:
    return [o for o in s.orders_at_venue() if o.client_id == coid and o.is_open]


@pytest.mark.parametrize("venue", VENUES)
@pytest.mark.parametrize("fault", ["drop_after", "reset", "status"])
def test_a_lost_edit_answer_is_looked_up_and_edits_once(venue: str, fault: str) -> None:
    """drop_after: the venue acted, the replacement is found by client id (one request);
    reset / 502 before acting: the old order still rests, so the edit is sent once more."""
    async def scenario() -> None:
        async with session(venue, **manual_time()) as s:
            if not s.ex.supports("edit_order"):
                return
            old = await resting(s, client_order_id="edit-lost-1")
            s.sim.faults.add(fault, op="edit_order", status=502)
            new = await s.ex.edit_order(old.id, s.symbol, price=s.price("0.8"))
            assert new.price == s.price("0.8") and new.status is OrderStatus.OPEN
            assert new.client_order_id == "edit-lost-1" and new.raw["replaced_order_id"] == old.id
            assert s.sim.requests["edit_order"] == (1 if fault == "drop_after" else 2)
            assert len(open_at_venue(s, "edit-lost-1")) == 1
            assert [o.id for o in await s.ex.fetch_open_orders(s.symbol)] == [new.id]
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_an_edit_that_cannot_be_settled_is_ambiguous_and_never_doubled(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue, **manual_time()) as s:
            if not s.ex.supports("edit_order"):
                return
            old = await resting(s, client_order_id="edit-lost-2")
            s.sim.faults.add("drop_after", op="edit_order")
            s.sim.faults.add("reset", times=1000)  # every lookup fails too
            with pytest.raises(AmbiguousOutcome) as caught:
                await s.ex.edit_order(old.id, s.symbol, price=s.price("0.8"))
            assert caught.value.client_order_id == "edit-lost-2"
            s.sim.faults.clear()
            assert s.sim.requests["edit_order"] == 1
            assert len(open_at_venue(s, "edit-lost-2")) == 1
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_a_smaller_amount_at_the_same_price_keeps_the_order(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            if not s.ex.supports("cancel_order_partial"):
                return
            old = await resting(s, amount_factor=3)
            for price in (None, old.price):  # no price, or the same one: a partial cancel
                target = (old.amount or 0) - s.amount * (1 if price is None else 2)
                kept = await s.ex.edit_order(old.id, s.symbol, amount=target, price=price)
                assert (kept.id, kept.amount, kept.status) == (old.id, target, OrderStatus.OPEN)
                assert "partial_cancel" in kept.raw and "replaced_order_id" not in kept.raw
            assert s.sim.requests.get("edit_order", 0) == 0
            assert s.sim.requests["cancel_order_partial"] == 2
            moved = await s.ex.edit_order(old.id, s.symbol, amount=s.amount / 2,
                                          price=s.price("0.8"))  # a new price: an alter
            assert moved.id != old.id and moved.raw["replaced_order_id"] == old.id
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
@pytest.mark.parametrize("fault", ["drop_after", "reset"])
def test_a_lost_partial_cancel_is_never_taken_twice(venue: str, fault: str) -> None:
    async def scenario() -> None:
        async with session(venue, **manual_time()) as s:
            if not s.ex.supports("cancel_order_partial"):
                return
            old = await resting(s, amount_factor=3)
            s.sim.faults.add(fault, op="cancel_order_partial")
            kept = await s.ex.edit_order(old.id, s.symbol, amount=s.amount * 2)
            assert (kept.id, kept.amount) == (old.id, s.amount * 2)
            assert s.sim.requests["cancel_order_partial"] == (1 if fault == "drop_after" else 2)
            venue_order = s.sim.engine.orders[old.id]
            assert venue_order.amount == s.amount * 2
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_open_orders_of_every_market(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            if not s.ex.supports("fetch_open_order_symbols"):
                before = sent(s)
                with pytest.raises(ConfigurationError):
                    await s.ex.fetch_open_orders()
                assert sent(s) == before
                return
            assert await s.ex.fetch_open_orders() == []
            first = await resting(s)
            other = s.sim.personality.markets[1]
            market = await s.ex.market(other.symbol)
            second = await s.ex.create_order(other.symbol, OrderType.LIMIT, Side.BUY,
                                             market.min_amount * 10,
                                             (other.mid * 9 / 10).quantize(
                                                 market.price_increment))
            everywhere = await s.ex.fetch_open_orders()
            assert sorted(o.id for o in everywhere) == sorted([first.id, second.id])
            assert {o.symbol for o in everywhere} == {s.symbol, other.symbol}
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_the_dead_man_switch_can_be_read_back(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            if not s.ex.supports("fetch_cancel_all_orders_after"):
                before = sent(s)
                with pytest.raises(NotSupported):
                    await s.ex.fetch_cancel_all_orders_after()
                assert sent(s) == before
                return
            assert await s.ex.fetch_cancel_all_orders_after() is None
            fires = await s.ex.cancel_all_orders_after(10, [s.symbol])
            setting = await s.ex.fetch_cancel_all_orders_after()
            assert isinstance(setting, DeadManSwitch)
            assert (setting.seconds, setting.symbols, setting.fires_at) == (10, (s.symbol,),
                                                                           fires)
            await s.ex.cancel_all_orders_after(0)
            assert await s.ex.fetch_cancel_all_orders_after() is None
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_the_keeper_sets_the_switch_again_only_when_due(venue: str) -> None:
    async def scenario() -> None:
        time = manual_time()
        async with session(venue, venue_clock=time["clock"], **time) as s:
            if not s.ex.supports("cancel_all_orders_after"):
                with pytest.raises(NotSupported):
                    async with s.ex.keep_dead_man_switch(30):
                        pass
                return
            clock = time["clock"]
            async with s.ex.keep_dead_man_switch(30, [s.symbol]) as switch:
                assert s.sim.requests["cancel_all_orders_after"] == 1
                assert switch.fires_at is not None
                for _ in range(5):
                    await switch.refresh()
                assert s.sim.requests["cancel_all_orders_after"] == 1  # not due yet
                clock.advance(10)  # type: ignore[attr-defined]
                await switch.refresh()
                assert s.sim.requests["cancel_all_orders_after"] == 2
            assert s.sim.requests["cancel_all_orders_after"] == 3  # cleared on the way out
            with pytest.raises(ConfigurationError):
                s.ex.keep_dead_man_switch(10, refresh_after=10)
            with pytest.raises(RuntimeError):
                async with s.ex.keep_dead_man_switch(30):
                    raise RuntimeError("the bot died")
            assert s.sim.requests["cancel_all_orders_after"] == 4  # left armed: it fires
    run(scenario())
